"""Webex Calling sections (metrics.md "Webex Calling"): usage, call quality,
advanced features and call queues of the customers in scope.

None of these depends on the product toggle or the customer-list filters.
"The latest week" is the week that starts as_of - 7; the trends cover the 8
weeks ending with it. Each section reads the calling tables precomputed at
import (data/calling_facts.py), where every per-customer column is already
computed; a snapshot imported before those tables existed is served from the
imported tables instead (calling_legacy.py), with the same results.
"""

from __future__ import annotations

import weakref

import polars as pl

from partnerhub.data import calling_facts
from partnerhub.data.calling_facts import TREND_WEEKS
from partnerhub.data.contract import ENDPOINT_TYPES, FEATURES
from partnerhub.data.snapshots import Snapshot

from . import cache
from .query import cast_columns, ratio, ratio_value, scope_sql, weeks_ending_latest
from .types import Context, Result, View

# whether a snapshot holds the precomputed calling tables: asked once per
# snapshot (a snapshot never changes), forgotten with it
_PRECOMPUTED: weakref.WeakKeyDictionary[Snapshot, bool] = weakref.WeakKeyDictionary()


def precomputed(snapshot: Snapshot) -> bool:
    known = _PRECOMPUTED.get(snapshot)
    if known is None:
        known = all(snapshot.has_table(t) for t in calling_facts.TABLES)
        _PRECOMPUTED[snapshot] = known
    return known


def calling_view(view: View) -> View:
    """Only the scope matters to the calling sections (shared cache entries)."""
    return View(scope=view.scope)


def text_columns(df: pl.DataFrame) -> pl.DataFrame:
    return cast_columns(df, texts=("customer_id", "customer_name"))


def _select(ctx: Context, view: View, table: str, columns: tuple[str, ...], order: str) -> pl.DataFrame:
    """The viewer's rows of a per-customer table, in the section's order."""
    scope, params = scope_sql(view)
    return ctx.snapshot.frame(f"SELECT {', '.join(columns)} FROM {table} WHERE {scope} ORDER BY {order}", params)


def _legacy(name: str, ctx: Context, view: View) -> Result:
    from . import calling_legacy

    return getattr(calling_legacy, name)(ctx, view)


# ---- calling usage ---------------------------------------------------------------------------

USAGE_TREND_COLUMNS = ("week_start", "active_users", "inactive_users", "calls")


def calling_usage_trend(ctx: Context, view: View) -> Result:
    """Per week of the last 8. active_users: Users who placed at least one
    call in the week. inactive_users: Users with a calling license who placed
    no call in the week. calls: Calls placed in the week."""
    view = calling_view(view)

    def compute():
        if not precomputed(ctx.snapshot):
            return _legacy("calling_usage_trend", ctx, view)
        scope, params = scope_sql(view)
        sql = f"""
        WITH weeks AS (SELECT unnest($weeks::DATE[]) AS week_start),
        u AS (SELECT week_start, sum(active_users) AS active_users, sum(inactive_users) AS inactive_users,
                     sum(calls) AS calls
              FROM calling_weeks WHERE {scope} GROUP BY week_start)
        SELECT w.week_start,
               coalesce(u.active_users, 0)::BIGINT AS active_users,
               coalesce(u.inactive_users, 0)::BIGINT AS inactive_users,
               coalesce(u.calls, 0)::BIGINT AS calls
        FROM weeks w LEFT JOIN u ON u.week_start = w.week_start
        ORDER BY w.week_start
        """
        df = ctx.snapshot.frame(sql, {**params, "weeks": weeks_ending_latest(ctx, TREND_WEEKS)})
        df = cast_columns(df, ints=USAGE_TREND_COLUMNS[1:]).with_columns(pl.col("week_start").cast(pl.Date))
        return Result("calling_usage_trend", ctx.as_of, {}, df, USAGE_TREND_COLUMNS)

    return cache.cached(ctx, "calling_usage_trend", view, compute)


USAGE_COLUMNS = (
    "customer_id",
    "customer_name",
    "licensed_users",
    "active_users",
    "active_ratio",
    "calls",
    "minutes",
    "active_users_change_ratio",
    "calls_trend",
)


