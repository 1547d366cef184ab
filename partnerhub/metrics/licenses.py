"""License sections of the analytics page (metrics.md "Headline KPIs" to
"License overage"), over the precomputed `lines` table of the snapshot.

DuckDB picks the viewer's lines of one section (scope and product bound as
parameters, the section's rule as SQL, sorted as the spec says); Polars sums
them into the section's KPIs.
"""

from __future__ import annotations

import re
from datetime import timedelta

import polars as pl

from partnerhub.data.facts import TREND_WEEKS

from . import cache
from .query import cast_columns, ratio_value, scope_sql, weeks_ending_latest
from .types import TOGGLE_PRODUCTS, Context, Filters, Result, View

RECENT_DAYS = 90  # "Recently added (last 90 days)"
WINDOW_DAYS = 90  # "in the next 90 days"

# One SQL rule per section, over `lines`: the section's rule of metrics.md.
# Recently added: a current line whose start_date is within the last 90 days.
RECENT = "is_current AND start_date BETWEEN $recent_from AND $as_of"
# Expiring: a current line whose subscription does not renew by itself and ends
# within the next 90 days (trials never renew by themselves).
EXPIRING = "is_current AND NOT auto_renew AND end_date BETWEEN $as_of AND $window_end"
# Renewing: the same, for subscriptions that renew automatically.
RENEWING = "is_current AND auto_renew AND end_date BETWEEN $as_of AND $window_end"
# Low allocation: a current line of at least one license, at least 30 days old,
# whose share of assigned licenses is under half of what is usual for lines of
# the same product and size across the whole partner (the peer baseline).
LOW = (
    "is_current AND total_licenses >= 1 AND start_date <= $low_age_cutoff "
    "AND allocation_ratio < $low_factor * peer_baseline"
)
# Overage: a current line with more licenses assigned than purchased.
OVERAGE = "is_current AND assigned > total_licenses"

INT_COLUMNS = (
    "total_licenses",
    "assigned",
    "used",
    "available",
    "overage",
    "weekly_allocation_change",
    "weekly_usage_change",
    "usage_3_months",
    "days_since_added",
    "days_to_end",
    "months_since_added",
    "months_remaining",
)
FLOAT_COLUMNS = ("allocation_ratio", "usage_ratio", "peer_baseline")


def _params(ctx: Context) -> dict:
    as_of = ctx.as_of
    s = ctx.settings
    return {
        "as_of": as_of,
        "recent_from": as_of - timedelta(days=RECENT_DAYS),
        "window_end": as_of + timedelta(days=WINDOW_DAYS),
        "low_age_cutoff": as_of - timedelta(days=s.low_allocation_min_age_days),
        "low_factor": float(s.low_allocation_factor),
    }


def _params_named_in(sql: str, params: dict) -> dict:
    """Only the parameters the statement names (DuckDB refuses extra ones)."""
    return {k: v for k, v in params.items() if re.search(rf"\${k}\b", sql)}


def check_product(view: View) -> str:
    if view.product not in TOGGLE_PRODUCTS:
        raise ValueError(f"product must be one of {', '.join(TOGGLE_PRODUCTS)}, not {view.product!r}")
    return view.product


def section_view(view: View) -> View:
    """What a license section depends on: the scope and the product toggle
    (customer-list filters do not apply), so the cache shares entries."""
    return View(scope=view.scope, product=view.product, filters=Filters())


def _section_lines(ctx: Context, view: View, rule: str, columns: tuple[str, ...], order: str) -> pl.DataFrame:
    product = check_product(view)
    scope, params = scope_sql(view)
    sql = f"SELECT {', '.join(columns)} FROM lines WHERE product = $product AND {scope} AND ({rule}) ORDER BY {order}"
    params = {**params, "product": product, **_params_named_in(sql, _params(ctx))}
    df = ctx.snapshot.frame(sql, params)
    return cast_columns(
        df,
        ints=INT_COLUMNS,
        floats=FLOAT_COLUMNS,
        texts=("customer_id", "customer_name", "subscription_id", "kind", "status"),
    )


def _distinct_customers(df: pl.DataFrame) -> int:
    return int(df["customer_id"].n_unique()) if df.height else 0


def _sum(df: pl.DataFrame, column: str) -> int:
    return int(df[column].sum()) if df.height else 0


