"""App-state migrations: a new store is built by them, a store made before
them (create_all and schema_info version 1) is upgraded keeping every row,
and the migrated schema is exactly what the code queries with. The tests
taking `state` run on SQLite and on PostgreSQL; stores made before
migrations only ever were SQLite files."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date, datetime
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Column, MetaData, String, create_engine, insert, inspect, select

from partnerhub.data import migrations
from partnerhub.data import state as state_schema
from partnerhub.data.state import StateStore

ROOT = Path(__file__).resolve().parents[1]

# The schema as the code before migrations created it in SQLite
# (StateStore.init_schema ran metadata.create_all), frozen as SQLite recorded
# it in sqlite_master, in create_all's order. Never edit: it is the past.
LEGACY_DDL = [
    """CREATE TABLE schema_info (
	"key" VARCHAR(64) NOT NULL,
	value VARCHAR(200) NOT NULL,
	PRIMARY KEY ("key")
)""",
    """CREATE TABLE users (
	id INTEGER NOT NULL,
	email VARCHAR(254) NOT NULL,
	name VARCHAR(200) NOT NULL,
	role VARCHAR(32) NOT NULL,
	password_hash VARCHAR(200),
	disabled BOOLEAN NOT NULL,
	source VARCHAR(16) NOT NULL,
	created_at DATETIME NOT NULL,
	updated_at DATETIME NOT NULL,
	last_sign_in_at DATETIME,
	session_version INTEGER NOT NULL,
	PRIMARY KEY (id),
	UNIQUE (email)
)""",
    """CREATE TABLE login_attempts (
	"key" VARCHAR(300) NOT NULL,
	failures INTEGER NOT NULL,
	last_failure_at DATETIME,
	locked_until DATETIME,
	PRIMARY KEY ("key")
)""",
    """CREATE TABLE tags (
	id INTEGER NOT NULL,
	name VARCHAR(60) NOT NULL,
	color VARCHAR(7) NOT NULL,
	created_at DATETIME NOT NULL,
	created_by VARCHAR(254),
	PRIMARY KEY (id),
	UNIQUE (name)
)""",
    """CREATE TABLE trials (
	id INTEGER NOT NULL,
	customer_id VARCHAR(64) NOT NULL,
	licenses JSON NOT NULL,
	start_date DATE NOT NULL,
	end_date DATE NOT NULL,
	days INTEGER NOT NULL,
	extensions INTEGER NOT NULL,
	created_by VARCHAR(254) NOT NULL,
	created_at DATETIME NOT NULL,
	PRIMARY KEY (id)
)""",
    "CREATE INDEX ix_trials_customer_id ON trials (customer_id)",
    """CREATE TABLE audit_log (
	id INTEGER NOT NULL,
	at DATETIME NOT NULL,
	actor VARCHAR(254) NOT NULL,
	action VARCHAR(64) NOT NULL,
	customer_id VARCHAR(64),
	target VARCHAR(300),
	"before" JSON,
	"after" JSON,
	PRIMARY KEY (id)
)""",
    "CREATE INDEX ix_audit_log_customer_id ON audit_log (customer_id)",
    "CREATE INDEX ix_audit_log_actor ON audit_log (actor)",
    "CREATE INDEX ix_audit_log_at ON audit_log (at)",
    "CREATE INDEX ix_audit_log_action ON audit_log (action)",
    """CREATE TABLE api_tokens (
	id INTEGER NOT NULL,
	user_id INTEGER NOT NULL,
	name VARCHAR(100) NOT NULL,
	token_hash VARCHAR(64) NOT NULL,
	prefix VARCHAR(16) NOT NULL,
	created_at DATETIME NOT NULL,
	last_used_at DATETIME,
	revoked_at DATETIME,
	PRIMARY KEY (id),
	FOREIGN KEY(user_id) REFERENCES users (id) ON DELETE CASCADE,
	UNIQUE (token_hash)
)""",
    "CREATE INDEX ix_api_tokens_user_id ON api_tokens (user_id)",
    """CREATE TABLE customer_tags (
	tag_id INTEGER NOT NULL,
	customer_id VARCHAR(64) NOT NULL,
	added_at DATETIME NOT NULL,
	added_by VARCHAR(254),
	PRIMARY KEY (tag_id, customer_id),
	FOREIGN KEY(tag_id) REFERENCES tags (id) ON DELETE CASCADE
)""",
    "CREATE INDEX ix_customer_tags_customer_id ON customer_tags (customer_id)",
    """CREATE TABLE admin_assignments (
	user_id INTEGER NOT NULL,
	customer_id VARCHAR(64) NOT NULL,
	source VARCHAR(16) NOT NULL,
	assigned_at DATETIME NOT NULL,
	assigned_by VARCHAR(254),
	removed_at DATETIME,
	removed_by VARCHAR(254),
	PRIMARY KEY (user_id, customer_id),
	FOREIGN KEY(user_id) REFERENCES users (id) ON DELETE CASCADE
)""",
    "CREATE INDEX ix_admin_assignments_customer_id ON admin_assignments (customer_id)",
]

T1 = datetime(2025, 3, 4, 5, 6, 7)
T2 = datetime(2025, 3, 5, 23, 59, 59, 500000)

# rows of every table of the legacy schema, as the code of then wrote them
# fmt: off
LEGACY_ROWS: dict[str, list[dict]] = {
    "users": [
        dict(id=1, email="full.admin@test.example", name="Full Admin", role="full_admin", password_hash="$argon2id$x",
             disabled=False, source="import", created_at=T1, updated_at=T2, last_sign_in_at=T2, session_version=3),
        dict(id=2, email="sales@test.example", name="Sales Rep", role="sales", password_hash=None,
             disabled=True, source="app", created_at=T1, updated_at=T1, last_sign_in_at=None, session_version=1),
    ],
    "api_tokens": [
        dict(id=1, user_id=1, name="reporting", token_hash="a" * 64, prefix="phk_abcd", created_at=T1,
             last_used_at=T2, revoked_at=None),
        dict(id=2, user_id=2, name="old", token_hash="b" * 64, prefix="phk_efgh", created_at=T1,
             last_used_at=None, revoked_at=T2),
    ],
    "login_attempts": [
        dict(key="email:sales@test.example", failures=5, last_failure_at=T2, locked_until=T2),
        dict(key="ip:10.0.0.1", failures=1, last_failure_at=T1, locked_until=None),
    ],
    "tags": [
        dict(id=1, name="Renewal risk", color="#dc3545", created_at=T1, created_by="full.admin@test.example"),
        dict(id=2, name="東京", color="#6c757d", created_at=T2, created_by=None),
    ],
    "customer_tags": [
        dict(tag_id=1, customer_id="C0001", added_at=T1, added_by="full.admin@test.example"),
        dict(tag_id=2, customer_id="C0001", added_at=T2, added_by=None),
        dict(tag_id=2, customer_id="C0002", added_at=T2, added_by="sales@test.example"),
    ],
    "admin_assignments": [
        dict(user_id=2, customer_id="C0001", source="import", assigned_at=T1, assigned_by=None,
             removed_at=None, removed_by=None),
        dict(user_id=2, customer_id="C0002", source="app", assigned_at=T1, assigned_by="full.admin@test.example",
             removed_at=T2, removed_by="full.admin@test.example"),
    ],
    "trials": [
        dict(id=1, customer_id="C0001", licenses={"meetings": 25, "calling": 10}, start_date=date(2025, 3, 1),
             end_date=date(2025, 3, 31), days=30, extensions=1, created_by="sales@test.example", created_at=T1),
    ],
    "audit_log": [
        dict(id=1, at=T1, actor="import", action="user.create", customer_id=None, target="sales@test.example",
             before=None, after={"role": "sales"}),
        dict(id=2, at=T2, actor="full.admin@test.example", action="tag.add", customer_id="C0001",
             target="東京", before={"tags": []}, after={"tags": ["東京"]}),
    ],
}
# fmt: on


def make_legacy_store(path: Path) -> str:
    """A store exactly as the code before migrations left it, with rows in every table."""
    url = f"sqlite:///{path}"
    engine = create_engine(url)
    with engine.begin() as conn:
        for ddl in LEGACY_DDL:
            conn.exec_driver_sql(ddl)
        # the tables as SQLite reports them: their types store values as the old code did
        legacy = MetaData()
        legacy.reflect(conn)
        conn.execute(insert(legacy.tables["schema_info"]).values(key="version", value="1"))
        for name, rows in LEGACY_ROWS.items():
            conn.execute(insert(legacy.tables[name]), rows)
    engine.dispose()
    return url


def schema_diffs(store: StateStore) -> list:
    with store.read() as conn:
        return compare_metadata(MigrationContext.configure(conn), state_schema.metadata)


def sqlite_schema(store: StateStore) -> list[tuple]:
    """Every table and index as SQLite records it, whitespace aside."""
    with store.read() as conn:
        rows = conn.exec_driver_sql(
            "SELECT type, name, tbl_name, sql FROM sqlite_master WHERE tbl_name != 'alembic_version' ORDER BY name"
        )
        return [(kind, name, table, sql and " ".join(sql.split())) for kind, name, table, sql in rows]


def test_a_new_store_is_migrated_to_exactly_the_schema_the_code_queries(state):
    assert state.revision() == migrations.head()
    assert schema_diffs(state) == []


def test_a_change_to_the_schema_without_a_migration_is_noticed(state):
    changed = MetaData()
    for table in state_schema.metadata.tables.values():
        table.to_metadata(changed)
    changed.tables["tags"].append_column(Column("description", String(200)))
    with state.read() as conn:
        diffs = compare_metadata(MigrationContext.configure(conn), changed)
    assert [d[0] for d in diffs] == ["add_column"]


def test_revision_0001_is_the_schema_before_migrations(tmp_path):
    legacy = StateStore(make_legacy_store(tmp_path / "legacy.sqlite"))
    baseline = StateStore(f"sqlite:///{tmp_path}/baseline.sqlite")
    with baseline.write() as conn:
        command.upgrade(migrations.config(conn), migrations.BASELINE)
    assert sqlite_schema(baseline) == sqlite_schema(legacy)


def test_a_store_made_before_migrations_keeps_every_row(tmp_path):
    store = StateStore(make_legacy_store(tmp_path / "state.sqlite"))
    assert store.revision() is None

    assert store.init_schema() == (migrations.BASELINE, migrations.head())

    assert store.revision() == migrations.head()
    assert schema_diffs(store) == []
    with store.read() as conn:
        for name, rows in LEGACY_ROWS.items():
            table = state_schema.metadata.tables[name]
            found = [r._asdict() for r in conn.execute(select(table).order_by(*table.primary_key.columns))]
            assert [{k: r[k] for k in rows[0]} for r in found] == rows, name
        assert "schema_info" not in conn.exec_driver_sql("SELECT name FROM sqlite_master").scalars().all()
    # and it goes on working: foreign keys hold, a write lands
    with store.write() as conn:
        conn.execute(state_schema.users.delete().where(state_schema.users.c.id == 2))
        store.audit(conn, "cli", "user.delete", target="sales@test.example")
    with store.read() as conn:
        assert conn.execute(select(state_schema.api_tokens.c.id)).scalars().all() == [1]
        assert conn.execute(select(state_schema.admin_assignments)).all() == []
        assert conn.execute(select(state_schema.audit_log.c.id)).scalars().all() == [1, 2, 3]


def store_schema(store: StateStore):
    """The store's tables and indexes as its database records them."""
    if store.engine.dialect.name == "sqlite":
        return sqlite_schema(store)
    with store.read() as conn:
        found = inspect(conn)
        return {
            table: (
                [(c["name"], str(c["type"]), c["nullable"], c["default"]) for c in found.get_columns(table)],
                found.get_pk_constraint(table),
                found.get_foreign_keys(table),
                found.get_indexes(table),
                found.get_unique_constraints(table),
            )
            for table in found.get_table_names()
            if table != "alembic_version"
        }


