"""The app-state store: everything the app owns and no import ever replaces.

Users, their sessions, API tokens, sign-in throttling, custom tags, tag
assignments, admin assignments, trials started in the app, the audit log,
notes, follow-ups and saved views, alert rules, alerts and the outbox of
their e-mails and webhooks.
SQLAlchemy Core over PARTNERHUB_STATE_URL: SQLite with WAL by default, or PostgreSQL
(postgresql+psycopg://...) for several nodes. Safe for several processes
writing at once, the same way on both: a write transaction holds the store's
one write lock from its first statement and waits for it instead of failing
(SQLite: BEGIN IMMEDIATE; PostgreSQL: a transaction-scoped advisory lock),
so a write that reads, checks and then writes (a unique tag name, one
ongoing trial) sees every write committed before it and no other write
meanwhile. App-state writes are few and short, so one writer at a time costs
nothing that matters and keeps the rules of both backends the same. A read
sees one snapshot (SQLite's read transaction; REPEATABLE READ on PostgreSQL).

`metadata` below is the schema the code queries with; the store gets it
through the Alembic migrations in `migrations/` (init_schema upgrades to the
head revision). Every change here comes with a new revision there:
tests/test_migrations.py fails while the two differ.
"""

from __future__ import annotations

import sqlite3
import time
from contextlib import contextmanager
from datetime import UTC, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    create_engine,
    event,
    insert,
    text,
)
from sqlalchemy.engine import Connection, Engine, make_url

from . import migrations

metadata = MetaData()

# any fixed number, not the migrations' one: PostgreSQL's advisory lock that
# lets one write transaction run at a time
PG_WRITE_LOCK_KEY = 7_368_298
# how long a write waits for the write lock before it fails
LOCK_WAIT_SECONDS = 30


