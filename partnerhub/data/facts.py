"""Precomputed facts written into every snapshot at import.

`lines` holds one row per subscription line (spec/metrics.md "Subscription
lines") with every line column already computed for the snapshot's as_of, so
the metrics functions filter and sum instead of recomputing per request. The
low-allocation peer baseline is partner-wide by definition, so it is computed
here once, over all customers. `customer_facts` holds one row per customer
with the setting-independent parts of the customer list (statuses' inputs,
products, subscription types, license sums). `license_weeks` holds the
license trend per customer, product and week.

A snapshot imported before a table was added here lacks it: import again.
The calling tables are built by calling_facts.py (a snapshot without them is
still served, from the imported tables).
"""

from __future__ import annotations

from datetime import date, timedelta

from . import calling_facts, health_facts
from .contract import ENDPOINT_TYPES, PRODUCTS

SIZE_BANDS = ((1, 10, "1-10"), (11, 50, "11-50"), (51, 250, "51-250"), (251, 1000, "251-1000"))
MIN_BAND_LINES = 5
SPARK_WEEKS = 13
TREND_WEEKS = 12  # metrics.md "License distribution trend"


def _months_between(a: str, b: str) -> str:
    """Whole calendar months from date a to date b (metrics.md)."""
    return (
        f"(12 * (year({b}) - year({a})) + (month({b}) - month({a})) - CASE WHEN day({b}) < day({a}) THEN 1 ELSE 0 END)"
    )


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
       {_months_between("start_date", "$as_of")}::BIGINT AS months_since_added,
       {_months_between("$as_of", "end_date")}::BIGINT AS months_remaining,
       {_size_band("total_licenses")} AS size_band
FROM facts
"""

# median = mean of the two middle values for an even count (DuckDB's median
# interpolates, which is exactly that). A band with fewer than MIN_BAND_LINES
# eligible lines (none at all, too) falls back to the product's median.
BASELINE_SQL = f"""
CREATE TABLE peer_baselines AS
WITH eligible AS (
    SELECT product, size_band, allocation_ratio FROM lines WHERE is_current AND total_licenses >= 1
),
bands AS (SELECT DISTINCT product, size_band FROM lines WHERE size_band IS NOT NULL),
band AS (SELECT product, size_band, median(allocation_ratio) AS m, count(*) AS n FROM eligible GROUP BY ALL),
product AS (SELECT product, median(allocation_ratio) AS m FROM eligible GROUP BY ALL)
SELECT bands.product, bands.size_band, coalesce(band.n, 0) AS band_lines,
       CASE WHEN coalesce(band.n, 0) >= {MIN_BAND_LINES} THEN band.m ELSE product.m END AS peer_baseline
