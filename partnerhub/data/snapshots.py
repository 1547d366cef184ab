"""Immutable analytics snapshots and the atomic switch between them.

Layout under PARTNERHUB_HOME/snapshots:
    <id>.duckdb   one complete import, never written again once published
    CURRENT       the id of the snapshot the app serves, replaced atomically

Web workers open snapshots read-only (DuckDB allows many read-only processes
per file); the importer only ever writes a file no reader has seen. A request
takes `store.current()` once and keeps that Snapshot to the end, so an import
finishing mid-request cannot mix old and new data. Every worker notices a new
CURRENT on its next request by a stat, without a restart.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import duckdb
import polars as pl

POINTER = "CURRENT"


@dataclass(frozen=True)
class SnapshotInfo:
    id: str
    as_of: date
    imported_at: datetime
    source: str
    row_counts: dict[str, int]


class Snapshot:
    """One published snapshot, open read-only. Thread-safe: every query runs
    on its own cursor."""

    def __init__(self, snapshot_id: str, path: Path):
        self.id = snapshot_id
        self.path = path
        self._con = duckdb.connect(str(path), read_only=True)
        meta = self._con.cursor().execute("SELECT as_of, imported_at, source FROM meta").fetchall()[0]
        self.as_of: date = meta[0]
        self.imported_at: datetime = meta[1]
        self.source: str = meta[2]

    def cursor(self) -> duckdb.DuckDBPyConnection:
        return self._con.cursor()

    def frame(self, sql: str, params: dict | list | None = None) -> pl.DataFrame:
        """Runs one query with bound parameters and returns an eager Polars frame."""
        cur = self._con.cursor()
        try:
            return cur.sql(sql, params=params).pl()
        finally:
            cur.close()

    def rows(self, sql: str, params: dict | list | None = None) -> list[tuple]:
        cur = self._con.cursor()
        try:
            return cur.execute(sql, params).fetchall()
        finally:
            cur.close()

    def has_table(self, name: str) -> bool:
        return bool(self.rows("SELECT count(*) FROM duckdb_tables() WHERE table_name = ?", [name])[0][0])

    def info(self) -> SnapshotInfo:
        counts = dict(self.rows("SELECT table_name, count FROM row_counts ORDER BY table_name"))
        return SnapshotInfo(self.id, self.as_of, self.imported_at, self.source, counts)

    def close(self) -> None:
        self._con.close()


def _private_folder(directory: Path) -> None:
    """The snapshots folder, 0700 whether created now or by an earlier version."""
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    if directory.stat().st_mode & 0o077:
        os.chmod(directory, 0o700)


class SnapshotStore:
    """Finds the current snapshot and keeps one read-only connection per
    snapshot id in this process."""

    def __init__(self, directory: Path):
        self.directory = Path(directory)
        _private_folder(self.directory)
        self._lock = threading.Lock()
        self._open: dict[str, Snapshot] = {}
        self._pointer_stat: tuple | None = None
        self._current_id: str | None = None

    @property
    def pointer(self) -> Path:
        return self.directory / POINTER

    def current_id(self) -> str | None:
        try:
            st = self.pointer.stat()
        except FileNotFoundError:
            return None
        key = (st.st_mtime_ns, st.st_ino, st.st_size)
        if key != self._pointer_stat:
            self._current_id = self.pointer.read_text().strip() or None
            self._pointer_stat = key
        return self._current_id

    def current(self) -> Snapshot | None:
        sid = self.current_id()
        if sid is None:
            return None
        with self._lock:
            snap = self._open.get(sid)
            if snap is None:
                snap = Snapshot(sid, self.directory / f"{sid}.duckdb")
                self._open[sid] = snap
                self._close_unlisted(keep=sid)
            return snap

    def _close_unlisted(self, keep: str) -> None:
        # a snapshot pruned from disk is closed a full import after it stopped
        # being current: requests still on it have long finished
        on_disk = set(self.ids())
        for sid in list(self._open):
            if sid != keep and sid not in on_disk:
                self._open.pop(sid).close()

    def ids(self) -> list[str]:
        if not self.directory.exists():
            return []
        return sorted(p.stem for p in self.directory.glob("*.duckdb"))

    def publish(self, snapshot_id: str, keep: int) -> None:
        """Makes `snapshot_id` current in one rename, then prunes old files."""
        # customer data: readable by the app's user only (DuckDB creates files by the umask)
        os.chmod(self.directory / f"{snapshot_id}.duckdb", 0o600)
        tmp = self.directory / f".{POINTER}.{os.getpid()}.tmp"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(snapshot_id + "\n")
        os.replace(tmp, self.pointer)
        self.prune(keep, current=snapshot_id)

    def prune(self, keep: int, current: str) -> None:
        old = [sid for sid in self.ids() if sid != current]
        for sid in old[: max(len(old) - keep, 0)]:
            # unlinking is safe for readers that still hold it open (POSIX)
            (self.directory / f"{sid}.duckdb").unlink(missing_ok=True)

    def close(self) -> None:
        with self._lock:
            for snap in self._open.values():
                snap.close()
            self._open.clear()
