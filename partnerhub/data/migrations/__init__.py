"""Alembic migrations of the app-state store, run from code.

`upgrade(conn)` brings a store to the head revision inside the caller's
transaction; StateStore.init_schema() calls it holding the write lock, so
that workers starting together migrate one after the other and every one but
the first finds the store at head. No alembic.ini is read at run time: the
script location is this folder, found from the installed package.

A store made before migrations existed (tables created by `create_all` and a
`schema_info` row, version 1) has no `alembic_version`: it is stamped with
BASELINE, the revision that is exactly that schema, and upgraded from there.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection

HERE = Path(__file__).resolve().parent
BASELINE = "0001"
# the version schema_info held before migrations; anything else is not ours
LEGACY_SCHEMA_VERSION = "1"
# any fixed number: PostgreSQL's advisory lock that serialises upgrades
PG_LOCK_KEY = 7_368_297


def config(conn: Connection | None = None) -> Config:
    cfg = Config()
    # Config interpolates %(name)s in option values
    cfg.set_main_option("script_location", str(HERE).replace("%", "%%"))
    if conn is not None:
        cfg.attributes["connection"] = conn
    return cfg


@cache
def script() -> ScriptDirectory:
    return ScriptDirectory.from_config(config())


def head() -> str:
    revision = script().get_current_head()
    assert revision is not None, "no migrations found"
    return revision


def current(conn: Connection) -> str | None:
    """The store's revision; None for an empty store (or one made before migrations)."""
    return MigrationContext.configure(conn).get_current_revision()


def upgrade(conn: Connection) -> tuple[str | None, str]:
    """Migrates the store on `conn` to head in conn's transaction, which the
    caller holds with the write lock. Returns (revision before, revision after)."""
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": PG_LOCK_KEY})
    context = MigrationContext.configure(conn)
    before = context.get_current_revision()
    if before is None and _made_before_migrations(conn):
        context.stamp(script(), BASELINE)
        before = BASELINE
    known = {rev.revision for rev in script().walk_revisions()}
    if before is not None and before not in known:
        raise RuntimeError(f"app-state schema {before} is newer than this code (head {head()})")
    if before != head():
        command.upgrade(config(conn), "head")
    return before, head()


def _made_before_migrations(conn: Connection) -> bool:
    if not inspect(conn).has_table("schema_info"):
        return False
    version = conn.execute(text("SELECT value FROM schema_info WHERE key = 'version'")).scalar()
    # a crash between create_all and the version row left the tables without it
    if version not in (None, LEGACY_SCHEMA_VERSION):
        raise RuntimeError(f"app-state schema_info version {version} is not one this code knows")
    return True
