"""Immutable analytics snapshots and the atomic switch between them.

Layout under PARTNERHUB_HOME/snapshots:
    <id>.duckdb   one complete import, never written again once published
    <id>.sha256   its checksum, recorded at import (data/snapshot_integrity.py)
    CURRENT       the id of the snapshot the app serves, replaced atomically

Web workers open snapshots read-only (DuckDB allows many read-only processes
per file); the importer only ever writes a file no reader has seen. A request
takes `store.current()` once and keeps that Snapshot to the end, so an import
finishing mid-request cannot mix old and new data. Every worker notices a new
CURRENT on its next request by a stat, without a restart.

A snapshot is checked (checksum, then DuckDB reading its meta) the first time
a process opens it. When the current one is damaged it is set aside and the
newest good snapshot older than it is served instead, in every process, until
an import succeeds; `health()` says so, for the Administration page and
`data status`. CURRENT itself is never rewritten here: only an import moves it.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import threading
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import duckdb
import polars as pl

from . import snapshot_integrity as integrity
from .building import Building, remove_leftovers
from .snapshot_integrity import Damaged, SetAside

POINTER = "CURRENT"
SNAPSHOT_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,99}")

log = logging.getLogger(__name__)


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
        try:
            meta = self._con.cursor().execute("SELECT as_of, imported_at, source FROM meta").fetchall()[0]
        except BaseException:
            self._con.close()
            raise
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


def open_checked(snapshot_id: str, path: Path) -> Snapshot:
    """Opens a snapshot after checking it is the file imported. Raises
    Damaged, or OSError when the file is missing or cannot be read."""
    os.stat(path)  # a missing file is not a damaged one
    integrity.check_checksum(path)
    try:
        return Snapshot(snapshot_id, path)
    except duckdb.Error as e:
        raise Damaged(integrity.duckdb_reason(e)) from e
    except IndexError as e:
        raise Damaged("its meta table is empty") from e


@dataclass(frozen=True)
class Health:
    """What the app serves, against what CURRENT names."""

    pointer_id: str | None  # the snapshot CURRENT names (None: no usable CURRENT)
    serving: Snapshot | None
    pointer_problem: str | None  # CURRENT itself is missing or unreadable while snapshots exist
    set_aside: tuple[SetAside, ...]  # snapshots newer than the one served that could not be used

    @property
    def degraded(self) -> bool:
        return bool(self.pointer_problem or self.set_aside)


@dataclass(frozen=True)
class Verdict:
    """`data verify`'s finding for one snapshot."""

    id: str
    current: bool
    problem: str | None  # None: ok
    note: str = ""


