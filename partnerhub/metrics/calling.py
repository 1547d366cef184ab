"""Webex Calling sections (metrics.md "Webex Calling"): usage, call quality,
advanced features and call queues of the customers in scope.

None of these depends on the product toggle or the customer-list filters.
"The latest week" is the week that starts as_of - 7; the trends cover the 8
weeks ending with it.
"""

from __future__ import annotations

import polars as pl

from partnerhub.data.contract import ENDPOINT_TYPES, FEATURES

from . import cache
from .query import cast_columns, latest_week, previous_week, ratio, ratio_value, scope_sql, weeks_ending_latest
from .types import Context, Result, View

TREND_WEEKS = 8
SPARK_WEEKS = 8
TREND_WINDOW = 4  # calls_trend compares the latest 4 weeks with the 4 before
UP, DOWN = (11, 10), (9, 10)  # 1.1 and 0.9 as exact fractions: no float rounding at the boundary


def calling_view(view: View) -> View:
    """Only the scope matters to the calling sections (shared cache entries)."""
    return View(scope=view.scope)


def _text_columns(df: pl.DataFrame) -> pl.DataFrame:
    return cast_columns(df, texts=("customer_id", "customer_name"))


# ---- calling usage ---------------------------------------------------------------------------

USAGE_TREND_COLUMNS = ("week_start", "active_users", "inactive_users", "calls")


def calling_usage_trend(ctx: Context, view: View) -> Result:
    """Per week of the last 8. active_users: Users who placed at least one
    call in the week. inactive_users: Users with a calling license who placed
    no call in the week. calls: Calls placed in the week."""
    view = calling_view(view)

    def compute():
        scope, params = scope_sql(view)
        weeks = weeks_ending_latest(ctx, TREND_WEEKS)
        sql = f"""
        WITH weeks AS (SELECT unnest($weeks::DATE[]) AS week_start),
        u AS (SELECT week_start, licensed_users, active_users, calls FROM calling_usage
              WHERE week_start BETWEEN $first AND $last AND {scope})
        SELECT w.week_start,
               coalesce(sum(u.active_users), 0)::BIGINT AS active_users,
               coalesce(sum(greatest(u.licensed_users - u.active_users, 0)), 0)::BIGINT AS inactive_users,
               coalesce(sum(u.calls), 0)::BIGINT AS calls
        FROM weeks w LEFT JOIN u ON u.week_start = w.week_start
        GROUP BY w.week_start ORDER BY w.week_start
        """
        df = ctx.snapshot.frame(sql, {**params, "weeks": weeks, "first": weeks[0], "last": weeks[-1]})
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
        scope, params = scope_sql(view, "u.customer_id")
        weeks = weeks_ending_latest(ctx, 2 * TREND_WINDOW)
        recent_from = weeks[TREND_WINDOW]
        spark = ", ".join(f"max(u.calls) FILTER (WHERE u.week_start = $w{i})" for i in range(SPARK_WEEKS))
        sql = f"""
        WITH u AS (SELECT * FROM calling_usage u WHERE u.week_start BETWEEN $first AND $latest AND {scope})
        SELECT u.customer_id, c.name AS customer_name,
               max(u.licensed_users) FILTER (WHERE u.week_start = $latest) AS licensed_users,
               max(u.active_users) FILTER (WHERE u.week_start = $latest) AS active_users,
               max(u.calls) FILTER (WHERE u.week_start = $latest) AS calls,
               max(u.minutes) FILTER (WHERE u.week_start = $latest) AS minutes,
               max(u.active_users) FILTER (WHERE u.week_start = $previous) AS previous_active_users,
               coalesce(sum(u.calls) FILTER (WHERE u.week_start >= $recent_from), 0)::BIGINT AS recent_calls,
               count(*) FILTER (WHERE u.week_start >= $recent_from) AS recent_weeks,
               coalesce(sum(u.calls) FILTER (WHERE u.week_start < $recent_from), 0)::BIGINT AS earlier_calls,
               count(*) FILTER (WHERE u.week_start < $recent_from) AS earlier_weeks,
               list_value({spark}) AS calls_sparkline
        FROM u JOIN customers c ON c.customer_id = u.customer_id
        GROUP BY u.customer_id, c.name
        HAVING count(*) FILTER (WHERE u.week_start = $latest) > 0
        ORDER BY calls DESC, customer_name, u.customer_id
        """
        bound = {
            **params,
            "first": weeks[0],
            "latest": weeks[-1],
            "previous": previous_week(ctx),
            "recent_from": recent_from,
            **{f"w{i}": w for i, w in enumerate(weeks_ending_latest(ctx, SPARK_WEEKS))},
        }
        df = ctx.snapshot.frame(sql, bound)
        df = cast_columns(
            _text_columns(df),
            ints=(
                "licensed_users",
                "active_users",
                "calls",
                "previous_active_users",
                "recent_calls",
                "recent_weeks",
                "earlier_calls",
                "earlier_weeks",
            ),
            floats=("minutes",),
        )
        a = pl.col("recent_calls") * pl.col("earlier_weeks")  # recent mean vs earlier mean, cross-multiplied
        b = pl.col("earlier_calls") * pl.col("recent_weeks")
        trend = (
            pl.when((pl.col("recent_weeks") == 0) | (pl.col("earlier_weeks") == 0) | (pl.col("earlier_calls") == 0))
            .then(None)
            .when(UP[1] * a > UP[0] * b)
            .then(pl.lit("up"))
            .when(DOWN[1] * a < DOWN[0] * b)
            .then(pl.lit("down"))
            .otherwise(pl.lit("flat"))
        )
        df = df.with_columns(
            active_ratio=ratio(pl.col("active_users"), pl.col("licensed_users")),
            active_users_change_ratio=ratio(
                pl.col("active_users") - pl.col("previous_active_users"), pl.col("previous_active_users")
            ),
            calls_trend=trend.cast(pl.Utf8),
            calls_sparkline=pl.col("calls_sparkline").cast(pl.List(pl.Int64)),
        ).select(*USAGE_COLUMNS, "calls_sparkline")
        return Result("calling_usage", ctx.as_of, {}, df, USAGE_COLUMNS)

    return cache.cached(ctx, "calling_usage", view, compute)


