"""The import format of spec/data-contract.md, described once, as data.

The importer validates against these specs, the generator writes them, the
snapshot's tables are created from them and docs/data-contract.md is rendered
from them, so the four can never disagree.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

CONTRACT_VERSION = 1

PRODUCTS = ("meetings", "calling", "messaging", "webinars", "translation", "contact_center")
ROLES = ("partner_full_admin", "partner_admin", "partner_readonly_admin", "sales_full_admin", "sales_admin")
ENDPOINT_TYPES = ("desk_phone", "webex_app_desktop", "webex_app_mobile", "room_device", "analog_adapter", "third_party")
FEATURES = (
    "call_queue",
    "hunt_group",
    "auto_attendant",
    "call_park",
    "call_pickup",
    "voicemail",
    "call_recording",
    "paging",
)

# column types; each maps to a SQL check on the raw text (see data/validate.py)
# and to the DuckDB type the snapshot stores
SQL_TYPES = {
    "id": "VARCHAR",
    "name": "VARCHAR",
    "enum": "VARCHAR",
    "email": "VARCHAR",
    "currency": "VARCHAR",
    "date": "DATE",
    "sunday": "DATE",
    "timestamp": "TIMESTAMPTZ",
    "bool": "BOOLEAN",
    "int": "BIGINT",
    "decimal": "DOUBLE",
}

# text a person typed: names, descriptions, e-mail addresses. Control
# characters are refused in them: a NUL or a line break in a customer's name
# breaks exports, terminals and the next system the data goes to
FREE_TEXT_TYPES = ("name", "email")
# U+0000-U+001F but tab, and U+007F, as an RE2 character class
CONTROL_CHARACTERS = r"[\x00-\x08\x0A-\x1F\x7F]"
CONTROL_CHARACTERS_RULE = "must not contain control characters (U+0000-U+001F except tab, U+007F)"
_CONTROL = re.compile(CONTROL_CHARACTERS)


def visible(value):
    """A value as a problem report shows it: a control character as <U+0007>,
    never the raw character that would ring, erase or end the line."""
    if not isinstance(value, str):
        return value
    return _CONTROL.sub(lambda m: f"<U+{ord(m.group()):04X}>", value)


@dataclass(frozen=True)
class Column:
    name: str
    type: str  # a key of SQL_TYPES
    nullable: bool = False
    values: tuple[str, ...] = ()  # allowed values of an enum
    minimum: float | None = None  # inclusive lower bound of a number
    meaning: str = ""

    @property
    def sql_type(self) -> str:
        return SQL_TYPES[self.type]

    @property
    def free_text(self) -> bool:
        return self.type in FREE_TEXT_TYPES


@dataclass(frozen=True)
class Reference:
    columns: tuple[str, ...]
    table: str
    target: tuple[str, ...]


@dataclass(frozen=True)
class Check:
    """A rule across columns of one row; `sql` must hold (nulls pass: they are
    reported by the column rules)."""

    column: str  # the column a problem is reported on
    sql: str  # over typed columns
    rule: str  # the words of the problem report


@dataclass(frozen=True)
class Table:
    name: str
    columns: tuple[Column, ...]
    key: tuple[str, ...] = ()
    references: tuple[Reference, ...] = ()
    checks: tuple[Check, ...] = ()
    required: bool = False
    directory: bool = False  # merged into the app-state store, not the snapshot
    meaning: str = ""

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)


def _id(name, **kw):
    return Column(name, "id", **kw)


def _count(name, meaning=""):
    return Column(name, "int", minimum=0, meaning=meaning)


TABLES: tuple[Table, ...] = (
    Table(
        "customers",
        (
            _id("customer_id"),
            Column("name", "name", meaning="customer organization name"),
            Column(
                "managed_by",
                "enum",
                values=("partner", "external"),
                meaning="partner: part of the partner org; external: managed as an external administrator",
            ),
            Column("created_on", "date"),
            Column(
                "last_admin_sign_in",
                "timestamp",
                nullable=True,
                meaning="last sign-in of any customer administrator; null = never",
            ),
        ),
        key=("customer_id",),
        required=True,
    ),
    Table(
        "subscriptions",
        (
            _id("subscription_id", meaning="for a trial, the enterprise trial ID"),
            _id("customer_id"),
            Column("kind", "enum", values=("paid", "trial")),
            Column("status", "enum", values=("active", "pending_setup", "suspended", "expired")),
            Column("start_date", "date", meaning="the day it was added to the customer org"),
            Column("end_date", "date"),
            Column("auto_renew", "bool"),
        ),
        key=("subscription_id",),
        required=True,
        references=(Reference(("customer_id",), "customers", ("customer_id",)),),
        checks=(
            Check("end_date", "end_date >= start_date", "must be on or after start_date"),
            Check("auto_renew", "NOT (kind = 'trial' AND auto_renew)", "must be false for a trial"),
        ),
    ),
    Table(
        "subscription_licenses",
        (
            _id("subscription_id"),
            Column("product", "enum", values=PRODUCTS),
            _count("licenses", "licenses purchased"),
        ),
        key=("subscription_id", "product"),
        required=True,
        references=(Reference(("subscription_id",), "subscriptions", ("subscription_id",)),),
    ),
    Table(
        "license_usage",
        (
            _id("subscription_id"),
            Column("product", "enum", values=PRODUCTS),
            Column("week_start", "sunday"),
            _count("assigned", "licenses assigned at the end of the week (may exceed licenses)"),
            _count("used", "assigned licenses whose user was active that week"),
        ),
        key=("subscription_id", "product", "week_start"),
        required=True,
        references=(
            Reference(("subscription_id", "product"), "subscription_licenses", ("subscription_id", "product")),
        ),
        checks=(Check("used", "used <= assigned", "must not exceed assigned"),),
    ),
    Table(
        "orders",
        (
            _id("order_id"),
            _id("subscription_id"),
            Column("ordered_on", "date"),
            Column("type", "enum", values=("new", "renewal", "change", "cancellation")),
            Column("description", "name", nullable=True),
        ),
        key=("order_id",),
        references=(Reference(("subscription_id",), "subscriptions", ("subscription_id",)),),
    ),
    Table(
        "invoices",
        (
            _id("invoice_id"),
            _id("subscription_id"),
            Column("issued_on", "date"),
            Column("due_on", "date"),
            Column("amount", "decimal", minimum=0),
            Column("currency", "currency", meaning="ISO 4217"),
            Column("status", "enum", values=("paid", "open", "overdue")),
        ),
        key=("invoice_id",),
        references=(Reference(("subscription_id",), "subscriptions", ("subscription_id",)),),
        checks=(Check("due_on", "due_on >= issued_on", "must be on or after issued_on"),),
    ),
    Table(
        "calling_usage",
        (
            _id("customer_id"),
            Column("week_start", "sunday"),
            _count("licensed_users", "users with a calling license"),
            _count("active_users", "users who placed at least one call that week"),
            _count("calls", "calls placed"),
            Column("minutes", "decimal", minimum=0, meaning="call minutes"),
        ),
        key=("customer_id", "week_start"),
        references=(Reference(("customer_id",), "customers", ("customer_id",)),),
    ),
    Table(
        "call_quality",
        (
            _id("customer_id"),
            Column("week_start", "sunday"),
            Column("endpoint_type", "enum", values=ENDPOINT_TYPES),
            _count("calls"),
            _count("poor_calls", "calls rated poor quality upstream"),
        ),
        key=("customer_id", "week_start", "endpoint_type"),
        references=(Reference(("customer_id",), "customers", ("customer_id",)),),
        checks=(Check("poor_calls", "poor_calls <= calls", "must not exceed calls"),),
    ),
    Table(
        "calling_features",
        (
            _id("customer_id"),
            Column("week_start", "sunday"),
            Column("feature", "enum", values=FEATURES),
            _count("calls", "calls that used the feature"),
        ),
        key=("customer_id", "week_start", "feature"),
        references=(Reference(("customer_id",), "customers", ("customer_id",)),),
    ),
    Table(
        "call_queues",
        (
            _id("customer_id"),
            _id("queue_id"),
            Column("queue_name", "name"),
            Column("week_start", "sunday"),
            _count("offered", "calls that entered the queue"),
            _count("answered"),
            _count("abandoned"),
            _count("overflowed", "sent on to another queue"),
            Column("answer_wait_seconds", "decimal", minimum=0, meaning="total wait of answered and overflowed calls"),
            Column("abandon_wait_seconds", "decimal", minimum=0, meaning="total wait of abandoned calls"),
        ),
        key=("queue_id", "week_start"),
        references=(Reference(("customer_id",), "customers", ("customer_id",)),),
        checks=(
            Check(
                "offered",
                "answered + abandoned + overflowed <= offered",
                "must be at least answered + abandoned + overflowed",
            ),
        ),
    ),
    Table(
        "partner_admins",
        (
            Column("email", "email", meaning="case-insensitive"),
            Column("name", "name"),
            Column("role", "enum", values=ROLES),
        ),
        key=("email",),
        directory=True,
    ),
    Table(
        "customer_admins",
        (
            _id("customer_id"),
            Column("email", "email"),
        ),
        key=("customer_id", "email"),
        directory=True,
        # customer_id may also name a customer of the current snapshot and email
        # an admin already in the app: data/validate.py widens these two
        references=(
            Reference(("customer_id",), "customers", ("customer_id",)),
            Reference(("email",), "partner_admins", ("email",)),
        ),
    ),
)

BY_NAME = {t.name: t for t in TABLES}
ANALYTICS_TABLES = tuple(t for t in TABLES if not t.directory)
DIRECTORY_TABLES = tuple(t for t in TABLES if t.directory)


def create_table_sql(table: Table) -> str:
    cols = ", ".join(f"{c.name} {c.sql_type}" for c in table.columns)
    return f"CREATE TABLE {table.name} ({cols})"