def calling_usage(ctx: Context, view: View) -> Result:
    """One row per customer with calling usage in the latest week, most calls
    first. active_ratio: Active users as a share of licensed users.
    active_users_change_ratio: Change in active users since the week before,
    as a share of the week before. calls_trend: Up when the average weekly
    calls of the last 4 weeks are more than 10 % above those of the 4 weeks
    before, down when more than 10 % below, flat otherwise; empty when either
    period has no data or there were no calls in the earlier one."""
    view = calling_view(view)

    def compute():
        if not precomputed(ctx.snapshot):
            return _legacy("calling_usage", ctx, view)
        df = _select(
            ctx,
            view,
            "calling_customers",
            (*USAGE_COLUMNS, "calls_sparkline"),
            "calls DESC, customer_name, customer_id",
        )
        df = cast_columns(
            text_columns(df),
            ints=("licensed_users", "active_users", "calls"),
            floats=("active_ratio", "minutes", "active_users_change_ratio"),
            texts=("calls_trend",),
        ).with_columns(pl.col("calls_sparkline").cast(pl.List(pl.Int64)))
        return Result("calling_usage", ctx.as_of, {}, df, USAGE_COLUMNS)

    return cache.cached(ctx, "calling_usage", view, compute)


# ---- call quality -----------------------------------------------------------------------------

QUALITY_TREND_COLUMNS = ("week_start", "calls", "poor_calls", "poor_ratio")


def call_quality_trend(ctx: Context, view: View) -> Result:
    """Per week of the last 8: calls, poor_calls (calls rated poor quality)
    and poor_ratio (Poor calls as a share of all calls)."""
    view = calling_view(view)

    def compute():
        if not precomputed(ctx.snapshot):
            return _legacy("call_quality_trend", ctx, view)
        scope, params = scope_sql(view)
        sql = f"""
        WITH weeks AS (SELECT unnest($weeks::DATE[]) AS week_start),
        q AS (SELECT week_start, sum(quality_calls) AS calls, sum(poor_calls) AS poor_calls
              FROM calling_weeks WHERE {scope} GROUP BY week_start)
        SELECT w.week_start, coalesce(q.calls, 0)::BIGINT AS calls, coalesce(q.poor_calls, 0)::BIGINT AS poor_calls
        FROM weeks w LEFT JOIN q ON q.week_start = w.week_start
        ORDER BY w.week_start
        """
        df = ctx.snapshot.frame(sql, {**params, "weeks": weeks_ending_latest(ctx, TREND_WEEKS)})
        df = cast_columns(df, ints=("calls", "poor_calls")).with_columns(
            pl.col("week_start").cast(pl.Date), poor_ratio=ratio(pl.col("poor_calls"), pl.col("calls"))
        )
        return Result("call_quality_trend", ctx.as_of, {}, df.select(QUALITY_TREND_COLUMNS), QUALITY_TREND_COLUMNS)

    return cache.cached(ctx, "call_quality_trend", view, compute)


ENDPOINT_COLUMNS = ("endpoint_type", "calls", "poor_calls", "poor_ratio")


def call_quality_by_endpoint(ctx: Context, view: View) -> Result:
    """Latest week, per kind of endpoint (desk phone, Webex App, ...): calls,
    calls rated poor, and their share."""
    view = calling_view(view)

    def compute():
        if not precomputed(ctx.snapshot):
            return _legacy("call_quality_by_endpoint", ctx, view)
        scope, params = scope_sql(view)
        sql = f"""
        SELECT endpoint_type, sum(calls)::BIGINT AS calls, sum(poor_calls)::BIGINT AS poor_calls
        FROM call_quality_endpoints WHERE {scope}
        GROUP BY endpoint_type ORDER BY list_position($order::VARCHAR[], endpoint_type)
        """
        df = ctx.snapshot.frame(sql, {**params, "order": list(ENDPOINT_TYPES)})
        df = cast_columns(df, ints=("calls", "poor_calls"), texts=("endpoint_type",)).with_columns(
            poor_ratio=ratio(pl.col("poor_calls"), pl.col("calls"))
        )
        return Result("call_quality_by_endpoint", ctx.as_of, {}, df.select(ENDPOINT_COLUMNS), ENDPOINT_COLUMNS)

    return cache.cached(ctx, "call_quality_by_endpoint", view, compute)


# ranked by impact (metrics.md): the most poor calls first, so that one bad
# call out of two does not outrank twenty out of two hundred
QUALITY_ORDER = "poor_calls DESC NULLS LAST, poor_ratio DESC NULLS LAST, customer_name, customer_id"
QUALITY_SORT = (["poor_calls", "poor_ratio", "customer_name", "customer_id"], [True, True, False, False])
QUALITY_COLUMNS = (
    "customer_id",
    "customer_name",
    "calls",
    "poor_calls",
    "poor_ratio",
    "poor_ratio_change",
    "worst_endpoint_type",
)