def test_upgrading_a_store_at_head_changes_nothing(state):
    before = store_schema(state)
    assert state.init_schema() == (migrations.head(), migrations.head())
    assert store_schema(state) == before


def test_foreign_keys_are_on_again_after_a_migration(tmp_path):
    store = StateStore(make_legacy_store(tmp_path / "state.sqlite"))
    store.init_schema()
    with store.read() as conn:
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_a_store_newer_than_the_code_is_refused_untouched(state):
    with state.write() as conn:
        conn.exec_driver_sql("UPDATE alembic_version SET version_num = '9999'")
    schema = store_schema(state)
    with pytest.raises(RuntimeError, match="9999 is newer than this code"):
        state.init_schema()
    assert state.revision() == "9999"
    assert store_schema(state) == schema


def test_schema_info_of_an_unknown_version_is_refused(tmp_path):
    store = StateStore(make_legacy_store(tmp_path / "state.sqlite"))
    with store.write() as conn:
        conn.exec_driver_sql("UPDATE schema_info SET value = '2'")
    with pytest.raises(RuntimeError, match="schema_info version 2"):
        store.init_schema()
    assert store.revision() is None


def test_data_migrate_upgrades_a_store_made_before_migrations(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    make_legacy_store(home / "state.sqlite")
    env = {**os.environ, "PARTNERHUB_HOME": str(home)}
    env.pop("PARTNERHUB_STATE_URL", None)
    cmd = [sys.executable, "-m", "flask", "--app", "app", "data", "migrate"]
    first = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert first.returncode == 0, first.stderr
    assert f"migrated from    {migrations.BASELINE}" in first.stdout
    assert f"revision         {migrations.head()} (head)" in first.stdout
    again = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert again.returncode == 0, again.stderr
    assert "migrated from" not in again.stdout
    assert f"revision         {migrations.head()} (head)" in again.stdout
    with StateStore(f"sqlite:///{home}/state.sqlite").read() as conn:
        assert conn.execute(select(state_schema.tags.c.name)).scalars().all() == ["Renewal risk", "東京"]


def test_a_migration_leaving_rows_without_their_parent_is_rolled_back(tmp_path):
    # foreign keys are off while migrating; the check at the end sees what
    # the copy-and-drop of a batch migration could break, here a row of then
    url = make_legacy_store(tmp_path / "state.sqlite")
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.exec_driver_sql("INSERT INTO customer_tags VALUES (99, 'C0009', '2025-03-04 05:06:07.000000', NULL)")
    engine.dispose()
    store = StateStore(url)
    with pytest.raises(RuntimeError, match="parent is gone"):
        store.init_schema()
    assert store.revision() is None
    with store.read() as conn:
        assert "schema_info" in conn.exec_driver_sql("SELECT name FROM sqlite_master").scalars().all()