FROM bands
LEFT JOIN band USING (product, size_band)
LEFT JOIN product USING (product)
"""

ADD_BASELINE_SQL = """
CREATE TABLE lines_with_baseline AS
SELECT l.*, b.peer_baseline
FROM lines l LEFT JOIN peer_baselines b USING (product, size_band)
ORDER BY l.customer_id, l.subscription_id, l.product;
DROP TABLE lines;
ALTER TABLE lines_with_baseline RENAME TO lines;
"""

# One row per customer with everything about it that does not depend on a
# setting, so the customer list (100 000 rows) is one scan. The settings-
# dependent statuses (expiring_soon, no_recent_activity) are derived at query
# time from next_end_without_renewal and last_admin_sign_in.
CUSTOMER_FACTS_SQL = """
CREATE TABLE customer_facts AS
WITH subs AS (
    SELECT customer_id,
           bool_or(kind = 'trial' AND status = 'active' AND start_date <= $as_of AND $as_of <= end_date)
               AS has_active_trial,
           bool_or(kind = 'paid' AND status = 'active' AND start_date <= $as_of AND $as_of <= end_date)
               AS has_active_paid,
           bool_or(kind = 'paid' AND status <> 'expired' AND start_date <= $as_of AND $as_of <= end_date)
               AS has_current_paid,
           bool_or(kind = 'trial' AND status <> 'expired' AND start_date <= $as_of AND $as_of <= end_date)
               AS has_current_trial,
           -- the nearest end of anything live that will not renew by itself
           min(end_date) FILTER (WHERE status <> 'expired' AND NOT auto_renew AND end_date >= $as_of)
               AS next_end_without_renewal,
           bool_or(status = 'pending_setup') AS has_pending_setup,
           bool_or(status = 'suspended') AS has_suspended,
           bool_or(status <> 'expired' AND end_date >= $as_of) AS has_live
    FROM subscriptions GROUP BY customer_id
),
per_product AS (
    SELECT customer_id, product, bool_or(assigned > total_licenses) AS overage,
           sum(total_licenses) AS total_licenses, sum(assigned) AS assigned, sum(used) AS used
    FROM lines WHERE is_current GROUP BY ALL
),
current_lines AS (
    SELECT customer_id,
           list(product ORDER BY list_position($product_order::VARCHAR[], product)) AS product_list,
           bool_or(overage) AS has_overage,
           sum(total_licenses)::BIGINT AS total_licenses, sum(assigned)::BIGINT AS assigned,
           sum(used)::BIGINT AS used
    FROM per_product GROUP BY customer_id
)
SELECT c.customer_id, c.name AS customer_name, c.managed_by, c.last_admin_sign_in,
       coalesce(s.has_active_trial, false) AS has_active_trial,
       coalesce(s.has_active_paid, false) AS has_active_paid,
       coalesce(s.has_current_paid, false) AS has_current_paid,
       coalesce(s.has_current_trial, false) AS has_current_trial,
       s.next_end_without_renewal,
       coalesce(cl.has_overage, false) AS has_overage,
       coalesce(s.has_pending_setup, false) AS has_pending_setup,
       coalesce(s.has_suspended, false) AS has_suspended,
       NOT coalesce(s.has_live, false) AS is_expired,
       coalesce(cl.product_list, []::VARCHAR[]) AS product_list,
       array_to_string(coalesce(cl.product_list, []::VARCHAR[]), ';') AS products,
       concat_ws(';', CASE WHEN s.has_current_paid THEN 'paid' END,
                      CASE WHEN s.has_current_trial THEN 'trial' END) AS subscription_types,
       coalesce(cl.total_licenses, 0)::BIGINT AS total_licenses,
       coalesce(cl.assigned, 0)::BIGINT AS assigned,
       coalesce(cl.used, 0)::BIGINT AS used
FROM customers c
LEFT JOIN subs s USING (customer_id)
LEFT JOIN current_lines cl USING (customer_id)
ORDER BY c.name, c.customer_id
"""


# The license trend per (customer, product, week) of the 12 trend weeks, so the
# trend of any scope is one small GROUP BY instead of a join over
# license_usage. Per metrics.md: the licenses of lines whose subscription runs
# at some point in the week (whatever its status), and that week's assigned
# and used of those lines.
LICENSE_WEEKS_SQL = f"""
CREATE TABLE license_weeks AS
WITH weeks AS (SELECT CAST($latest - INTERVAL 7 DAY * i AS DATE) AS week_start FROM range({TREND_WEEKS}) t(i)),
wl AS (
    SELECT w.week_start, l.customer_id, l.subscription_id, l.product, l.total_licenses
    FROM weeks w JOIN lines l ON l.start_date <= w.week_start + 6 AND l.end_date >= w.week_start
),
u AS (SELECT subscription_id, product, week_start, assigned, used FROM license_usage
      WHERE week_start > $latest - INTERVAL {7 * TREND_WEEKS} DAY)
SELECT wl.customer_id, wl.product, wl.week_start,
       sum(wl.total_licenses)::BIGINT AS total_licenses,
       coalesce(sum(u.assigned), 0)::BIGINT AS assigned,
       coalesce(sum(u.used), 0)::BIGINT AS used
FROM wl LEFT JOIN u USING (subscription_id, product, week_start)
GROUP BY ALL
ORDER BY wl.customer_id, wl.product, wl.week_start
"""


def build(con, as_of: date) -> None:
    """Creates `lines`, `peer_baselines`, `customer_facts`, `license_weeks`
    and the calling tables in the snapshot being written."""
    params = {"as_of": as_of, "latest": as_of - timedelta(days=7), "previous": as_of - timedelta(days=14)}
    con.execute(LINES_SQL, params)
    con.execute(BASELINE_SQL)
    con.execute(ADD_BASELINE_SQL)
    con.execute(CUSTOMER_FACTS_SQL, {"as_of": as_of, "product_order": list(PRODUCTS)})
    con.execute(LICENSE_WEEKS_SQL, {"latest": params["latest"]})
    calling_facts.build(con, as_of, list(ENDPOINT_TYPES))
    health_facts.build(con, as_of)