def utcnow() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def as_utc(value: datetime) -> datetime:
    """A stored moment, aware: SQLite gives back naive datetimes, and every one stored is UTC."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


users = Table(
    "users",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("email", String(254), nullable=False, unique=True),  # always lower case
    Column("name", String(200), nullable=False),
    Column("role", String(32), nullable=False),
    Column("password_hash", String(200)),  # null: cannot sign in yet
    Column("disabled", Boolean, nullable=False, default=False),
    Column("source", String(16), nullable=False, default="app"),  # import | app | cli | demo
    Column("created_at", DateTime(timezone=True), nullable=False, default=utcnow),
    Column("updated_at", DateTime(timezone=True), nullable=False, default=utcnow, onupdate=utcnow),
    Column("last_sign_in_at", DateTime(timezone=True)),
    # read by no code since revision 0003: sessions end in the sessions table
    Column("session_version", Integer, nullable=False, default=1),
    # null until the user chooses: the browser decides meanwhile (revision 0004)
    Column("language", String(8)),  # ja | en
    Column("time_zone", String(64)),  # an IANA name, e.g. Asia/Tokyo
    # the weekly digest's opt-in, set on the Account page (revision 0006)
    Column("weekly_digest", Boolean, nullable=False, default=False),
)

sessions = Table(
    "sessions",
    metadata,
    Column("id", Integer, primary_key=True),
    # sha256 hex of the secret the session cookie carries; the secret itself is never stored
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("created_at", DateTime(timezone=True), nullable=False, default=utcnow),
    Column("last_seen_at", DateTime(timezone=True), nullable=False, default=utcnow, index=True),
    Column("ended_at", DateTime(timezone=True), index=True),
    # signed_out | idle | password | role | disabled | ended | ended_by_admin | replaced
    Column("end_reason", String(32)),
    # what helps its user recognise it on the Account page
    Column("user_agent", String(300)),
    Column("address", String(100)),
)

api_tokens = Table(
    "api_tokens",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("name", String(100), nullable=False),
    Column("token_hash", String(64), nullable=False, unique=True),  # sha256 hex of the secret
    Column("prefix", String(16), nullable=False),  # shown to tell tokens apart
    Column("created_at", DateTime(timezone=True), nullable=False, default=utcnow),
    Column("last_used_at", DateTime(timezone=True)),
    Column("revoked_at", DateTime(timezone=True)),
)

login_attempts = Table(
    "login_attempts",
    metadata,
    Column("key", String(300), primary_key=True),  # "email:<address>" or "ip:<address>"
    Column("failures", Integer, nullable=False, default=0),
    Column("last_failure_at", DateTime(timezone=True)),
    Column("locked_until", DateTime(timezone=True)),
)

tags = Table(
    "tags",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(60), nullable=False, unique=True),
    Column("color", String(7), nullable=False, default="#6c757d"),
    Column("created_at", DateTime(timezone=True), nullable=False, default=utcnow),
    Column("created_by", String(254)),
)

customer_tags = Table(
    "customer_tags",
    metadata,
    Column("tag_id", Integer, ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True),
    Column("customer_id", String(64), primary_key=True, index=True),
    Column("added_at", DateTime(timezone=True), nullable=False, default=utcnow),
    Column("added_by", String(254)),
)

admin_assignments = Table(
    "admin_assignments",
    metadata,
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("customer_id", String(64), primary_key=True, index=True),
    Column("source", String(16), nullable=False),  # import | app | cli
    Column("assigned_at", DateTime(timezone=True), nullable=False, default=utcnow),
    Column("assigned_by", String(254)),
    # a removal made in the app is kept as a tombstone so that the next import
    # of the same customer_admins file does not bring the assignment back
    Column("removed_at", DateTime(timezone=True)),
    Column("removed_by", String(254)),
)

trials = Table(
    "trials",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("customer_id", String(64), nullable=False, index=True),
    Column("licenses", JSON, nullable=False),  # {product: licenses}
    Column("start_date", Date, nullable=False),
    Column("end_date", Date, nullable=False),
    Column("days", Integer, nullable=False),
    Column("extensions", Integer, nullable=False, default=0),
    Column("created_by", String(254), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, default=utcnow),
)

audit_log = Table(
    "audit_log",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("at", DateTime(timezone=True), nullable=False, default=utcnow, index=True),
    Column("actor", String(254), nullable=False, index=True),  # e-mail, or "import" / "cli"
    Column("action", String(64), nullable=False, index=True),
    Column("customer_id", String(64), index=True),
    Column("target", String(300)),
    Column("before", JSON),
    Column("after", JSON),
)

# Notes, follow-ups and saved views (revision 0005): written only in the app,
# never by an import.
notes = Table(
    "notes",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("customer_id", String(64), nullable=False, index=True),
    # users are never deleted (they are disabled), so a note always has its author
    Column("author_id", Integer, ForeignKey("users.id"), nullable=False),
    # the author's e-mail when the note was written, for display and audit
    Column("author_email", String(254), nullable=False),
    Column("body", Text, nullable=False),  # plain text, at most 4,000 characters
    Column("created_at", DateTime(timezone=True), nullable=False, default=utcnow),
    Column("updated_at", DateTime(timezone=True), nullable=False, default=utcnow),
)

# one follow-up per person per customer: setting it again replaces it
follow_ups = Table(
    "follow_ups",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("customer_id", String(64), nullable=False, index=True),
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("due_date", Date, nullable=False),
    Column("text", String(200), nullable=False),
    Column("done_at", DateTime(timezone=True)),  # null: open
    Column("created_at", DateTime(timezone=True), nullable=False, default=utcnow),
    Column("updated_at", DateTime(timezone=True), nullable=False, default=utcnow),
    UniqueConstraint("user_id", "customer_id", name="uq_follow_ups_user_customer"),
)

saved_views = Table(
    "saved_views",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("owner_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("page", String(32), nullable=False),  # home | customers | analytics | calling
    Column("name", String(80), nullable=False),
    # the page's canonical URL query string, e.g. "status=trial&tag=Gold"
    Column("query", Text, nullable=False),
    Column("shared", Boolean, nullable=False, default=False),
    Column("created_at", DateTime(timezone=True), nullable=False, default=utcnow),
    Column("updated_at", DateTime(timezone=True), nullable=False, default=utcnow),
    UniqueConstraint("owner_id", "page", "name", name="uq_saved_views_owner_page_name"),
)

# the view each user lands on after sign-in; it may be another person's
# shared view, and deleting the view removes the choice
landing_views = Table(
    "landing_views",
    metadata,
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("view_id", Integer, ForeignKey("saved_views.id", ondelete="CASCADE"), nullable=False, index=True),
)


# Alerts (revision 0006): each person's rules, the alerts they opened, and the
# outbox every e-mail and webhook goes through (retried, each sent once).
alert_rules = Table(
    "alert_rules",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("condition", String(40), nullable=False),  # one of interfaces.md's conditions
    Column("params", JSON, nullable=False),  # the condition's parameters, defaults filled in
    Column("filters", JSON, nullable=False),  # {"tag": [...], "managed_by": [...], "health_band": [...]}
    Column("channels", JSON, nullable=False),  # a list of inbox | email | webhook
    Column("webhook_url", String(2000)),
    # the HMAC key of the webhook's signature: kept as given, the sender needs it
    Column("webhook_secret", String(200)),
    Column("created_at", DateTime(timezone=True), nullable=False, default=utcnow),
    Column("updated_at", DateTime(timezone=True), nullable=False, default=utcnow),
)

# which snapshots each rule was evaluated on: evaluating one again does nothing
alert_evaluations = Table(
    "alert_evaluations",
    metadata,
    Column("rule_id", Integer, ForeignKey("alert_rules.id", ondelete="CASCADE"), primary_key=True),
    Column("snapshot_id", String(64), primary_key=True),
    Column("as_of", Date, nullable=False),
    Column("evaluated_at", DateTime(timezone=True), nullable=False, default=utcnow),
)

alerts = Table(
    "alerts",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("rule_id", Integer, ForeignKey("alert_rules.id", ondelete="CASCADE"), nullable=False),
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("condition", String(40), nullable=False),
    Column("customer_id", String(64), nullable=False),
    Column("customer_name", String(300), nullable=False),
    Column("state", String(10), nullable=False),  # open | resolved
    Column("values", JSON, nullable=False),  # the numbers that made it fire
    Column("opened_snapshot", String(64), nullable=False),
    Column("opened_as_of", Date, nullable=False),
    Column("opened_at", DateTime(timezone=True), nullable=False, default=utcnow),
    Column("resolved_snapshot", String(64)),
    Column("resolved_as_of", Date),
    Column("resolved_at", DateTime(timezone=True)),
    Column("read_at", DateTime(timezone=True)),
    Index("ix_alerts_user_id_state", "user_id", "state"),
    Index("ix_alerts_rule_id_customer_id", "rule_id", "customer_id"),
)

# The outbox. No foreign keys to rules or alerts: the log outlives them.
deliveries = Table(
    "deliveries",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("user_id", Integer, index=True),  # null: a test message the CLI sent to any address
    Column("rule_id", Integer),
    Column("alert_id", Integer),
    Column("channel", String(10), nullable=False),  # email | webhook
    Column("kind", String(20), nullable=False),  # alert.opened | alert.resolved | digest | test
    # e.g. "alert:17:opened:email": enqueueing the same message again adds nothing
    Column("dedupe_key", String(200), nullable=False, unique=True),
    Column("recipient", String(2000), nullable=False),  # an e-mail address or the webhook's URL
    Column("payload", JSON, nullable=False),
    Column("state", String(10), nullable=False, default="pending"),  # pending | sent | failed
    Column("attempts", Integer, nullable=False, default=0),
    Column("next_attempt_at", DateTime(timezone=True), nullable=False, default=utcnow),
    # the lease of the run sending it: another run leaves it alone until then
    Column("claimed_until", DateTime(timezone=True)),
    Column("last_error", String(500)),
    Column("created_at", DateTime(timezone=True), nullable=False, default=utcnow),
    Column("sent_at", DateTime(timezone=True)),
    Index("ix_deliveries_state_next_attempt_at", "state", "next_attempt_at"),
)

delivery_attempts = Table(
    "delivery_attempts",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("delivery_id", Integer, ForeignKey("deliveries.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("attempted_at", DateTime(timezone=True), nullable=False, default=utcnow),
    Column("ok", Boolean, nullable=False),
    Column("error", String(500)),
)


class StateStore:
    def __init__(self, url: str):
        self.url = url
        self.engine: Engine = _engine(url)
        # (revision before, revision after) of this process's last init_schema
        self.last_upgrade: tuple[str | None, str] | None = None

    def init_schema(self) -> tuple[str | None, str]:
        """Upgrades the store to the head migration: a new store from empty, one
        made before migrations from the schema it has; never recreates a table.
        Returns (revision before, revision after)."""
        with self._schema_change() as conn:
            before, after = migrations.upgrade(conn)
            if before != after:
                _check_foreign_keys(conn)
        self.last_upgrade = (before, after)
        return self.last_upgrade

    def revision(self) -> str | None:
        """The store's migration revision, None before the first upgrade."""
        with self.read() as conn:
            return migrations.current(conn)

    def location(self) -> str:
        """The store's URL without its password, for messages."""
        return make_url(self.url).render_as_string(hide_password=True)

    @contextmanager
    def _schema_change(self):
        """A write transaction for migrations: the write lock first, so that
        workers starting together migrate one at a time and the later ones
        find the store at head. On SQLite foreign keys are off in it, as
        SQLite's procedure for schema changes asks (a batch migration copies a
        table and drops the old one, and with foreign keys on that drop would
        delete the rows referring to it); init_schema checks them before the
        commit."""
        if not self.url.startswith("sqlite"):
            with self.write() as conn:
                yield conn
            return
        with self.engine.connect().execution_options(partnerhub_write=True) as conn:
            # on the driver's connection: a statement through SQLAlchemy would
            # begin a transaction, and inside one SQLite ignores this pragma
            _pragma(conn, "PRAGMA foreign_keys=OFF")
            try:
                with conn.begin():
                    yield conn
            finally:
                _pragma(conn, "PRAGMA foreign_keys=ON")

    @contextmanager
    def read(self):
        with self.engine.connect() as conn:
            if conn.dialect.name == "postgresql":
                # every statement of the read sees the same snapshot, as in SQLite
                conn.execution_options(isolation_level="REPEATABLE READ")
            yield conn

    @contextmanager
    def write(self):
        """One transaction that holds the write lock from its first statement."""
        with self.engine.connect().execution_options(partnerhub_write=True) as conn, conn.begin():
            if conn.dialect.name == "postgresql":
                # READ COMMITTED: each statement after the lock sees every
                # write committed before it
                conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": PG_WRITE_LOCK_KEY})
            yield conn

    def audit(
        self,
        conn: Connection,
        actor: str,
        action: str,
        customer_id: str | None = None,
        target: str | None = None,
        before=None,
        after=None,
    ) -> None:
        """Every accepted change is recorded in the same transaction as the change."""
        conn.execute(
            insert(audit_log).values(
                actor=actor,
                action=action,
                customer_id=customer_id,
                target=target,
                before=before,
                after=after,
                at=utcnow(),
            )
        )

    def dispose(self) -> None:
        self.engine.dispose()


