"""Precomputed Webex Calling facts written into every snapshot at import
(metrics.md "Webex Calling"), like `lines` for the license sections.

Every calling section reads the latest week or the 8 weeks ending with it,
and as_of is fixed per snapshot, so the per-customer work is done here once:
the sections filter by scope, sort and sum.

- `calling_weeks`: one row per customer and week of the last 8 with that
  week's usage (calling_usage) and quality (call_quality summed over
  endpoints); the two weekly trends sum it.
- `calling_customers`, `call_quality_customers`, `call_queue_customers`: one
  row per customer of the calling_usage, call_quality and call_queues tables,
  with every column of the section (names as metrics.md), in the section's order.
- `call_quality_endpoints`: the latest week per customer and endpoint type.
- `calling_feature_calls`: the latest week per customer and feature, only for
  customers that have call queues.

A snapshot imported before these tables existed lacks them; the calling
sections then read the imported tables (metrics/calling_legacy.py).
"""

from __future__ import annotations

from datetime import date, timedelta

TREND_WEEKS = 8
SPARK_WEEKS = 8
TREND_WINDOW = 4  # calls_trend compares the latest 4 weeks with the 4 before
UP, DOWN = (11, 10), (9, 10)  # 1.1 and 0.9 as exact fractions: no float rounding at the boundary
WORST_MIN_CALLS = 10  # worst_endpoint_type considers endpoint types with at least this many calls
TABLES = (
    "calling_weeks",
    "calling_customers",
    "call_quality_customers",
    "call_quality_endpoints",
    "calling_feature_calls",
    "call_queue_customers",
)


def _ratio(num: str, den: str) -> str:
    """num / den as DOUBLE, NULL when den is 0 or NULL (metrics.md: never 0, never NaN)."""
    return f"CASE WHEN ({den}) <> 0 THEN ({num})::DOUBLE / ({den})::DOUBLE END"


CALLING_WEEKS_SQL = """
CREATE TABLE calling_weeks AS
WITH u AS (
    SELECT customer_id, week_start, licensed_users, active_users,
           greatest(licensed_users - active_users, 0) AS inactive_users, calls, minutes
    FROM calling_usage WHERE week_start BETWEEN $first AND $latest
),
q AS (
    SELECT customer_id, week_start, sum(calls)::BIGINT AS quality_calls, sum(poor_calls)::BIGINT AS poor_calls
    FROM call_quality WHERE week_start BETWEEN $first AND $latest GROUP BY ALL
)
SELECT customer_id, week_start, u.licensed_users, u.active_users, u.inactive_users, u.calls, u.minutes,
       q.quality_calls, q.poor_calls
FROM u FULL JOIN q USING (customer_id, week_start)
ORDER BY week_start, customer_id
"""

_SPARK = ", ".join(f"max(calls) FILTER (WHERE week_start = $latest - {7 * i})" for i in range(SPARK_WEEKS - 1, -1, -1))
_A = "recent_calls * earlier_weeks"  # recent mean vs earlier mean, cross-multiplied
_B = "earlier_calls * recent_weeks"

CALLING_CUSTOMERS_SQL = f"""
CREATE TABLE calling_customers AS
WITH u AS (SELECT * FROM calling_usage WHERE week_start BETWEEN $first AND $latest),
a AS (
    SELECT customer_id,
           max(licensed_users) FILTER (WHERE week_start = $latest) AS licensed_users,
           max(active_users) FILTER (WHERE week_start = $latest) AS active_users,
           max(calls) FILTER (WHERE week_start = $latest) AS calls,
           max(minutes) FILTER (WHERE week_start = $latest) AS minutes,
           max(active_users) FILTER (WHERE week_start = $previous) AS previous_active_users,
           coalesce(sum(calls) FILTER (WHERE week_start >= $recent_from), 0)::BIGINT AS recent_calls,
           count(*) FILTER (WHERE week_start >= $recent_from) AS recent_weeks,
           coalesce(sum(calls) FILTER (WHERE week_start < $recent_from), 0)::BIGINT AS earlier_calls,
           count(*) FILTER (WHERE week_start < $recent_from) AS earlier_weeks,
           list_value({_SPARK})::BIGINT[] AS calls_sparkline
    FROM u GROUP BY customer_id
    HAVING count(*) FILTER (WHERE week_start = $latest) > 0
)
SELECT a.customer_id, c.name AS customer_name,
       a.licensed_users::BIGINT AS licensed_users, a.active_users::BIGINT AS active_users,
       {_ratio("a.active_users", "a.licensed_users")} AS active_ratio,
       a.calls::BIGINT AS calls, a.minutes,
       {_ratio("a.active_users - a.previous_active_users", "a.previous_active_users")} AS active_users_change_ratio,
       CASE WHEN recent_weeks = 0 OR earlier_weeks = 0 OR earlier_calls = 0 THEN NULL
            WHEN {UP[1]} * {_A} > {UP[0]} * {_B} THEN 'up'
            WHEN {DOWN[1]} * {_A} < {DOWN[0]} * {_B} THEN 'down'
            ELSE 'flat' END AS calls_trend,
       a.calls_sparkline
FROM a JOIN customers c USING (customer_id)
ORDER BY calls DESC, customer_name, customer_id
"""