def call_quality(ctx: Context, view: View) -> Result:
    """One row per customer with call-quality data in the latest week, the
    most poor calls first, then the highest poor_ratio. poor_ratio: Poor
    calls as a share of all calls. poor_ratio_change: The share of poor calls
    now minus the share a week earlier.
    worst_endpoint_type: The kind of device or app with the highest share of
    poor calls, among those with at least 10 calls in the week."""
    view = calling_view(view)

    def compute():
        if not precomputed(ctx.snapshot):
            return _legacy("call_quality", ctx, view)
        df = _select(
            ctx,
            view,
            "call_quality_customers",
            QUALITY_COLUMNS,
            QUALITY_ORDER,
        )
        df = cast_columns(
            text_columns(df),
            ints=("calls", "poor_calls"),
            floats=("poor_ratio", "poor_ratio_change"),
            texts=("worst_endpoint_type",),
        )
        return Result("call_quality", ctx.as_of, {}, df, QUALITY_COLUMNS)

    return cache.cached(ctx, "call_quality", view, compute)


# ---- advanced features and call queues -----------------------------------------------------------

FEATURE_COLUMNS = ("feature", "calls")


def calling_features(ctx: Context, view: View) -> Result:
    """Latest week, customers that have call queues: calls that used each
    advanced calling feature, most used first."""
    view = calling_view(view)

    def compute():
        if not precomputed(ctx.snapshot):
            return _legacy("calling_features", ctx, view)
        scope, params = scope_sql(view)
        sql = f"""
        SELECT feature, sum(calls)::BIGINT AS calls FROM calling_feature_calls WHERE {scope}
        GROUP BY feature ORDER BY calls DESC, list_position($order::VARCHAR[], feature)
        """
        df = ctx.snapshot.frame(sql, {**params, "order": list(FEATURES)})
        df = cast_columns(df, ints=("calls",), texts=("feature",))
        return Result("calling_features", ctx.as_of, {}, df, FEATURE_COLUMNS)

    return cache.cached(ctx, "calling_features", view, compute)


# ranked by impact (metrics.md): the most callers lost first, then the highest share
QUEUE_SORT = (["abandoned", "abandon_ratio", "customer_name", "customer_id"], [True, True, False, False])
QUEUE_KPIS = ("average_answer_wait_seconds", "average_abandon_wait_seconds", "abandon_ratio")
QUEUE_COLUMNS = (
    "customer_id",
    "customer_name",
    "queues",
    "offered",
    "answered",
    "abandoned",
    "overflowed",
    *QUEUE_KPIS,
)


def queue_frame(df: pl.DataFrame) -> tuple[dict, pl.DataFrame]:
    """The section's KPIs and table from one row per customer of the latest
    week (queues, the counts and the two wait sums)."""
    # float sums depend on their order: summed in customer order, the KPIs
    # are the same on every run
    df = cast_columns(
        text_columns(df),
        ints=("queues", "offered", "answered", "abandoned", "overflowed"),
        floats=("answer_wait_seconds", "abandon_wait_seconds"),
    ).sort("customer_id")

    def s(column: str):
        return df[column].sum() if df.height else 0

    kpis = {
        "average_answer_wait_seconds": ratio_value(s("answer_wait_seconds"), s("answered") + s("overflowed")),
        "average_abandon_wait_seconds": ratio_value(s("abandon_wait_seconds"), s("abandoned")),
        "abandon_ratio": ratio_value(s("abandoned"), s("offered")),
    }
    df = (
        df.with_columns(
            average_answer_wait_seconds=ratio(pl.col("answer_wait_seconds"), pl.col("answered") + pl.col("overflowed")),
            average_abandon_wait_seconds=ratio(pl.col("abandon_wait_seconds"), pl.col("abandoned")),
            abandon_ratio=ratio(pl.col("abandoned"), pl.col("offered")),
        )
        .sort(QUEUE_SORT[0], descending=QUEUE_SORT[1], nulls_last=True)
        .select(QUEUE_COLUMNS)
    )
    return kpis, df


def call_queues(ctx: Context, view: View) -> Result:
    """Latest week, customers with call queues. average_answer_wait_seconds:
    Average wait, in seconds, of queued calls that were answered or sent on
    to another queue. average_abandon_wait_seconds: Average wait, in seconds,
    before a caller hung up. abandon_ratio: Abandoned calls as a share of
    calls that entered a queue. The table gives the same per customer, the
    most abandoned calls first, then the highest abandon_ratio."""
    view = calling_view(view)

    def compute():
        if not precomputed(ctx.snapshot):
            return _legacy("call_queues", ctx, view)
        columns = (*QUEUE_COLUMNS[:7], "answer_wait_seconds", "abandon_wait_seconds")
        kpis, df = queue_frame(_select(ctx, view, "call_queue_customers", columns, "customer_id"))
        return Result("call_queues", ctx.as_of, kpis, df, QUEUE_COLUMNS)

    return cache.cached(ctx, "call_queues", view, compute)
