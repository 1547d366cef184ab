"""How many heavy exports may run at once: per user, across the worker
processes of this node, and per worker process.

A heavy export (every XLSX; a CSV or Parquet file of more than HEAVY_CELLS
cells) holds a response thread and a writer for seconds; without a bound one
user looping downloads takes every writer and every thread. A request over
a bound is refused at once (429 with Retry-After), never queued: a queue
would only move the wait into the response threads the pages need.

The per-user bound holds across the gunicorn workers of one node: each of a
user's slots is an flock()ed file under PARTNERHUB_HOME/locks, which the
operating system frees when the holder closes it or its process dies, so a
killed worker never leaks a slot. The per-process bound is a counter.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

try:
    import fcntl
except ImportError:  # not POSIX: the per-user bound counts this process only
    fcntl = None  # type: ignore[assignment]

# rows × columns above which a CSV or Parquet file counts as heavy: 20,000
# customers' list (~500,000 cells) is not, a year of weekly lines of 100,000
# customers is
HEAVY_CELLS = 1_000_000
# a 20,000-row XLSX takes a few seconds to write; asking again sooner only
# gets another refusal
RETRY_AFTER_SECONDS = 5


def is_heavy(fmt: str, rows: int, columns: int) -> bool:
    return fmt == "xlsx" or rows * columns > HEAVY_CELLS


@dataclass
class ExportsBusy(Exception):
    """Over a bound: `limit` is "per_user" or "per_process", `allowed` its value."""

    limit: str
    allowed: int
    retry_after: int = RETRY_AFTER_SECONDS


class Slot:
    """One running heavy export; release() is safe to call more than once
    and from any thread (the response's close and a finalizer both call it)."""

    def __init__(self, *releases: Callable[[], None]):
        self._releases = releases
        self._lock = threading.Lock()
        self._held = True

    @property
    def held(self) -> bool:
        return self._held

    def release(self) -> None:
        with self._lock:
            if not self._held:
                return
            self._held = False
        for release in self._releases:
            release()


class ExportSlots:
    def __init__(self, per_user: int, per_process: int, lock_dir: Path):
        if per_user < 1 or per_process < 1:
            raise ValueError("export bounds must be at least 1")
        self.per_user = per_user
        self.per_process = per_process
        self._users = _UserLocks(per_user, lock_dir)
        self._mutex = threading.Lock()
        self._running = 0

    def acquire(self, user_id: int) -> Slot:
        """A slot for one heavy export of this user, or ExportsBusy."""
        release_user = self._users.acquire(user_id)
        if release_user is None:
            raise ExportsBusy("per_user", self.per_user)
        with self._mutex:
            full = self._running >= self.per_process
            if not full:
                self._running += 1
        if full:
            release_user()
            raise ExportsBusy("per_process", self.per_process)
        return Slot(release_user, self._end_one)

    def running(self) -> int:
        """Heavy exports running in this process now."""
        return self._running

    def _end_one(self) -> None:
        with self._mutex:
            self._running -= 1


class _UserLocks:
    """`per_user` lock files per user; holding any free one is a slot."""

    def __init__(self, per_user: int, lock_dir: Path):
        self.per_user = per_user
        self.lock_dir = lock_dir
        # this process's count, which is the whole bound where flock() is missing
        self._mutex = threading.Lock()
        self._counts: dict[int, int] = {}

    def acquire(self, user_id: int) -> Callable[[], None] | None:
        """The function that frees the user's slot, or None when all are taken."""
        with self._mutex:
            if self._counts.get(user_id, 0) >= self.per_user:
                return None
            self._counts[user_id] = self._counts.get(user_id, 0) + 1
        fd = None
        if fcntl is not None:
            try:
                fd = self._lock_a_file(user_id)
            finally:
                if fd is None:
                    self._uncount(user_id)
            if fd is None:
                return None

        def release() -> None:
            if fd is not None:
                os.close(fd)  # closing the descriptor frees its flock
            self._uncount(user_id)

        return release

    def _uncount(self, user_id: int) -> None:
        with self._mutex:
            left = self._counts.get(user_id, 0) - 1
            if left > 0:
                self._counts[user_id] = left
            else:
                self._counts.pop(user_id, None)

    def _lock_a_file(self, user_id: int) -> int | None:
        """The descriptor of a free lock file of this user, now locked, or
        None when other processes hold all of them."""
        self.lock_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        for n in range(self.per_user):
            path = self.lock_dir / f"export-user-{user_id}.{n}.lock"
            fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(fd)
                continue
            except BaseException:
                os.close(fd)
                raise
            return fd
        return None