# ---- datasets ---------------------------------------------------------------------------------

RECENT_COLUMNS = (
    "customer_id",
    "customer_name",
    "subscription_id",
    "days_since_added",
    "total_licenses",
    "used",
    "assigned",
    "available",
    "weekly_allocation_change",
    "weekly_usage_change",
)


def recently_added(ctx: Context, view: View) -> Result:
    """Current lines added in the last 90 days, newest first.
    new_customers: Customers with a subscription added in the last 90 days.
    total_licenses: Licenses purchased (on those lines)."""
    view = section_view(view)

    def compute():
        df = _section_lines(
            ctx, view, RECENT, RECENT_COLUMNS, "days_since_added, customer_name, customer_id, subscription_id"
        )
        kpis = {"new_customers": _distinct_customers(df), "total_licenses": _sum(df, "total_licenses")}
        return Result("recently_added", ctx.as_of, kpis, df, RECENT_COLUMNS)

    return cache.cached(ctx, "recently_added", view, compute)


WINDOW_COLUMNS = (
    "customer_id",
    "customer_name",
    "subscription_id",
    "days_to_end",
    "total_licenses",
    "used",
    "assigned",
    "available",
    "usage_3_months",
)


def _window(ctx: Context, view: View, name: str, rule: str, customers_kpi: str) -> Result:
    view = section_view(view)

    def compute():
        df = _section_lines(
            ctx,
            view,
            rule,
            # kind and status: which lines are trials, for the alert rules
            WINDOW_COLUMNS + ("usage_sparkline", "kind", "status"),
            "days_to_end, customer_name, customer_id, subscription_id",
        )
        licenses = _sum(df, "total_licenses")
        kpis = {
            customers_kpi: _distinct_customers(df),
            "allocation_ratio": ratio_value(_sum(df, "assigned"), licenses),
            "usage_ratio": ratio_value(_sum(df, "used"), licenses),
        }
        return Result(name, ctx.as_of, kpis, df, WINDOW_COLUMNS)

    return cache.cached(ctx, name, view, compute)


def expiring(ctx: Context, view: View) -> Result:
    """Current lines ending within 90 days that do not renew automatically,
    soonest first.
    expiring_customers: Customers with a subscription or trial that ends
    within the next 90 days and does not renew automatically.
    allocation_ratio: Assigned licenses as a share of purchased licenses.
    usage_ratio: Used licenses as a share of purchased licenses."""
    return _window(ctx, view, "expiring", EXPIRING, "expiring_customers")


def renewing(ctx: Context, view: View) -> Result:
    """Current lines ending within 90 days that renew automatically.
    renewing_customers: Customers with a subscription that ends within the
    next 90 days and renews automatically. allocation_ratio, usage_ratio: as
    for expiring."""
    return _window(ctx, view, "renewing", RENEWING, "renewing_customers")


LOW_COLUMNS = (
    "customer_id",
    "customer_name",
    "subscription_id",
    "months_since_added",
    "assigned",
    "allocation_ratio",
    "total_licenses",
    "used",
    "available",
    "weekly_allocation_change",
    "peer_baseline",
)


def low_allocation(ctx: Context, view: View) -> Result:
    """Lines with few licenses assigned compared with their peers, lowest first.
    low_allocation_customers: Customers with a subscription, at least 30 days
    old, that has assigned less than half of the share of licenses usual for
    its peers. allocation_ratio: Assigned licenses as a share of purchased
    licenses. assigned_usage_ratio: Used licenses as a share of purchased
    licenses, over the low-allocation subscriptions. unassigned_licenses:
    Purchased licenses not given to anyone, over the low-allocation
    subscriptions. peer_baseline: the usual share of assigned licenses (the
    median) for current lines of the same product and a similar size across
    all of the partner's customers."""
    view = section_view(view)

    def compute():
        df = _section_lines(
            ctx, view, LOW, LOW_COLUMNS, "allocation_ratio, customer_name, customer_id, subscription_id"
        )
        licenses = _sum(df, "total_licenses")
        kpis = {
            "low_allocation_customers": _distinct_customers(df),
            "allocation_ratio": ratio_value(_sum(df, "assigned"), licenses),
            "assigned_usage_ratio": ratio_value(_sum(df, "used"), licenses),
            "unassigned_licenses": _sum(df, "available"),
        }
        return Result("low_allocation", ctx.as_of, kpis, df, LOW_COLUMNS)

    return cache.cached(ctx, "low_allocation", view, compute)


