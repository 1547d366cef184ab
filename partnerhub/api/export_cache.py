"""Finished export files, kept on disk and shared by every worker process of
a node.

A snapshot never changes, so the file of one (snapshot, scope, view, app-state
version, metric settings, format) is the same file for anyone who asks for it
again: the first asker writes it, later ones get it from disk at once. The
scope is part of the key, so a user never gets a file of customers they may
not see. Nothing in an export is translated (column names are the spec's),
so the language is not.

Layout, under PARTNERHUB_HOME/exports:
    <snapshot id>/<key>.<fmt>       a finished file (its mtime: last used)
    <snapshot id>/<key>.lock        flock()ed by the one process writing it
    <snapshot id>/<key>.failed      why the last attempt failed (JSON)
    <snapshot id>/.<key>.<rand>.tmp a file being written, renamed when done

The builder holds the lock file with flock(), which the operating system
frees when the holder's process dies, so a killed worker never leaves a key
"in progress" for ever. Lock files are never unlinked while their folder
lives (unlinking one another process has just opened would let two builders
in). The whole cache is bounded in bytes: after each new file the least
recently used files go first, and folders of snapshots that are gone are
removed whole.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import shutil
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

try:
    import fcntl
except ImportError:  # not POSIX: one builder per process, no cross-process lock
    fcntl = None  # type: ignore[assignment]

log = logging.getLogger(__name__)

FILE_SUFFIXES = (".csv", ".xlsx", ".parquet")
# bumped when a writer changes what it writes, so older files are not served
WRITER_VERSION = 1


@dataclass(frozen=True)
class ExportKey:
    snapshot_id: str
    digest: str
    fmt: str


def export_key(snapshot_id: str, fmt: str, *parts) -> ExportKey:
    """The key of one file: `parts` are anything the file's content depends
    on besides the snapshot and the format, in a JSON-able form that is the
    same in every process (sort sets first)."""
    text = json.dumps([WRITER_VERSION, snapshot_id, fmt, *parts], sort_keys=True, default=str)
    return ExportKey(snapshot_id, hashlib.sha256(text.encode()).hexdigest()[:40], fmt)


class Claim:
    """The right to write one key's file: held until release()."""

    def __init__(self, cache: ExportCache, key: ExportKey, fd: int | None):
        self.cache = cache
        self.key = key
        self._fd = fd

    def write(self, build: Callable[[str], None]) -> BinaryIO:
        """`build(path)` writes the file at a temporary path; it is then
        renamed into place and returned open at its start. Any failure
        leaves no file behind."""
        final = self.cache.path(self.key)
        fd, temp = tempfile.mkstemp(prefix=f".{self.key.digest}.", suffix=".tmp", dir=final.parent)
        os.close(fd)
        try:
            build(temp)
            os.replace(temp, final)
        except BaseException:
            _unlink(Path(temp))
            raise
        file = open(final, "rb")  # noqa: SIM115 -- the caller streams and closes it
        _unlink(self.cache.failed_path(self.key))
        self.cache.trim(keep=final)
        return file

    def fail(self, reason: str, **details) -> None:
        """Records why it failed, for the status of the key (export_jobs)."""
        with contextlib.suppress(OSError):
            self.cache.failed_path(self.key).write_text(json.dumps({"reason": reason, **details}))

    def release(self) -> None:
        fd, self._fd = self._fd, None
        if fd is not None:
            os.close(fd)  # frees the flock
        self.cache._unclaim(self.key)


