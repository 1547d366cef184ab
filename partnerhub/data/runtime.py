"""The long-lived parts one app process holds: settings, snapshot store and
app-state store. Built once by create_app(); reached through `services()`."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app

from .settings import Settings
from .snapshots import Snapshot, SnapshotStore
from .state import StateStore

EXTENSION = "partnerhub"


@dataclass
class Services:
    settings: Settings
    snapshots: SnapshotStore
    state: StateStore

    @classmethod
    def build(cls, settings: Settings) -> Services:
        state = StateStore(settings.state_url)
        state.init_schema()
        return cls(settings, SnapshotStore(settings.snapshots_dir), state)


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
