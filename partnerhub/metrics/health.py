"""Customer health (metrics.md "Customer health"): the `customer_health`
dataset and the `health` KPI group.

Health is computed once per snapshot, for every customer, at import
(data/health_facts.py, table `customer_health`); this module picks the
viewer's rows. A snapshot imported before that table existed is served by
the same SELECT run as a subquery (`source`), so both give the same frame.
The product toggle does not apply; the customer-list filters narrow the
scope as for every dataset (view_query.narrowed_view), and a view that still
carries filters is narrowed here the same way.
"""

from __future__ import annotations

import weakref

import polars as pl

from partnerhub.data import health_facts
from partnerhub.data.snapshots import Snapshot

from . import cache
from .query import cast_columns, scope_sql
from .types import Context, Filters, Result, View

BANDS = ("at_risk", "watch", "healthy")
REASONS = tuple(health_facts.WEIGHTS)  # allocation, usage, usage_trend, engagement, call_quality, renewal
WEIGHTS = dict(health_facts.WEIGHTS)
COMPONENTS = tuple(f"{r}_score" for r in REASONS)

EXPORT_COLUMNS = (
    "customer_id",
    "customer_name",
    "health_score",
    "health_band",
    "reasons",
    "licenses",
    *COMPONENTS,
)
# what the screen needs to say each reason as a sentence with its number (metrics/health_reasons.py)
SUPPORT_COLUMNS = (
    "assigned",
    "used",
    "recent_used",
    "earlier_used",
    "days_since_sign_in",
    "calls",
    "poor_calls",
    "renewal_days",
    "renewal_kind",
    "renewal_end_date",
)
COLUMNS = EXPORT_COLUMNS + SUPPORT_COLUMNS
INT_COLUMNS = (
    "licenses",
    "assigned",
    "used",
    "recent_used",
    "earlier_used",
    "days_since_sign_in",
    "calls",
    "poor_calls",
    "renewal_days",
)
FLOAT_COLUMNS = ("health_score", *COMPONENTS)
TEXT_COLUMNS = ("customer_id", "customer_name", "health_band", "reasons", "renewal_kind")
KPI_NAMES = (
    "scored_customers",
    "at_risk_customers",
    "watch_customers",
    "healthy_customers",
    "average_health_score",
    "licenses_at_risk",
)

_PRECOMPUTED: weakref.WeakKeyDictionary[Snapshot, bool] = weakref.WeakKeyDictionary()


def precomputed(snapshot: Snapshot) -> bool:
    """Whether the snapshot holds `customer_health` (asked once per snapshot)."""
    known = _PRECOMPUTED.get(snapshot)
    if known is None:
        known = snapshot.has_table(health_facts.TABLE)
        _PRECOMPUTED[snapshot] = known
    return known


def source(ctx: Context) -> tuple[str, dict]:
    """What to read health from in a FROM clause, and its parameters: the
    precomputed table, or the same SELECT as a subquery."""
    if precomputed(ctx.snapshot):
        return health_facts.TABLE, {}
    return f"({health_facts.HEALTH_SELECT})", health_facts.params(ctx.as_of)


def health_view(ctx: Context, view: View) -> View:
    """Only the scope matters (shared cache entries); filters still on the
    view narrow it first, as narrowed_view does for every dataset."""
    if view.filters != Filters():
        from .view_query import narrowed_view

        view = narrowed_view(ctx, view.scope, "meetings", view.filters)
    return View(scope=view.scope)


def _kpis(df: pl.DataFrame) -> dict[str, int | float | None]:
    bands = df["health_band"]
    at_risk = df.filter(pl.col("health_band") == "at_risk")
    mean = df["health_score"].mean() if df.height else None
    return {
        "scored_customers": df.height,
        "at_risk_customers": int((bands == "at_risk").sum()),
        "watch_customers": int((bands == "watch").sum()),
        "healthy_customers": int((bands == "healthy").sum()),
        "average_health_score": None if mean is None else float(mean),  # type: ignore[arg-type]
        "licenses_at_risk": int(at_risk["licenses"].sum()) if at_risk.height else 0,
    }


def customer_health(ctx: Context, view: View) -> Result:
    """One row per scored customer in scope (a current meetings or calling
    line of at least one license), lowest health_score first, then most
    licenses, then name and ID. The six components (null where one does not
    apply), health_score (0–100, unrounded), health_band, reasons
    (`;`-joined) and licenses; the frame also carries SUPPORT_COLUMNS.
    KPIs: the `health` group."""
    view = health_view(ctx, view)

    def compute():
        table, params = source(ctx)
        scope, scope_params = scope_sql(view)
        df = ctx.snapshot.frame(
            f"SELECT {', '.join(COLUMNS)} FROM {table} WHERE {scope} ORDER BY {health_facts.ORDER}",
            {**params, **scope_params},
        )
        df = cast_columns(df, ints=INT_COLUMNS, floats=FLOAT_COLUMNS, texts=TEXT_COLUMNS)
        df = df.with_columns(pl.col("renewal_end_date").cast(pl.Date))
        return Result("customer_health", ctx.as_of, _kpis(df), df, EXPORT_COLUMNS)

    return cache.cached(ctx, "customer_health", view, compute)


def health_kpis(ctx: Context, view: View) -> dict:
    """The `health` KPI group (toggle-independent): scored_customers; the
    counts by band; average_health_score (null when none is scored);
    licenses_at_risk = Σ licenses of the at-risk customers."""
    return dict(customer_health(ctx, view).kpis)


def health_row(ctx: Context, view: View, customer_id: str) -> dict | None:
    """The health row of one customer in scope (filters ignored), or None
    when it is not scored or not in scope (the same answer)."""
    df = customer_health(ctx, View(scope=view.scope)).frame
    found = df.filter(pl.col("customer_id") == customer_id)
    return found.row(0, named=True) if found.height else None