# ---- call quality -----------------------------------------------------------------------------

QUALITY_TREND_COLUMNS = ("week_start", "calls", "poor_calls", "poor_ratio")


def call_quality_trend(ctx: Context, view: View) -> Result:
    """Per week of the last 8: calls, poor_calls (calls rated poor quality)
    and poor_ratio (Poor calls as a share of all calls)."""
    view = calling_view(view)

    def compute():
        scope, params = scope_sql(view)
        weeks = weeks_ending_latest(ctx, TREND_WEEKS)
        sql = f"""
        WITH weeks AS (SELECT unnest($weeks::DATE[]) AS week_start),
        q AS (SELECT week_start, calls, poor_calls FROM call_quality
              WHERE week_start BETWEEN $first AND $last AND {scope})
        SELECT w.week_start, coalesce(sum(q.calls), 0)::BIGINT AS calls,
               coalesce(sum(q.poor_calls), 0)::BIGINT AS poor_calls
        FROM weeks w LEFT JOIN q ON q.week_start = w.week_start
        GROUP BY w.week_start ORDER BY w.week_start
        """
        df = ctx.snapshot.frame(sql, {**params, "weeks": weeks, "first": weeks[0], "last": weeks[-1]})
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
        scope, params = scope_sql(view)
        sql = f"""
        SELECT endpoint_type, sum(calls)::BIGINT AS calls, sum(poor_calls)::BIGINT AS poor_calls
        FROM call_quality WHERE week_start = $latest AND {scope}
        GROUP BY endpoint_type ORDER BY list_position($order::VARCHAR[], endpoint_type)
        """
        df = ctx.snapshot.frame(sql, {**params, "latest": latest_week(ctx), "order": list(ENDPOINT_TYPES)})
        df = cast_columns(df, ints=("calls", "poor_calls"), texts=("endpoint_type",)).with_columns(
            poor_ratio=ratio(pl.col("poor_calls"), pl.col("calls"))
        )
        return Result("call_quality_by_endpoint", ctx.as_of, {}, df.select(ENDPOINT_COLUMNS), ENDPOINT_COLUMNS)

    return cache.cached(ctx, "call_quality_by_endpoint", view, compute)


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
    """One row per customer with call-quality data in the latest week, worst
    first. poor_ratio: Poor calls as a share of all calls. poor_ratio_change:
    The share of poor calls now minus the share a week earlier.
    worst_endpoint_type: The kind of device or app with the highest share of
    poor calls, among those with at least 10 calls in the week."""
    view = calling_view(view)

    def compute():
        scope, params = scope_sql(view, "q.customer_id")
        sql = f"""
        WITH q AS (SELECT * FROM call_quality q WHERE q.week_start IN ($latest, $previous) AND {scope}),
        worst AS (
            SELECT customer_id, endpoint_type FROM (
                SELECT customer_id, endpoint_type,
                       row_number() OVER (PARTITION BY customer_id
                           ORDER BY poor_calls / calls DESC, list_position($order::VARCHAR[], endpoint_type)) AS rank
                FROM q WHERE week_start = $latest AND calls >= 10)
            WHERE rank = 1
        )
        SELECT q.customer_id, c.name AS customer_name,
               sum(q.calls) FILTER (WHERE q.week_start = $latest)::BIGINT AS calls,
               sum(q.poor_calls) FILTER (WHERE q.week_start = $latest)::BIGINT AS poor_calls,
               sum(q.calls) FILTER (WHERE q.week_start = $previous)::BIGINT AS previous_calls,
               sum(q.poor_calls) FILTER (WHERE q.week_start = $previous)::BIGINT AS previous_poor_calls,
               any_value(worst.endpoint_type) AS worst_endpoint_type
        FROM q JOIN customers c ON c.customer_id = q.customer_id
        LEFT JOIN worst ON worst.customer_id = q.customer_id
        GROUP BY q.customer_id, c.name
        HAVING count(*) FILTER (WHERE q.week_start = $latest) > 0
        """
        df = ctx.snapshot.frame(
            sql, {**params, "latest": latest_week(ctx), "previous": previous_week(ctx), "order": list(ENDPOINT_TYPES)}
        )
        df = cast_columns(
            _text_columns(df),
            ints=("calls", "poor_calls", "previous_calls", "previous_poor_calls"),
            texts=("worst_endpoint_type",),
        )
        previous = ratio(pl.col("previous_poor_calls"), pl.col("previous_calls"))
        df = (
            df.with_columns(poor_ratio=ratio(pl.col("poor_calls"), pl.col("calls")))
            .with_columns(poor_ratio_change=pl.col("poor_ratio") - previous)
            .sort(["poor_ratio", "customer_name", "customer_id"], descending=[True, False, False], nulls_last=True)
            .select(QUALITY_COLUMNS)
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
        scope, params = scope_sql(view)
        sql = f"""
        SELECT feature, sum(calls)::BIGINT AS calls FROM calling_features
        WHERE week_start = $latest AND {scope}
          AND customer_id IN (SELECT customer_id FROM call_queues)
        GROUP BY feature ORDER BY calls DESC, list_position($order::VARCHAR[], feature)
        """
        df = ctx.snapshot.frame(sql, {**params, "latest": latest_week(ctx), "order": list(FEATURES)})
        df = cast_columns(df, ints=("calls",), texts=("feature",))
        return Result("calling_features", ctx.as_of, {}, df, FEATURE_COLUMNS)

    return cache.cached(ctx, "calling_features", view, compute)


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


def call_queues(ctx: Context, view: View) -> Result:
    """Latest week, customers with call queues. average_answer_wait_seconds:
    Average wait, in seconds, of queued calls that were answered or sent on
    to another queue. average_abandon_wait_seconds: Average wait, in seconds,
    before a caller hung up. abandon_ratio: Abandoned calls as a share of
    calls that entered a queue. The table gives the same per customer,
    highest abandon_ratio first."""
    view = calling_view(view)

    def compute():
        scope, params = scope_sql(view, "q.customer_id")
        sql = f"""
        SELECT q.customer_id, c.name AS customer_name, count(DISTINCT q.queue_id) AS queues,
               sum(q.offered)::BIGINT AS offered, sum(q.answered)::BIGINT AS answered,
               sum(q.abandoned)::BIGINT AS abandoned, sum(q.overflowed)::BIGINT AS overflowed,
               sum(q.answer_wait_seconds) AS answer_wait_seconds,
               sum(q.abandon_wait_seconds) AS abandon_wait_seconds
        FROM call_queues q JOIN customers c ON c.customer_id = q.customer_id
        WHERE q.week_start = $latest AND {scope}
        GROUP BY q.customer_id, c.name
        """
        df = ctx.snapshot.frame(sql, {**params, "latest": latest_week(ctx)})
        df = cast_columns(
            _text_columns(df),
            ints=("queues", "offered", "answered", "abandoned", "overflowed"),
            floats=("answer_wait_seconds", "abandon_wait_seconds"),
        )

        def s(column: str):
            return df[column].sum() if df.height else 0

        kpis = {
            "average_answer_wait_seconds": ratio_value(s("answer_wait_seconds"), s("answered") + s("overflowed")),
            "average_abandon_wait_seconds": ratio_value(s("abandon_wait_seconds"), s("abandoned")),
            "abandon_ratio": ratio_value(s("abandoned"), s("offered")),
        }
        df = (
            df.with_columns(
                average_answer_wait_seconds=ratio(
                    pl.col("answer_wait_seconds"), pl.col("answered") + pl.col("overflowed")
                ),
                average_abandon_wait_seconds=ratio(pl.col("abandon_wait_seconds"), pl.col("abandoned")),
                abandon_ratio=ratio(pl.col("abandoned"), pl.col("offered")),
            )
            .sort(["abandon_ratio", "customer_name", "customer_id"], descending=[True, False, False], nulls_last=True)
            .select(QUEUE_COLUMNS)
        )
        return Result("call_queues", ctx.as_of, kpis, df, QUEUE_COLUMNS)

    return cache.cached(ctx, "call_queues", view, compute)
