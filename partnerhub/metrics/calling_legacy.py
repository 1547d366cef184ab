"""The Webex Calling sections computed from the imported tables
(calling_usage, call_quality, calling_features, call_queues), for a snapshot
imported before the precomputed calling tables existed (data/calling_facts.py).

metrics/calling.py caches and calls these only for such a snapshot; the
results are the same as over the precomputed tables, only slower.
"""

from __future__ import annotations

import polars as pl

from partnerhub.data.calling_facts import DOWN, SPARK_WEEKS, TREND_WEEKS, TREND_WINDOW, UP
from partnerhub.data.contract import ENDPOINT_TYPES, FEATURES

from .calling import (
    ENDPOINT_COLUMNS,
    FEATURE_COLUMNS,
    QUALITY_COLUMNS,
    QUALITY_SORT,
    QUALITY_TREND_COLUMNS,
    QUEUE_COLUMNS,
    USAGE_COLUMNS,
    USAGE_TREND_COLUMNS,
    queue_frame,
    text_columns,
)
from .query import cast_columns, latest_week, previous_week, ratio, scope_sql, weeks_ending_latest
from .types import Context, Result, View

# ---- calling usage ---------------------------------------------------------------------------


def calling_usage_trend(ctx: Context, view: View) -> Result:
    """calling_usage_trend from the imported tables."""

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

    return compute()


def calling_usage(ctx: Context, view: View) -> Result:
    """calling_usage from the imported tables."""

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
            text_columns(df),
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

    return compute()


# ---- call quality -----------------------------------------------------------------------------


def call_quality_trend(ctx: Context, view: View) -> Result:
    """call_quality_trend from the imported tables."""

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

    return compute()


def call_quality_by_endpoint(ctx: Context, view: View) -> Result:
    """call_quality_by_endpoint from the imported tables."""

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

    return compute()


def call_quality(ctx: Context, view: View) -> Result:
    """call_quality from the imported tables."""

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
            text_columns(df),
            ints=("calls", "poor_calls", "previous_calls", "previous_poor_calls"),
            texts=("worst_endpoint_type",),
        )
        previous = ratio(pl.col("previous_poor_calls"), pl.col("previous_calls"))
        df = (
            df.with_columns(poor_ratio=ratio(pl.col("poor_calls"), pl.col("calls")))
            .with_columns(poor_ratio_change=pl.col("poor_ratio") - previous)
            .sort(QUALITY_SORT[0], descending=QUALITY_SORT[1], nulls_last=True)
            .select(QUALITY_COLUMNS)
        )
        return Result("call_quality", ctx.as_of, {}, df, QUALITY_COLUMNS)

    return compute()


# ---- advanced features and call queues -----------------------------------------------------------


def calling_features(ctx: Context, view: View) -> Result:
    """calling_features from the imported tables."""

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

    return compute()


def call_queues(ctx: Context, view: View) -> Result:
    """call_queues from the imported tables."""

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
        kpis, df = queue_frame(ctx.snapshot.frame(sql, {**params, "latest": latest_week(ctx)}))
        return Result("call_queues", ctx.as_of, kpis, df, QUEUE_COLUMNS)

    return compute()
