"""Backups of the app-state store: one file, made while the app runs, that
restores into a store on either backend.

A backup is a SQLite database file (rollback journal, no -wal beside it)
holding the store's tables at the store's revision, with its
`alembic_version` row:

- from a SQLite store, SQLite's online backup API copies the file in one
  step inside one read transaction: the moment it starts, whatever the
  workers write meanwhile (in WAL mode they are not held up);
- from a PostgreSQL store, every table is read in one REPEATABLE READ READ
  ONLY transaction, the one snapshot pg_dump also reads from, into a SQLite
  file migrated to the same revision.

Why not pg_dump's custom format for PostgreSQL: Debian's pg_dump must be of
the server's major version or newer, on whichever node runs the command,
and wants the password in its own environment; its file holds the owner's
roles and grants, which a restore into another server's database has to
map; and it would be a second format with its own checks. One format instead
restores into either backend, so a single node's SQLite store moves to the
PostgreSQL of several nodes (and back) with `data backup` and `data restore`,
and every file is checked the same way. App-state data is small (users,
tags, trials, the audit log), so a logical copy is quick.

A restore checks the file first and changes nothing when it is not a backup
this code can read (NotABackup): a SQLite database, intact, with a
revision this code knows and the tables that revision has. It upgrades a
private copy of the file to the code's head revision, then replaces every
row of the store with the copy's rows in one write transaction: workers see
the old rows or the new ones, never a mixture. Sessions are not restored:
every session ends, and everyone signs in again (a session ended after the
backup was made must not come back).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import MetaData, Table, create_engine, delete, func, insert, inspect, select, text
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.exc import SQLAlchemyError

from . import migrations
from .state import StateStore, metadata

# rows copied per statement: memory stays small however long the audit log
_BATCH = 1000
# tables whose rows a restore does not bring back (see the module's docstring)
NOT_RESTORED = frozenset({"sessions"})
_SQLITE_MAGIC = b"SQLite format 3\x00"
_VERSION_TABLE = "alembic_version"


class NotABackup(ValueError):
    """The file is not an app-state backup this code can restore."""


@dataclass(frozen=True)
class BackupInfo:
    revision: str
    rows: dict[str, int]  # table -> rows


def backup(state: StateStore, target: Path) -> BackupInfo:
    """Writes a backup of the store to `target` (created 0600; an existing
    file is replaced only once the new backup is complete)."""
    target = Path(target).resolve()
    if state.revision() is None:
        raise ValueError(f"the app-state store at {state.location()} has no tables yet: nothing to back up")
    store_file = _sqlite_file(state)
    if store_file is not None and target in {Path(f"{store_file}{end}") for end in ("", "-wal", "-shm", "-journal")}:
        raise ValueError(f"{target} is the app-state store itself (or one of its files): choose another file")
    with _private_temp_file(target) as partial:
        if store_file is not None:
            _sqlite_online_backup(store_file, partial)
        else:
            _logical_copy(state.engine, partial)
        info = check(partial)
        os.replace(partial, target)
    return info


def restore(state: StateStore, source: Path) -> BackupInfo:
    """Replaces every row of the store (at head) with the backup's; returns
    the backup's revision and the rows restored. NotABackup, before anything
    is changed, when the file is not one."""
    source = Path(source)
    with tempfile.TemporaryDirectory(prefix="partnerhub-restore-") as folder:
        copy = Path(folder) / "backup.sqlite"
        try:
            shutil.copyfile(source, copy)
        except OSError as e:
            raise NotABackup(f"{source}: {e.strerror or e}") from None
        found = check(copy, name=str(source))
        work = StateStore(f"sqlite:///{copy}")
        try:
            try:
                work.init_schema()
            except (SQLAlchemyError, RuntimeError) as e:
                raise NotABackup(f"{source}: it does not upgrade to this code's schema ({e})") from None
            with work.read() as conn:
                if compare_metadata(MigrationContext.configure(conn), metadata):
                    raise NotABackup(f"{source}: its tables are not those of revision {found.revision}")
            state.init_schema()
            rows = _replace_rows(work, state)
        finally:
            work.dispose()
    return BackupInfo(found.revision, rows)


def check(path: Path, name: str | None = None) -> BackupInfo:
    """The backup's revision and row counts; NotABackup when it is not one."""
    name = name or str(path)
    try:
        with open(path, "rb") as f:
            magic = f.read(len(_SQLITE_MAGIC))
    except OSError as e:
        raise NotABackup(f"{name}: {e.strerror or e}") from None
    if magic != _SQLITE_MAGIC:
        raise NotABackup(f"{name} is not an app-state backup (not a SQLite database)")
    try:
        with contextlib.closing(sqlite3.connect(f"{Path(path).resolve().as_uri()}?mode=ro", uri=True)) as con:
            verdict = con.execute("PRAGMA integrity_check").fetchone()[0]
            if verdict != "ok":
                raise NotABackup(f"{name} is damaged: {verdict}")
            tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            if _VERSION_TABLE not in tables:
                raise NotABackup(f"{name} is not an app-state backup (it has no schema revision)")
            versions = [r[0] for r in con.execute(f"SELECT version_num FROM {_VERSION_TABLE}")]
            if len(versions) != 1:
                raise NotABackup(f"{name} is not an app-state backup ({len(versions)} schema revisions)")
            revision = versions[0]
            if revision not in _known_revisions():
                raise NotABackup(
                    f"{name} was made at app-state revision {revision}, which this code does not know "
                    f"(newest: {migrations.head()}): restore it with the version of the app that made it"
                )
            expected = _tables_at(revision)
            found = {t: _columns(con, t) for t in tables - {_VERSION_TABLE}}
            if found != expected:
                raise NotABackup(f"{name}: its tables are not those of app-state revision {revision}")
            rows = {t: con.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in sorted(expected)}
    except sqlite3.DatabaseError as e:
        raise NotABackup(f"{name} is not an app-state backup ({e})") from None
    return BackupInfo(revision, rows)


