"""The work area of one running import, and the removal of those a killed
import left behind.

An import writes `.<id>.building` (the DuckDB file, and its `.wal`) and
spills to `.<id>.building.tmp/`, in the snapshots folder so that publishing
is a rename. It holds an exclusive lock (flock) on `.<id>.building.lock` for
as long as it runs: the kernel drops the lock when the process dies, however
it dies, so a work area whose lock can be taken belongs to no live import
and may be removed, while one being written right now by another process is
left alone.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import time
from pathlib import Path

SUFFIX = ".building"
# a work area without a lock file was left by a version that took no lock:
# removed once it is this old, so an import of that version still running
# during an upgrade keeps its file
UNLOCKED_GRACE_SECONDS = 15 * 60
LEGACY_SPILL = ".tmp"


class Building:
    """`with Building(folder, sid) as work:` holds the lock; on leaving, the
    work area is removed (after a good import, install() has already moved
    the database file out of it)."""

    def __init__(self, directory: Path, sid: str):
        self.directory = Path(directory)
        self.database = self.directory / f".{sid}{SUFFIX}"
        self.spill = self.directory / f".{sid}{SUFFIX}.tmp"
        self.lock = self.directory / f".{sid}{SUFFIX}.lock"
        self._fd: int | None = None

    def __enter__(self) -> Building:
        while True:
            fd = os.open(self.lock, os.O_RDWR | os.O_CREAT, 0o600)
            fcntl.flock(fd, fcntl.LOCK_EX)
            # another process's clean-up may have taken the lock file between
            # our open and our lock, and removed it: lock a fresh one
            if _same_file(fd, self.lock):
                break
            os.close(fd)
        self._fd = fd
        self.spill.mkdir(mode=0o700, exist_ok=True)
        return self

    def __exit__(self, *exc) -> None:
        _remove_area(self.directory, self.database.name)
        self.lock.unlink(missing_ok=True)
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None


def _same_file(fd: int, path: Path) -> bool:
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return False
    mine = os.fstat(fd)
    return (st.st_dev, st.st_ino) == (mine.st_dev, mine.st_ino)


def _remove_area(directory: Path, base: str) -> None:
    """Everything of one work area but its lock."""
    for path in directory.glob(f"{base}*"):
        if path.name == f"{base}.lock":
            continue
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)


def remove_leftovers(directory: Path, now: float | None = None) -> list[str]:
    """Removes the work areas of imports that are no longer running; returns
    the names removed."""
    directory = Path(directory)
    if not directory.is_dir():
        return []
    now = time.time() if now is None else now
    bases = {p.name[: p.name.index(SUFFIX) + len(SUFFIX)] for p in directory.glob(f".*{SUFFIX}*")}
    removed: list[str] = []
    for base in sorted(bases):
        names = sorted(p.name for p in directory.glob(f"{base}*"))
        lock = directory / f"{base}.lock"
        try:
            fd = os.open(lock, os.O_RDWR)
        except FileNotFoundError:
            if _newest_change(directory, base) > now - UNLOCKED_GRACE_SECONDS:
                continue
            _remove_area(directory, base)
            removed += names
            continue
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                continue  # a live import
            if not _same_file(fd, lock):
                continue  # another clean-up got there first
            _remove_area(directory, base)
            lock.unlink(missing_ok=True)
            removed += names
        finally:
            os.close(fd)
    removed += _remove_legacy_spill(directory, now)
    return removed


def _newest_change(directory: Path, base: str) -> float:
    newest = 0.0
    for path in directory.glob(f"{base}*"):
        with contextlib.suppress(FileNotFoundError):
            newest = max(newest, path.stat().st_mtime)
    return newest


def _remove_legacy_spill(directory: Path, now: float) -> list[str]:
    """The spill folder every import shared before each had its own."""
    folder = directory / LEGACY_SPILL
    if not folder.is_dir() or folder.is_symlink():
        return []
    removed = []
    for path in folder.iterdir():
        try:
            if path.is_file() and path.stat().st_mtime < now - UNLOCKED_GRACE_SECONDS:
                path.unlink()
                removed.append(f"{LEGACY_SPILL}/{path.name}")
        except FileNotFoundError:
            pass
    with contextlib.suppress(OSError):  # not empty: a spill younger than the grace period
        folder.rmdir()
    return removed