CALL_QUALITY_CUSTOMERS_SQL = f"""
CREATE TABLE call_quality_customers AS
WITH q AS (SELECT * FROM call_quality WHERE week_start IN ($latest, $previous)),
worst AS (
    SELECT customer_id, endpoint_type FROM (
        SELECT customer_id, endpoint_type,
               row_number() OVER (PARTITION BY customer_id
                   ORDER BY poor_calls / calls DESC, list_position($order::VARCHAR[], endpoint_type)) AS rank
        FROM q WHERE week_start = $latest AND calls >= {WORST_MIN_CALLS})
    WHERE rank = 1
),
a AS (
    SELECT q.customer_id,
           sum(q.calls) FILTER (WHERE q.week_start = $latest)::BIGINT AS calls,
           sum(q.poor_calls) FILTER (WHERE q.week_start = $latest)::BIGINT AS poor_calls,
           sum(q.calls) FILTER (WHERE q.week_start = $previous)::BIGINT AS previous_calls,
           sum(q.poor_calls) FILTER (WHERE q.week_start = $previous)::BIGINT AS previous_poor_calls,
           any_value(worst.endpoint_type)::VARCHAR AS worst_endpoint_type
    FROM q LEFT JOIN worst ON worst.customer_id = q.customer_id
    GROUP BY q.customer_id
    HAVING count(*) FILTER (WHERE q.week_start = $latest) > 0
),
r AS (
    SELECT a.*, c.name AS customer_name, {_ratio("poor_calls", "calls")} AS poor_ratio,
           {_ratio("previous_poor_calls", "previous_calls")} AS previous_poor_ratio
    FROM a JOIN customers c USING (customer_id)
)
SELECT customer_id, customer_name, calls, poor_calls, poor_ratio,
       poor_ratio - previous_poor_ratio AS poor_ratio_change, worst_endpoint_type
FROM r
ORDER BY poor_calls DESC NULLS LAST, poor_ratio DESC NULLS LAST, customer_name, customer_id
"""

CALL_QUALITY_ENDPOINTS_SQL = """
CREATE TABLE call_quality_endpoints AS
SELECT customer_id, endpoint_type::VARCHAR AS endpoint_type, calls::BIGINT AS calls,
       poor_calls::BIGINT AS poor_calls
FROM call_quality WHERE week_start = $latest
ORDER BY customer_id, endpoint_type
"""

CALLING_FEATURE_CALLS_SQL = """
CREATE TABLE calling_feature_calls AS
SELECT customer_id, feature::VARCHAR AS feature, calls::BIGINT AS calls
FROM calling_features
WHERE week_start = $latest AND customer_id IN (SELECT customer_id FROM call_queues)
ORDER BY customer_id, feature
"""

# The wait sums stay DECIMAL (exact per customer) and become floats where the
# section reads them, as when it summed call_queues itself.
CALL_QUEUE_CUSTOMERS_SQL = """
CREATE TABLE call_queue_customers AS
SELECT q.customer_id, c.name AS customer_name, count(DISTINCT q.queue_id) AS queues,
       sum(q.offered)::BIGINT AS offered, sum(q.answered)::BIGINT AS answered,
       sum(q.abandoned)::BIGINT AS abandoned, sum(q.overflowed)::BIGINT AS overflowed,
       sum(q.answer_wait_seconds) AS answer_wait_seconds,
       sum(q.abandon_wait_seconds) AS abandon_wait_seconds
FROM call_queues q JOIN customers c ON c.customer_id = q.customer_id
WHERE q.week_start = $latest
GROUP BY q.customer_id, c.name
ORDER BY q.customer_id
"""


def build(con, as_of: date, endpoint_order: list[str]) -> None:
    """Creates the calling tables of TABLES in the snapshot being written."""
    latest = as_of - timedelta(days=7)
    first = latest - timedelta(days=7 * (TREND_WEEKS - 1))
    recent_from = latest - timedelta(days=7 * (TREND_WINDOW - 1))
    con.execute(CALLING_WEEKS_SQL, {"first": first, "latest": latest})
    con.execute(
        CALLING_CUSTOMERS_SQL,
        {
            "first": latest - timedelta(days=7 * (2 * TREND_WINDOW - 1)),
            "latest": latest,
            "previous": latest - timedelta(days=7),
            "recent_from": recent_from,
        },
    )
    order = {"latest": latest, "previous": latest - timedelta(days=7), "order": endpoint_order}
    con.execute(CALL_QUALITY_CUSTOMERS_SQL, order)
    con.execute(CALL_QUALITY_ENDPOINTS_SQL, {"latest": latest})
    con.execute(CALLING_FEATURE_CALLS_SQL, {"latest": latest})
    con.execute(CALL_QUEUE_CUSTOMERS_SQL, {"latest": latest})