OVERAGE_COLUMNS = (
    "customer_id",
    "customer_name",
    "subscription_id",
    "months_remaining",
    "auto_renew",
    "total_licenses",
    "assigned",
    "allocation_ratio",
    "used",
    "usage_ratio",
    "overage",
)


def overage(ctx: Context, view: View) -> Result:
    """Current lines with more licenses assigned than purchased, largest first.
    overage_customers: Customers that have assigned more licenses than they
    purchased. overage_licenses: Licenses assigned beyond those purchased, in
    total. average_overage: Overage licenses per customer in overage."""
    view = section_view(view)

    def compute():
        df = _section_lines(
            ctx, view, OVERAGE, OVERAGE_COLUMNS, "overage DESC, customer_name, customer_id, subscription_id"
        )
        customers = _distinct_customers(df)
        licenses = _sum(df, "overage")
        kpis = {
            "overage_customers": customers,
            "overage_licenses": licenses,
            "average_overage": ratio_value(licenses, customers),
        }
        return Result("overage", ctx.as_of, kpis, df, OVERAGE_COLUMNS)

    return cache.cached(ctx, "overage", view, compute)


TREND_COLUMNS = ("week_start", "total_licenses", "assigned", "used")


def license_trend(ctx: Context, view: View) -> Result:
    """Per week of the last 12: licenses of the subscriptions running that
    week (whatever their status today), and how many of them were assigned
    and used that week. Summed from `license_weeks`, precomputed at import."""
    view = section_view(view)

    def compute():
        product = check_product(view)
        scope, params = scope_sql(view)
        weeks = weeks_ending_latest(ctx, TREND_WEEKS)
        sql = f"""
        WITH weeks AS (SELECT unnest($weeks::DATE[]) AS week_start),
        lw AS (SELECT week_start, sum(total_licenses) AS total_licenses, sum(assigned) AS assigned,
                      sum(used) AS used
               FROM license_weeks WHERE product = $product AND {scope} GROUP BY week_start)
        SELECT w.week_start,
               coalesce(lw.total_licenses, 0)::BIGINT AS total_licenses,
               coalesce(lw.assigned, 0)::BIGINT AS assigned,
               coalesce(lw.used, 0)::BIGINT AS used
        FROM weeks w LEFT JOIN lw ON lw.week_start = w.week_start
        ORDER BY w.week_start
        """
        df = ctx.snapshot.frame(sql, {**params, "weeks": weeks, "product": product})
        df = cast_columns(df, ints=("total_licenses", "assigned", "used")).with_columns(
            pl.col("week_start").cast(pl.Date)
        )
        return Result("license_trend", ctx.as_of, {}, df, TREND_COLUMNS)

    return cache.cached(ctx, "license_trend", view, compute)


# ---- headline -----------------------------------------------------------------------------------


def headline(ctx: Context, view: View) -> dict:
    """total_customers: Customers with at least one current Meetings or
    Calling subscription. expiring_customers, renewing_customers,
    low_allocation_customers, overage_customers: customers with at least one
    such Meetings or Calling line (see the sections). The product toggle does
    not change these."""
    view = View(scope=view.scope)

    def compute():
        scope, params = scope_sql(view)
        sql = f"""
        SELECT customer_id,
               bool_or(is_current) AS is_current,
               bool_or(coalesce({EXPIRING}, false)) AS expiring,
               bool_or(coalesce({RENEWING}, false)) AS renewing,
               bool_or(coalesce({LOW}, false)) AS low_allocation,
               bool_or(coalesce({OVERAGE}, false)) AS overage
        FROM lines
        WHERE product IN ('meetings', 'calling') AND {scope}
        GROUP BY customer_id
        """
        df = ctx.snapshot.frame(sql, {**params, **_params_named_in(sql, _params(ctx))})

        def count(column: str) -> int:
            return int(df[column].sum()) if df.height else 0

        return {
            "total_customers": count("is_current"),
            "expiring_customers": count("expiring"),
            "renewing_customers": count("renewing"),
            "low_allocation_customers": count("low_allocation"),
            "overage_customers": count("overage"),
        }

    return cache.cached(ctx, "headline", view, compute)