def _pragma(conn: Connection, sql: str) -> None:
    cur = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        cur.execute(sql)
    finally:
        cur.close()


def _check_foreign_keys(conn: Connection) -> None:
    """SQLite checks no foreign key while they are off (see _schema_change)."""
    if conn.dialect.name != "sqlite":
        return
    orphans = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
    if orphans:
        raise RuntimeError(f"migration left rows whose parent is gone: {orphans[:5]}")


def _journal_mode_wal(cur, wait_seconds: float = LOCK_WAIT_SECONDS) -> None:
    """WAL is kept in the file, so only a new file changes mode, and that
    needs the file alone: when workers start together on a new store SQLite
    answers "database is locked" at once instead of waiting. Wait here."""
    deadline = time.monotonic() + wait_seconds
    while True:
        try:
            cur.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as e:
            if "locked" not in str(e) or time.monotonic() > deadline:
                raise
            time.sleep(0.02)


def _engine(url: str) -> Engine:
    if not url.startswith("sqlite"):
        return _server_engine(url)
    engine = create_engine(url, connect_args={"timeout": LOCK_WAIT_SECONDS, "check_same_thread": False})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_con, _record):
        # let SQLAlchemy's begin event decide how transactions start
        dbapi_con.isolation_level = None
        cur = dbapi_con.cursor()
        cur.execute(f"PRAGMA busy_timeout={LOCK_WAIT_SECONDS * 1000}")
        _journal_mode_wal(cur)
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        immediate = conn.get_execution_options().get("partnerhub_write")
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


def _server_engine(url: str) -> Engine:
    engine = create_engine(url, pool_pre_ping=True)
    if engine.dialect.name != "postgresql":
        return engine

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_con, _record):
        cur = dbapi_con.cursor()
        # timestamps come back in UTC, as they are written, whatever the
        # server's time zone; a lock (the write lock, a migration's) is
        # waited for as long as SQLite's busy timeout, then the write fails
        cur.execute("SET TIME ZONE 'UTC'")
        cur.execute(f"SET lock_timeout = '{LOCK_WAIT_SECONDS}s'")
        cur.close()
        dbapi_con.commit()

    return engine
