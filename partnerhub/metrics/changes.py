"""The change since the previous snapshot (issue 14, "This week"): each KPI
now minus the same KPI in the kept snapshot whose as_of is a week earlier.

Both sides are computed by the same metrics function for the same view, so a
change is always the difference of two numbers the product shows.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import timedelta

from partnerhub.data.snapshots import SnapshotStore

from .types import Context, View

PREVIOUS_DAYS = 7

Number = int | float | None


def previous_context(ctx: Context, store: SnapshotStore | None = None) -> Context | None:
    """The Context of the kept snapshot with as_of == ctx.as_of - 7 (same
    app-state store and settings); None when none is kept. `store` defaults to
    this process's snapshot store."""
    if store is None:
        from partnerhub.data.runtime import services

        store = services().snapshots
    snap = store.kept_with_as_of(ctx.as_of - timedelta(days=PREVIOUS_DAYS))
    if snap is None:
        return None
    return Context(snap, ctx.state, ctx.settings)


def changes(now: Mapping[str, Number], before: Mapping[str, Number] | None) -> dict[str, Number]:
    """now - before for every key of `now`; None for all when there is no
    previous snapshot, and for a key either side lacks or holds None."""
    out: dict[str, Number] = {}
    for key, value in now.items():
        old = before.get(key) if before is not None else None
        out[key] = None if value is None or old is None else value - old
    return out


def week_on_week(
    kpis: Callable[[Context, View], Mapping[str, Number]], ctx: Context, previous: Context | None, view: View
) -> tuple[dict[str, Number], dict[str, Number]]:
    """(a KPI group now, its change since `previous`): the same function on
    both snapshots for the same view (This week and the digest both ask)."""
    now = dict(kpis(ctx, view))
    return now, changes(now, kpis(previous, view) if previous is not None else None)