def row_count(state: StateStore) -> int:
    """Rows in the store's tables (0: nothing to lose by a restore)."""
    with state.read() as conn:
        names = set(inspect(conn).get_table_names()) & set(metadata.tables)
        return sum(conn.execute(select(func.count()).select_from(metadata.tables[n])).scalar_one() for n in names)


# ---- the revision's schema -------------------------------------------------------------------


def _known_revisions() -> set[str]:
    return {rev.revision for rev in migrations.script().walk_revisions()}


@cache
def _tables_at(revision: str) -> dict[str, frozenset[str]]:
    """table -> columns of the store at `revision`, as the migrations make it."""
    engine = create_engine("sqlite://")
    try:
        with engine.begin() as conn:
            command.upgrade(migrations.config(conn), revision)
            raw = conn.connection.dbapi_connection
            tables = {r[0] for r in raw.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}  # type: ignore[union-attr]
            return {t: _columns(raw, t) for t in tables - {_VERSION_TABLE}}
    finally:
        engine.dispose()


def _columns(con, table: str) -> frozenset[str]:
    return frozenset(r[1] for r in con.execute(f'PRAGMA table_info("{table}")'))


# ---- making a backup -------------------------------------------------------------------------


def _sqlite_file(state: StateStore) -> Path | None:
    url = make_url(state.url)
    if url.get_backend_name() != "sqlite":
        return None
    if not url.database or url.database.startswith((":", "file:")):
        raise ValueError(f"the app-state store at {state.location()} is not a file: nothing to back up")
    return Path(url.database).resolve()


@contextlib.contextmanager
def _private_temp_file(target: Path) -> Iterator[Path]:
    """A new file beside `target`, 0600 from the start, removed unless renamed."""
    fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".partial", dir=target.parent)
    os.close(fd)
    partial = Path(name)
    try:
        yield partial
    finally:
        for leftover in (partial, Path(f"{partial}-journal")):
            leftover.unlink(missing_ok=True)


def _sqlite_online_backup(store_file: Path, partial: Path) -> None:
    if not store_file.is_file():
        raise ValueError(f"the app-state store {store_file} does not exist")
    with (
        contextlib.closing(sqlite3.connect(store_file, timeout=30)) as src,
        contextlib.closing(sqlite3.connect(partial)) as dst,
    ):
        src.backup(dst)  # all pages in one step: one consistent moment
        # the store is in WAL mode; the backup is one self-contained file
        dst.execute("PRAGMA journal_mode=DELETE").fetchall()


def _logical_copy(source: Engine, partial: Path) -> None:
    """Every table of a server store, from one snapshot, into a SQLite file at its revision."""
    dst_engine = create_engine(f"sqlite:///{partial}")
    try:
        with source.connect() as src:
            src.execution_options(isolation_level="REPEATABLE READ", postgresql_readonly=True)
            with src.begin(), dst_engine.begin() as dst:
                revision = migrations.current(src)
                if revision is None:
                    raise ValueError("the app-state store has no schema revision: nothing to back up")
                command.upgrade(migrations.config(dst), revision)
                _copy_tables(src, dst, skip=frozenset())
    finally:
        dst_engine.dispose()


def _copy_tables(src: Connection, dst: Connection, skip: frozenset[str]) -> dict[str, int]:
    """Copies the rows of every table of dst's schema from src, parents
    first; each side reads and writes through its own reflected types."""
    dst_tables, src_tables = MetaData(), MetaData()
    dst_tables.reflect(dst)
    names = [t.name for t in dst_tables.sorted_tables if t.name not in skip and t.name != _VERSION_TABLE]
    src_tables.reflect(src, only=names)
    rows = {}
    for name in names:
        rows[name] = _copy_table(src, src_tables.tables[name], dst, dst_tables.tables[name])
    return rows


def _copy_table(src: Connection, src_table: Table, dst: Connection, dst_table: Table) -> int:
    n = 0
    result = src.execution_options(yield_per=_BATCH).execute(select(src_table))
    for part in result.partitions():
        dst.execute(insert(dst_table), [row._asdict() for row in part])
        n += len(part)
    return n


# ---- restoring -------------------------------------------------------------------------------


def _replace_rows(work: StateStore, state: StateStore) -> dict[str, int]:
    with work.read() as src, state.write() as dst:
        for table in reversed(metadata.sorted_tables):
            dst.execute(delete(table))
        rows = _copy_tables(src, dst, skip=NOT_RESTORED)
        if dst.dialect.name == "postgresql":
            _reset_sequences(dst)
    return rows


def _reset_sequences(conn: Connection) -> None:
    """Rows came with their ids: the next id a sequence gives follows the largest."""
    for table in metadata.sorted_tables:
        column = table.autoincrement_column
        if column is None:
            continue
        conn.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence(:table, :column), "
                f'COALESCE((SELECT max("{column.name}") FROM "{table.name}"), 0) + 1, false)'
            ),
            {"table": table.name, "column": column.name},
        )
