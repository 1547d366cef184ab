"""What the customer page's Overview tab shows about one customer: its health
row, its license allocation and usage per product over the last 13 weeks,
and (for roles that may see calling) its calling usage, call quality and
call queues.

The calling numbers are the calling page's own dataset functions with the
scope narrowed to this one customer, so the two pages can never disagree. A
customer outside the viewer's scope gets exactly the answer of one that does
not exist: None.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from partnerhub.data.contract import PRODUCTS

from . import cache
from .calling import call_quality_trend, call_queues, calling_usage_trend
from .health import health_row
from .query import cast_columns, scope_sql, weeks_ending_latest
from .types import Context, Result, View

OVERVIEW_WEEKS = 13  # the license chart: the 13 weeks ending with the latest
LICENSE_WEEK_COLUMNS = ("product", "week_start", "total_licenses", "assigned", "used")


def license_weeks_by_product(ctx: Context, view: View) -> Result:
    """Per product and week of the 13 ending with the latest, over the view's
    customers: total_licenses of the lines whose subscription runs in that
    week (start_date <= week_start + 6 and end_date >= week_start, whatever
    its status: the license trend's rule), and that week's assigned and used
    of those lines. Products with such a line in at least one of the weeks,
    in the contract's product order; all 13 weeks listed, 0 where nothing."""
    view = View(scope=view.scope)

    def compute():
        scope, params = scope_sql(view, "l.customer_id")
        weeks = weeks_ending_latest(ctx, OVERVIEW_WEEKS)
        sql = f"""
        WITH weeks AS (SELECT unnest($weeks::DATE[]) AS week_start),
        wl AS (
            SELECT w.week_start, l.subscription_id, l.product, l.total_licenses
            FROM weeks w JOIN lines l ON l.start_date <= w.week_start + 6 AND l.end_date >= w.week_start
            WHERE {scope}
        ),
        u AS (
            SELECT subscription_id, product, week_start, assigned, used FROM license_usage
            WHERE week_start BETWEEN $first AND $last
              AND subscription_id IN (SELECT subscription_id FROM wl)
        ),
        per_week AS (
            SELECT wl.product, wl.week_start, sum(wl.total_licenses) AS total_licenses,
                   sum(u.assigned) AS assigned, sum(u.used) AS used
            FROM wl LEFT JOIN u USING (subscription_id, product, week_start)
            GROUP BY ALL
        ),
        products AS (SELECT DISTINCT product FROM wl)
        SELECT p.product, w.week_start,
               coalesce(pw.total_licenses, 0)::BIGINT AS total_licenses,
               coalesce(pw.assigned, 0)::BIGINT AS assigned,
               coalesce(pw.used, 0)::BIGINT AS used
        FROM products p CROSS JOIN weeks w
        LEFT JOIN per_week pw ON pw.product = p.product AND pw.week_start = w.week_start
        ORDER BY list_position($order::VARCHAR[], p.product), p.product, w.week_start
        """
        df = ctx.snapshot.frame(
            sql, {**params, "weeks": weeks, "first": weeks[0], "last": weeks[-1], "order": list(PRODUCTS)}
        )
        df = cast_columns(df, ints=("total_licenses", "assigned", "used"), texts=("product",)).with_columns(
            pl.col("week_start").cast(pl.Date)
        )
        return Result("license_weeks_by_product", ctx.as_of, {}, df.select(LICENSE_WEEK_COLUMNS), LICENSE_WEEK_COLUMNS)

    return cache.cached(ctx, "license_weeks_by_product", view, compute)


@dataclass(frozen=True)
class CallingOverview:
    usage_trend: pl.DataFrame  # calling_usage_trend: the 8 weeks ending with the latest
    quality_trend: pl.DataFrame  # call_quality_trend: the same weeks
    # call_queues of the latest week: the customer's row (None without queue data)
    # and the KPIs (averages and abandon_ratio over its queues)
    queues: dict | None
    queue_kpis: dict

    @property
    def has_data(self) -> bool:
        """Whether there is anything to draw: a user, a call or a queue row."""
        usage = self.usage_trend
        any_usage = usage.height > 0 and bool(
            usage["active_users"].sum() or usage["inactive_users"].sum() or usage["calls"].sum()
        )
        any_quality = self.quality_trend.height > 0 and bool(self.quality_trend["calls"].sum())
        return any_usage or any_quality or self.queues is not None


@dataclass(frozen=True)
class CustomerOverview:
    customer_id: str
    health: dict | None  # the customer's customer_health row; None: not scored
    license_weeks: pl.DataFrame  # license_weeks_by_product of this customer
    calling: CallingOverview | None  # None: the viewer may not see calling


def _exists(ctx: Context, customer_id: str) -> bool:
    df = ctx.snapshot.frame(
        "SELECT 1 AS found FROM customers WHERE customer_id = $customer_id LIMIT 1", {"customer_id": customer_id}
    )
    return df.height > 0


def calling_overview(ctx: Context, view: View) -> CallingOverview:
    """The calling page's trends and queue summary for the view's customers."""
    queues = call_queues(ctx, view)
    return CallingOverview(
        usage_trend=calling_usage_trend(ctx, view).frame,
        quality_trend=call_quality_trend(ctx, view).frame,
        queues=queues.frame.row(0, named=True) if queues.frame.height else None,
        queue_kpis=dict(queues.kpis),
    )


def customer_overview(ctx: Context, view: View, customer_id: str, calling: bool) -> CustomerOverview | None:
    """One customer of the viewer's scope; None when unknown or out of scope.
    calling: whether the viewer's role may see calling (the page decides)."""
    if not isinstance(customer_id, str) or not customer_id:
        return None
    if view.scope is not None and customer_id not in view.scope:
        return None
    if not _exists(ctx, customer_id):
        return None
    one = View(scope=frozenset({customer_id}))
    return CustomerOverview(
        customer_id=customer_id,
        health=health_row(ctx, one, customer_id),
        license_weeks=license_weeks_by_product(ctx, one).frame,
        calling=calling_overview(ctx, one) if calling else None,
    )
