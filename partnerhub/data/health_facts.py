"""Customer health (metrics.md "Customer health"), computed once per snapshot.

`customer_health` holds one row per scored customer of the snapshot (every
customer with a current meetings or calling line of at least one license):
the six components, health_score, health_band, reasons, licenses, and the
numbers the screen needs to say each reason as a sentence (assigned, used,
recent_used, earlier_used, days_since_sign_in, calls, poor_calls,
renewal_days, renewal_kind, renewal_end_date). Health depends neither on
scope nor on settings, so it is the same table for everyone.

HEALTH_SELECT is the one text of the computation: the import stores it as a
table, and a snapshot imported before that table existed is served by the
same SELECT as a subquery (metrics/health.py), so both give the same rows.

Every component is an exact fraction n / d of whole numbers; the weighted
mean 100 × Σ weight × n/d / Σ weight is put over one common denominator in
HUGEINT, so the band is decided without float rounding (a score of exactly
40 is `watch`, exactly 70 is `healthy`), and the score itself is one
division of the reduced fraction (exactly 40.0 when it is 40).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

WEIGHTS = {
    "allocation": 25,
    "usage": 25,
    "usage_trend": 15,
    "engagement": 10,
    "call_quality": 15,
    "renewal": 10,
}
SCORED_PRODUCTS = ("meetings", "calling")
TREND_WEEKS = 4  # U: the 4 weeks ending with the latest; U′: the 4 before those
ENGAGED_DAYS, WATCHED_DAYS = 30, 90  # engagement 1 / 0.5
MIN_CALLS = 20  # call_quality needs this many calls in the latest week
POOR_TENTHS = 10  # 10 % poor calls or more scores 0: score = (calls − 10 × poor) / calls
RENEWAL_SOON_DAYS, RENEWAL_WATCH_DAYS = 30, 90  # renewal 0 / 0.5
HEALTHY, WATCH = (7, 10), (2, 5)  # health_score ≥ 70 and ≥ 40, as exact fractions of 100
TABLE = "customer_health"
# engagement and renewal are counted in halves (0, 0.5, 1 → 0, 1, 2)
assert WEIGHTS["engagement"] % 2 == 0 and WEIGHTS["renewal"] % 2 == 0


def _products() -> str:
    return ", ".join(f"'{p}'" for p in SCORED_PRODUCTS)


# Null components take n = 0 over d = 1 with their weight left out of W.
HEALTH_SELECT = f"""
WITH scored_lines AS (
    SELECT customer_id, subscription_id, product, kind::VARCHAR AS kind, end_date, auto_renew,
           total_licenses, assigned, used
    FROM lines
    WHERE is_current AND product IN ({_products()}) AND total_licenses >= 1
),
line_sums AS (
    SELECT customer_id, sum(total_licenses)::BIGINT AS licenses, sum(assigned)::BIGINT AS assigned,
           sum(used)::BIGINT AS used
    FROM scored_lines GROUP BY customer_id
),
trend AS (
    SELECT l.customer_id,
           coalesce(sum(u.used) FILTER (WHERE u.week_start >= $recent_from), 0)::BIGINT AS recent_used,
           coalesce(sum(u.used) FILTER (WHERE u.week_start <= $earlier_to), 0)::BIGINT AS earlier_used
    FROM scored_lines l
    JOIN license_usage u ON u.subscription_id = l.subscription_id AND u.product = l.product
    WHERE u.week_start BETWEEN $earlier_from AND $latest
      AND (u.week_start >= $recent_from OR u.week_start <= $earlier_to)
    GROUP BY l.customer_id
),
quality AS (
    SELECT customer_id, sum(calls)::BIGINT AS calls, sum(poor_calls)::BIGINT AS poor_calls
    FROM call_quality WHERE week_start = $latest GROUP BY customer_id
),
renewal AS (
    -- the nearest end that will not renew by itself within the watch window (a paid one first on a tie)
    SELECT customer_id, end_date AS renewal_end_date, kind AS renewal_kind FROM (
        SELECT customer_id, end_date, kind,
               row_number() OVER (PARTITION BY customer_id
                                  ORDER BY end_date, kind <> 'paid', subscription_id) AS rank
        FROM scored_lines WHERE NOT auto_renew AND end_date BETWEEN $as_of AND $renewal_watch
    ) WHERE rank = 1
),
facts AS (
    SELECT s.customer_id, c.name AS customer_name, s.licenses, s.assigned, s.used,
           coalesce(t.recent_used, 0)::BIGINT AS recent_used,
           coalesce(t.earlier_used, 0)::BIGINT AS earlier_used,
           c.last_admin_sign_in, q.calls, q.poor_calls,
           r.renewal_end_date, r.renewal_kind
    FROM line_sums s
    JOIN customers c USING (customer_id)
    LEFT JOIN trend t USING (customer_id)
    LEFT JOIN quality q USING (customer_id)
    LEFT JOIN renewal r USING (customer_id)
),
fractions AS (
    SELECT *,
           least(assigned, licenses)::HUGEINT AS a_n, licenses::HUGEINT AS a_d,
           (assigned > 0) AS has_u,
           CASE WHEN assigned > 0 THEN least(used, assigned) ELSE 0 END::HUGEINT AS u_n,
           CASE WHEN assigned > 0 THEN assigned ELSE 1 END::HUGEINT AS u_d,
           (earlier_used > 0) AS has_t,
           CASE WHEN earlier_used > 0 THEN least(greatest(2 * recent_used - earlier_used, 0), earlier_used)
                ELSE 0 END::HUGEINT AS t_n,
           CASE WHEN earlier_used > 0 THEN earlier_used ELSE 1 END::HUGEINT AS t_d,
           coalesce(calls >= {MIN_CALLS}, false) AS has_q,
           CASE WHEN calls >= {MIN_CALLS} THEN greatest(calls - {POOR_TENTHS} * poor_calls, 0)
                ELSE 0 END::HUGEINT AS q_n,
           CASE WHEN calls >= {MIN_CALLS} THEN calls ELSE 1 END::HUGEINT AS q_d,
           -- engagement and renewal in halves: 2 = 1, 1 = 0.5, 0 = 0
           CASE WHEN last_admin_sign_in >= $engaged_from THEN 2
                WHEN last_admin_sign_in >= $watched_from THEN 1 ELSE 0 END::HUGEINT AS e2,
           CASE WHEN renewal_end_date IS NULL THEN 2
                WHEN renewal_end_date <= $renewal_soon THEN 0 ELSE 1 END::HUGEINT AS r2
    FROM facts
),
sums AS (
    SELECT *,
           ({WEIGHTS["allocation"] + WEIGHTS["engagement"] + WEIGHTS["renewal"]}
            + CASE WHEN has_u THEN {WEIGHTS["usage"]} ELSE 0 END
            + CASE WHEN has_t THEN {WEIGHTS["usage_trend"]} ELSE 0 END
            + CASE WHEN has_q THEN {WEIGHTS["call_quality"]} ELSE 0 END)::HUGEINT AS w,
           a_d * u_d * t_d * q_d AS d,
           {WEIGHTS["allocation"]} * a_n * u_d * t_d * q_d
             + {WEIGHTS["usage"]} * u_n * a_d * t_d * q_d
             + {WEIGHTS["usage_trend"]} * t_n * a_d * u_d * q_d
             + {WEIGHTS["call_quality"]} * q_n * a_d * u_d * t_d
             + ({WEIGHTS["engagement"] // 2} * e2 + {WEIGHTS["renewal"] // 2} * r2) * a_d * u_d * t_d * q_d AS n
    FROM fractions
),
scored AS (
    SELECT *, gcd(100 * n, w * d) AS g FROM sums
)
SELECT customer_id::VARCHAR AS customer_id, customer_name::VARCHAR AS customer_name,
       a_n::DOUBLE / a_d::DOUBLE AS allocation_score,
       CASE WHEN has_u THEN u_n::DOUBLE / u_d::DOUBLE END AS usage_score,
       CASE WHEN has_t THEN t_n::DOUBLE / t_d::DOUBLE END AS usage_trend_score,
       e2::DOUBLE / 2 AS engagement_score,
       CASE WHEN has_q THEN q_n::DOUBLE / q_d::DOUBLE END AS call_quality_score,
       r2::DOUBLE / 2 AS renewal_score,
       ((100 * n) // g)::DOUBLE / ((w * d) // g)::DOUBLE AS health_score,
       CASE WHEN {HEALTHY[1]} * n >= {HEALTHY[0]} * w * d THEN 'healthy'
            WHEN {WATCH[1]} * n >= {WATCH[0]} * w * d THEN 'watch'
            ELSE 'at_risk' END AS health_band,
       concat_ws(';',
                 CASE WHEN 2 * a_n < a_d THEN 'allocation' END,
                 CASE WHEN has_u AND 2 * u_n < u_d THEN 'usage' END,
                 CASE WHEN has_t AND 2 * t_n < t_d THEN 'usage_trend' END,
                 CASE WHEN e2 < 1 THEN 'engagement' END,
                 CASE WHEN has_q AND 2 * q_n < q_d THEN 'call_quality' END,
                 CASE WHEN r2 < 1 THEN 'renewal' END) AS reasons,
       licenses, assigned, used, recent_used, earlier_used,
       -- a sign-in after as_of (the export ran later) counts as today
       CASE WHEN last_admin_sign_in IS NOT NULL
            THEN greatest(date_diff('day', (last_admin_sign_in AT TIME ZONE 'UTC')::DATE, $as_of), 0) END::BIGINT
           AS days_since_sign_in,
       calls, poor_calls,
       (renewal_end_date - $as_of)::BIGINT AS renewal_days, renewal_kind, renewal_end_date
FROM scored
"""

ORDER = "health_score, licenses DESC, customer_name, customer_id"


def params(as_of: date) -> dict:
    """The dates HEALTH_SELECT reads, all from as_of (metrics.md)."""
    latest = as_of - timedelta(days=7)
    midnight = datetime.combine(as_of, time(0), tzinfo=UTC)
    return {
        "as_of": as_of,
        "latest": latest,
        "recent_from": latest - timedelta(days=7 * (TREND_WEEKS - 1)),
        "earlier_to": latest - timedelta(days=7 * TREND_WEEKS),
        "earlier_from": latest - timedelta(days=7 * (2 * TREND_WEEKS - 1)),
        "engaged_from": midnight - timedelta(days=ENGAGED_DAYS),
        "watched_from": midnight - timedelta(days=WATCHED_DAYS),
        "renewal_soon": as_of + timedelta(days=RENEWAL_SOON_DAYS),
        "renewal_watch": as_of + timedelta(days=RENEWAL_WATCH_DAYS),
    }


def build(con, as_of: date) -> None:
    """Creates `customer_health` in the snapshot being written (after `lines`)."""
    con.execute(f"CREATE TABLE {TABLE} AS SELECT * FROM ({HEALTH_SELECT}) ORDER BY {ORDER}", params(as_of))
