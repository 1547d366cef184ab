"""The app-state store: everything the app owns and no import ever replaces.

Users, API tokens, sign-in throttling, custom tags, tag assignments, admin
assignments, trials started in the app and the audit log. SQLAlchemy Core
over PARTNERHUB_STATE_URL (SQLite with WAL by default), safe for several
worker processes writing at once: writes take SQLite's write lock up front
(BEGIN IMMEDIATE) and wait for it instead of failing.

The schema lives here and only here; SCHEMA_VERSION goes up with every change.
"""

from __future__ import annotations

from contextlib import contextmanager
from datetime import UTC, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Table,
    create_engine,
    event,
    insert,
    select,
    update,
)
from sqlalchemy.engine import Connection, Engine

SCHEMA_VERSION = 1

metadata = MetaData()


def utcnow() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


schema_info = Table(
    "schema_info",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("value", String(200), nullable=False),
)

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
    # bumped on password reset, role change or disable: ends every session
    Column("session_version", Integer, nullable=False, default=1),
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


class StateStore:
    def __init__(self, url: str):
        self.url = url
        self.engine: Engine = _engine(url)

    def init_schema(self) -> None:
        metadata.create_all(self.engine)
        with self.write() as conn:
            row = conn.execute(select(schema_info.c.value).where(schema_info.c.key == "version")).first()
            if row is None:
                conn.execute(insert(schema_info).values(key="version", value=str(SCHEMA_VERSION)))
            elif int(row[0]) > SCHEMA_VERSION:
                raise RuntimeError(f"app-state schema {row[0]} is newer than this code ({SCHEMA_VERSION})")
            elif int(row[0]) < SCHEMA_VERSION:
                conn.execute(
                    update(schema_info).where(schema_info.c.key == "version").values(value=str(SCHEMA_VERSION))
                )

    @contextmanager
    def read(self):
        with self.engine.connect() as conn:
            yield conn

    @contextmanager
    def write(self):
        """One transaction that holds the write lock from its first statement."""
        with self.engine.connect().execution_options(partnerhub_write=True) as conn, conn.begin():
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


def _engine(url: str) -> Engine:
    if not url.startswith("sqlite"):
        return create_engine(url, pool_pre_ping=True)
    engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_con, _record):
        # let SQLAlchemy's begin event decide how transactions start
        dbapi_con.isolation_level = None
        cur = dbapi_con.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        immediate = conn.get_execution_options().get("partnerhub_write")
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine
