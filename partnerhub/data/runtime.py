"""The long-lived parts one app process holds: settings, snapshot store and
app-state store. Built once by create_app(); reached through `services()`."""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from pathlib import Path

from flask import current_app
from sqlalchemy.engine import make_url

from .settings import Settings
from .snapshots import Snapshot, SnapshotStore
from .state import StateStore

EXTENSION = "partnerhub"

log = logging.getLogger(__name__)


@dataclass
class Services:
    settings: Settings
    snapshots: SnapshotStore
    state: StateStore

    @classmethod
    def build(cls, settings: Settings) -> Services:
        private_sqlite_file(settings.state_url)
        state = StateStore(settings.state_url)
        # every worker upgrades at start; the first one to take the lock migrates
        before, after = state.init_schema()
        if before != after:
            log.info("app-state store %s migrated from %s to %s", state.location(), before or "empty", after)
        snapshots = SnapshotStore(settings.snapshots_dir)
        snapshots.remove_leftovers()  # of imports killed before this start; never a running one's
        return cls(settings, snapshots, state)


def private_sqlite_file(url: str) -> None:
    """Creates the SQLite app-state file 0600 before SQLite does (it would use
    the umask, often world-readable), or tightens one made so earlier. SQLite
    gives its -wal and -shm files the database file's mode."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database or parsed.database.startswith((":", "file:")):
        return
    path = Path(parsed.database)
    if not path.parent.is_dir():
        return
    os.close(os.open(path, os.O_RDONLY | os.O_CREAT, 0o600))
    for part in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        try:
            if part.stat().st_mode & 0o077:
                os.chmod(part, 0o600)
        except FileNotFoundError:
            pass
        except PermissionError:
            log.warning("%s is readable by others and not ours to change (chmod 600 it)", part)


def services() -> Services:
    return current_app.extensions[EXTENSION]


def current_snapshot() -> Snapshot | None:
    """The snapshot this request reads from, fixed at its first use so that an
    import finishing mid-request does not switch data under it."""
    from flask import g, has_request_context

    if not has_request_context():
        return services().snapshots.current()
    if "snapshot" not in g:
        g.snapshot = services().snapshots.current()
    return g.snapshot