class SnapshotStore:
    """Finds the snapshot to serve and keeps one read-only connection per
    snapshot id in this process."""

    def __init__(self, directory: Path):
        self.directory = Path(directory)
        _private_folder(self.directory)
        self._lock = threading.Lock()
        self._open: dict[str, Snapshot] = {}
        self._pointer_stat: tuple | None = None
        self._current_id: str | None = None
        self._pointer_problem: str | None = None
        # (what CURRENT said, the snapshot served for it): resolved once per
        # CURRENT in this process, so a damaged one is checked only once
        self._serving: tuple[str | None, Snapshot | None] | None = None
        # as_of of each kept snapshot, read once per id (a snapshot never
        # changes); None when its meta could not be read
        self._as_of: dict[str, date | None] = {}

    @property
    def pointer(self) -> Path:
        return self.directory / POINTER

    def path(self, snapshot_id: str) -> Path:
        return self.directory / f"{snapshot_id}.duckdb"

    def current_id(self) -> str | None:
        """The id CURRENT names; None when there is none or it is unreadable."""
        try:
            st = self.pointer.stat()
        except FileNotFoundError:
            self._pointer_stat = None
            self._current_id = None
            self._pointer_problem = f"{POINTER} is missing" if self.ids() else None
            return None
        key = (st.st_mtime_ns, st.st_ino, st.st_size)
        if key != self._pointer_stat:
            self._current_id, self._pointer_problem = self._read_pointer()
            self._pointer_stat = key
        return self._current_id

    def _read_pointer(self) -> tuple[str | None, str | None]:
        try:
            text = self.pointer.read_bytes()[:200].decode("utf-8").strip()
        except OSError as e:
            return None, f"{POINTER} cannot be read: {e.strerror or e}"
        except UnicodeDecodeError:
            text = "\ufffd"
        if SNAPSHOT_ID.fullmatch(text):
            return text, None
        if not text and not self.ids():
            return None, None
        return None, f"{POINTER} does not name a snapshot"

    def current(self) -> Snapshot | None:
        """The snapshot to serve: the one CURRENT names when it is good, else
        the newest good one before it; None when there is none."""
        pointer = self.current_id()
        with self._lock:
            if self._serving is not None and self._serving[0] == pointer:
                return self._serving[1]
            snap = self._resolve(pointer)
            self._serving = (pointer, snap)
            if snap is not None:
                self._close_unlisted(keep=snap.id)
            return snap

    def _resolve(self, pointer: str | None) -> Snapshot | None:
        candidates = self.ids()
        if pointer is not None:
            snap = self._try_open(pointer)
            if snap is not None:
                return snap
            candidates = [sid for sid in candidates if sid < pointer]
        elif self._pointer_problem is None:
            return None  # nothing published yet
        for sid in reversed(candidates):
            snap = self._try_open(sid)
            if snap is not None:
                log.warning("serving snapshot %s instead of %s", sid, pointer or POINTER)
                return snap
        return None

    def _try_open(self, sid: str) -> Snapshot | None:
        snap = self._open.get(sid)
        if snap is not None:
            return snap
        path = self.path(sid)
        try:
            snap = open_checked(sid, path)
        except Damaged as e:
            self._set_aside(sid, str(e))
            return None
        except FileNotFoundError:
            if not (self.directory / f"{sid}{integrity.RECORD}").exists():
                integrity.write_record(self.directory, sid, f"{path.name} is missing", moved=False)
            return None
        except OSError as e:
            # no permission, an I/O error: not proof the file is bad, so it
            # stays where it is and is tried again by the next process
            log.error("snapshot %s cannot be read: %s", sid, e)
            integrity.write_record(self.directory, sid, f"cannot be read: {e.strerror or e}", moved=False)
            return None
        self._open[sid] = snap
        # good after all (another process could not read it, or it was restored)
        (self.directory / f"{sid}{integrity.RECORD}").unlink(missing_ok=True)
        return snap

    def _set_aside(self, sid: str, reason: str) -> None:
        log.error("snapshot %s is damaged (%s): set aside", sid, reason)
        with contextlib.suppress(FileNotFoundError):  # another process set it aside first
            os.replace(self.path(sid), self.directory / f"{sid}{integrity.SET_ASIDE}")
        integrity.write_record(self.directory, sid, reason, moved=True)

    def kept_with_as_of(self, as_of: date) -> Snapshot | None:
        """The newest kept snapshot whose as_of is `as_of`, open read-only and
        checked like the one served (the connection stays open with the
        others); None when none is kept. For "the change since the previous
        snapshot" (metrics/changes.py)."""
        for sid in reversed(self.ids()):
            if self._as_of_of(sid) != as_of:
                continue
            with self._lock:
                snap = self._try_open(sid)
            if snap is not None:
                return snap
        return None

    def kept(self, snapshot_id: str) -> Snapshot | None:
        """The kept snapshot with this id, open read-only and checked like
        the one served; None when it is no longer kept (pruned, set aside).
        For the alert rules' "since the rule's previous evaluation"."""
        if not SNAPSHOT_ID.fullmatch(snapshot_id) or not self.path(snapshot_id).is_file():
            return None
        with self._lock:
            return self._try_open(snapshot_id)

    def _as_of_of(self, sid: str) -> date | None:
        with self._lock:
            if sid in self._as_of:
                return self._as_of[sid]
            opened = self._open.get(sid)
        if opened is not None:
            value: date | None = opened.as_of
        else:
            # only the meta row, without the checksum of the whole file:
            # the one that matches is checked when it is opened
            try:
                con = duckdb.connect(str(self.path(sid)), read_only=True)
            except (duckdb.Error, OSError):
                return None  # pruned, set aside or unreadable: not remembered, asked again
            try:
                row = con.execute("SELECT as_of FROM meta").fetchone()
                value = row[0] if row else None
            except duckdb.Error:
                value = None
            finally:
                con.close()
        with self._lock:
            self._as_of[sid] = value
        return value

    def health(self) -> Health:
        snap = self.current()
        newer = tuple(r for r in integrity.read_records(self.directory) if snap is None or r.id > snap.id)
        return Health(self.current_id(), snap, self._pointer_problem, newer)

    def verify(self) -> list[Verdict]:
        """Checks every kept snapshot in full (its checksum, every table);
        moves nothing. CURRENT naming a snapshot that is gone is a finding too."""
        pointer = self.current_id()
        out = []
        for sid in self.ids():
            try:
                note = integrity.check_in_full(self.path(sid))
                out.append(Verdict(sid, sid == pointer, None, note))
            except Damaged as e:
                out.append(Verdict(sid, sid == pointer, str(e)))
            except FileNotFoundError:
                continue  # pruned while we looked
            except OSError as e:
                out.append(Verdict(sid, sid == pointer, f"cannot be read: {e.strerror or e}"))
        if pointer is not None and pointer not in {v.id for v in out}:
            record = next((r for r in integrity.read_records(self.directory) if r.id == pointer), None)
            why = f"set aside: {record.reason}" if record else f"{self.path(pointer).name} is missing"
            out.append(Verdict(pointer, True, why))
        if self._pointer_problem:
            out.append(Verdict(POINTER, True, self._pointer_problem))
        return out

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
        return sorted(p.stem for p in self.directory.glob("*.duckdb") if not p.name.startswith("."))

    def building(self, snapshot_id: str) -> Building:
        """The locked work area an import writes `snapshot_id` in."""
        return Building(self.directory, snapshot_id)

    def remove_leftovers(self) -> list[str]:
        """Removes what killed imports left behind (never a running import's files)."""
        removed = remove_leftovers(self.directory)
        if removed:
            log.info("removed leftovers of killed imports: %s", ", ".join(removed))
        return removed

    def install(self, snapshot_id: str, built: Path) -> None:
        """Records the checksum of a finished file, then moves it into place
        (not yet current: publish() does that)."""
        # customer data: readable by the app's user only (DuckDB creates files by the umask)
        os.chmod(built, 0o600)
        final = self.path(snapshot_id)
        integrity.write_manifest(final, integrity.file_sha256(built))
        os.replace(built, final)

    def publish(self, snapshot_id: str, keep: int) -> None:
        """Makes `snapshot_id` current in one rename, then prunes old files."""
        os.chmod(self.path(snapshot_id), 0o600)
        integrity.write_private(self.pointer, snapshot_id + "\n")
        self.prune(keep, current=snapshot_id)

    def prune(self, keep: int, current: str) -> None:
        old = [sid for sid in self.ids() if sid != current]
        for sid in old[: max(len(old) - keep, 0)]:
            # unlinking is safe for readers that still hold it open (POSIX)
            self.path(sid).unlink(missing_ok=True)
        kept = [current, *old[max(len(old) - keep, 0) :]]
        oldest = min(kept)
        # checksums of pruned snapshots, and damaged ones set aside before
        # every kept snapshot: a newer one may belong to an import under way
        for suffix in (integrity.MANIFEST, integrity.SET_ASIDE, integrity.RECORD):
            for path in self.directory.glob(f"*{suffix}"):
                sid = path.name.removesuffix(suffix)
                if sid < oldest and sid not in kept and not path.name.startswith("."):
                    path.unlink(missing_ok=True)

    def close(self) -> None:
        with self._lock:
            for snap in self._open.values():
                snap.close()
            self._open.clear()
            self._serving = None
