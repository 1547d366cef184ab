"""What every metrics function takes and returns.

    fn(ctx: Context, view: View) -> Result

Context: the snapshot (fixed for the request), the app-state store (tags) and
the settings. View: the viewer's scope, the product toggle and the customer
list filters. Result: KPI values keyed by their export names, and a Polars
frame whose export columns carry the export names of spec/metrics.md in the
spec's sort order.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import polars as pl

from partnerhub.data.settings import Settings
from partnerhub.data.snapshots import Snapshot
from partnerhub.data.state import StateStore

TOGGLE_PRODUCTS = ("meetings", "calling")
# The license sections whose customers the list can show (the `segment`
# filter): a section alone means its Meetings or its Calling lines (what the
# headline counts), "<section>:<product>" that product's lines only.
SEGMENT_SECTIONS = ("recently_added", "expiring", "renewing", "low_allocation", "overage")
SEGMENTS = tuple(s for section in SEGMENT_SECTIONS for s in (section, *(f"{section}:{p}" for p in TOGGLE_PRODUCTS)))


@dataclass(frozen=True)
class Filters:
    """Customer-list filters (metrics.md "Customer statuses"). Several values
    of one filter match any of them; different filters combine with AND."""

    managed_by: tuple[str, ...] = ()
    product: tuple[str, ...] = ()
    status: tuple[str, ...] = ()
    subscription_type: tuple[str, ...] = ()
    tag: tuple[str, ...] = ()
    q: str = ""
    needs_attention: bool = False
    # metrics.md "Customer health": the band, and any of the reasons
    health_band: tuple[str, ...] = ()
    reason: tuple[str, ...] = ()
    # the customers of license sections (SEGMENTS): a KPI card's drill-down
    segment: tuple[str, ...] = ()


@dataclass(frozen=True)
class View:
    # None = every customer of the partner; otherwise the ids the viewer may see
    scope: frozenset[str] | None = None
    product: str = "meetings"
    filters: Filters = field(default_factory=Filters)


@dataclass(frozen=True)
class Context:
    snapshot: Snapshot
    state: StateStore
    settings: Settings

    @property
    def as_of(self) -> date:
        return self.snapshot.as_of


@dataclass(frozen=True)
class Result:
    name: str
    as_of: date
    kpis: dict[str, int | float | None]
    frame: pl.DataFrame
    # the columns an export carries, in order; the frame may hold more for the
    # screen (a sparkline's weekly values, say)
    export_columns: tuple[str, ...] = ()

    def export(self) -> pl.DataFrame:
        return self.frame.select(self.export_columns) if self.export_columns else self.frame


def request_context() -> Context | None:
    """The Context of the current request (its fixed snapshot, the stores,
    the settings); None before the first import."""
    from partnerhub.data.runtime import current_snapshot, services

    snap = current_snapshot()
    if snap is None:
        return None
    svc = services()
    return Context(snap, svc.state, svc.settings)