class ExportCache:
    def __init__(self, directory: Path, max_bytes: int, live_snapshots: Callable[[], Iterable[str]] | None = None):
        self.directory = directory
        self.max_bytes = max_bytes
        self._live_snapshots = live_snapshots
        # keys claimed in this process where flock() is missing
        self._claimed: set[ExportKey] = set()

    def path(self, key: ExportKey) -> Path:
        return self.directory / key.snapshot_id / f"{key.digest}.{key.fmt}"

    def failed_path(self, key: ExportKey) -> Path:
        return self.directory / key.snapshot_id / f"{key.digest}.{key.fmt}.failed"

    def _lock_path(self, key: ExportKey) -> Path:
        return self.directory / key.snapshot_id / f"{key.digest}.{key.fmt}.lock"

    def open(self, key: ExportKey) -> BinaryIO | None:
        """The finished file open at its start, or None."""
        path = self.path(key)
        try:
            file = open(path, "rb")  # noqa: SIM115 -- the caller streams and closes it
        except FileNotFoundError:
            return None
        with contextlib.suppress(OSError):
            os.utime(path)  # recently used: evicted last
        return file

    def claim(self, key: ExportKey) -> Claim | None:
        """The builder's lock of `key`, or None while another holds it."""
        folder = self.directory / key.snapshot_id
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        if fcntl is None:
            if key in self._claimed:
                return None
            self._claimed.add(key)
            return Claim(self, key, None)
        fd = os.open(self._lock_path(key), os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return None
        except BaseException:
            os.close(fd)
            raise
        # a killed builder's half-written file
        for leftover in folder.glob(f".{key.digest}.*.tmp"):
            _unlink(leftover)
        return Claim(self, key, fd)

    def _unclaim(self, key: ExportKey) -> None:
        self._claimed.discard(key)

    def building(self, key: ExportKey) -> bool:
        """Whether some process holds the key's lock now."""
        if fcntl is None:
            return key in self._claimed
        try:
            fd = os.open(self._lock_path(key), os.O_RDWR)
        except FileNotFoundError:
            return False
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        finally:
            os.close(fd)  # also frees the shared lock just taken
        return False

    def wait(self, key: ExportKey) -> None:
        """Returns once no process is writing `key` (waits without the GIL)."""
        if fcntl is None:
            return
        try:
            fd = os.open(self._lock_path(key), os.O_RDWR)
        except FileNotFoundError:
            return
        try:
            fcntl.flock(fd, fcntl.LOCK_SH)
        finally:
            os.close(fd)

    def failure(self, key: ExportKey) -> dict | None:
        """Why the last attempt at `key` failed ({"reason": …, details}), or None."""
        try:
            found = json.loads(self.failed_path(key).read_text())
        except (OSError, ValueError):
            return None
        return found if isinstance(found, dict) and "reason" in found else None

    def get_or_build(self, key: ExportKey, build: Callable[[str], None]) -> BinaryIO:
        """The file of `key`: from disk, or written now by `build(path)`; when
        another process is writing it, waits for that one instead of writing
        it twice."""
        while True:
            file = self.open(key)
            if file is not None:
                return file
            claim = self.claim(key)
            if claim is None:
                self.wait(key)
                file = self.open(key)
                if file is not None:
                    return file
                # the other builder failed: this request tries itself
                claim = self.claim(key)
                if claim is None:
                    continue
            try:
                file = self.open(key)  # written between our look and our claim
                return file if file is not None else claim.write(build)
            finally:
                claim.release()

    def trim(self, keep: Path | None = None) -> None:
        """Removes folders of snapshots that are gone, then the least recently
        used files until the rest fit in max_bytes; never `keep`, the file
        just written (its asker is yet to fetch it), even when it alone is
        over the bound."""
        if not self.directory.exists():
            return
        live = set(self._live_snapshots()) if self._live_snapshots is not None else None
        files: list[tuple[float, int, Path]] = []
        for folder in self.directory.iterdir():
            if not folder.is_dir():
                continue
            if live is not None and folder.name not in live:
                shutil.rmtree(folder, ignore_errors=True)
                continue
            for path in folder.iterdir():
                if path.suffix not in FILE_SUFFIXES or path.name.startswith("."):
                    continue
                with contextlib.suppress(FileNotFoundError):
                    st = path.stat()
                    files.append((st.st_mtime, st.st_size, path))
        total = sum(size for _mtime, size, _path in files)
        for _mtime, size, path in sorted(files):
            if total <= self.max_bytes:
                break
            if path == keep:
                continue
            # a reader that has it open keeps reading it (POSIX)
            _unlink(path)
            total -= size

    def size(self) -> int:
        """Bytes of finished files now in the cache."""
        total = 0
        for path in self.directory.glob("*/*"):
            if path.suffix in FILE_SUFFIXES and not path.name.startswith("."):
                with contextlib.suppress(FileNotFoundError):  # evicted meanwhile
                    total += path.stat().st_size
        return total

    def clear(self) -> None:
        shutil.rmtree(self.directory, ignore_errors=True)


def _unlink(path: Path) -> None:
    with contextlib.suppress(FileNotFoundError):
        path.unlink()
