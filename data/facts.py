"""Precomputed facts written into every snapshot at import.

`lines` holds one row per subscription line (spec/metrics.md "Subscription
lines") with every line column already computed for the snapshot's as_of, so
the metrics functions filter and sum instead of recomputing per request. The
low-allocation peer baseline is partner-wide by definition, so it is computed
here once, over all customers.
"""
from __future__ import annotations

from datetime import date

SIZE_BANDS = ((1, 10, "1-10"), (11, 50, "11-50"), (51, 250, "51-250"), (251, 1000, "251-1000"))
MIN_BAND_LINES = 5
SPARK_WEEKS = 13


def _months_between(a: str, b: str) -> str:
    """Whole calendar months from date a to date b (metrics.md)."""
    return (f"(12 * (year({b}) - year({a})) + (month({b}) - month({a})) "
            f"- CASE WHEN day({b}) < day({a}) THEN 1 ELSE 0 END)")


def _size_band(col: str) -> str:
    cases = " ".join(f"WHEN {col} BETWEEN {lo} AND {hi} THEN '{name}'" for lo, hi, name in SIZE_BANDS)
    return f"CASE {cases} WHEN {col} >= 1001 THEN '1001+' END"


LINES_SQL = f"""
CREATE TABLE lines AS
WITH base AS (
    SELECT c.customer_id, c.name AS customer_name, s.subscription_id, l.product, s.kind,
           s.status, s.start_date, s.end_date, s.auto_renew, l.licenses AS total_licenses,
           (s.status <> 'expired' AND s.start_date <= $as_of AND $as_of <= s.end_date) AS is_current
    FROM subscription_licenses l
    JOIN subscriptions s USING (subscription_id)
    JOIN customers c USING (customer_id)
),
latest AS (SELECT subscription_id, product, assigned, used FROM license_usage WHERE week_start = $latest),
previous AS (SELECT subscription_id, product, assigned, used FROM license_usage WHERE week_start = $previous),
weeks AS (SELECT CAST($latest - INTERVAL 7 DAY * i AS DATE) AS week_start FROM range({SPARK_WEEKS}) t(i)),
spark AS (
    -- the 13 weeks ending with the latest, null where a week has no row
    SELECT k.subscription_id, k.product, max(u.used) AS usage_3_months,
           list(u.used ORDER BY w.week_start) AS usage_sparkline
    FROM subscription_licenses k CROSS JOIN weeks w
    LEFT JOIN license_usage u
        ON u.subscription_id = k.subscription_id AND u.product = k.product AND u.week_start = w.week_start
    GROUP BY ALL
),
facts AS (
    SELECT b.*,
           coalesce(la.assigned, 0) AS assigned,
           coalesce(la.used, 0) AS used,
           CASE WHEN p.subscription_id IS NULL THEN NULL ELSE coalesce(la.assigned, 0) - p.assigned END
               AS weekly_allocation_change,
           CASE WHEN p.subscription_id IS NULL THEN NULL ELSE coalesce(la.used, 0) - p.used END
               AS weekly_usage_change,
           coalesce(sp.usage_3_months, 0) AS usage_3_months,
           sp.usage_sparkline
    FROM base b
    LEFT JOIN latest la USING (subscription_id, product)
    LEFT JOIN previous p USING (subscription_id, product)
    LEFT JOIN spark sp USING (subscription_id, product)
)
SELECT customer_id, customer_name, subscription_id, product, kind, status, start_date, end_date,
       auto_renew, is_current, total_licenses, assigned, used,
       greatest(total_licenses - assigned, 0) AS available,
       greatest(assigned - total_licenses, 0) AS overage,
       CASE WHEN total_licenses = 0 THEN NULL ELSE assigned / total_licenses END AS allocation_ratio,
       CASE WHEN total_licenses = 0 THEN NULL ELSE used / total_licenses END AS usage_ratio,
       weekly_allocation_change, weekly_usage_change, usage_3_months, usage_sparkline,
       ($as_of - start_date)::BIGINT AS days_since_added,
       (end_date - $as_of)::BIGINT AS days_to_end,
       {_months_between('start_date', '$as_of')}::BIGINT AS months_since_added,
       {_months_between('$as_of', 'end_date')}::BIGINT AS months_remaining,
       {_size_band('total_licenses')} AS size_band
FROM facts
"""

# median = mean of the two middle values for an even count (DuckDB's median
# interpolates, which is exactly that)
BASELINE_SQL = f"""
CREATE TABLE peer_baselines AS
WITH eligible AS (
    SELECT product, size_band, allocation_ratio FROM lines WHERE is_current AND total_licenses >= 1
),
band AS (SELECT product, size_band, median(allocation_ratio) AS m, count(*) AS n FROM eligible GROUP BY ALL),
product AS (SELECT product, median(allocation_ratio) AS m FROM eligible GROUP BY ALL)
SELECT band.product, band.size_band, band.n AS band_lines,
       CASE WHEN band.n >= {MIN_BAND_LINES} THEN band.m ELSE product.m END AS peer_baseline
FROM band JOIN product USING (product)
"""

ADD_BASELINE_SQL = """
CREATE TABLE lines_with_baseline AS
SELECT l.*, b.peer_baseline
FROM lines l LEFT JOIN peer_baselines b USING (product, size_band);
DROP TABLE lines;
ALTER TABLE lines_with_baseline RENAME TO lines;
"""


def build(con, as_of: date) -> None:
    """Creates `lines` and `peer_baselines` in the snapshot being written."""
    from datetime import timedelta
    params = {"as_of": as_of, "latest": as_of - timedelta(days=7), "previous": as_of - timedelta(days=14)}
    con.execute(LINES_SQL, params)
    con.execute(BASELINE_SQL)
    con.execute(ADD_BASELINE_SQL)
