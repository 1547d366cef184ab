"""Everything the customer page shows about one customer.

A customer outside the viewer's scope gets exactly the answer of one that
does not exist: None. Every query below carries the scope as a bound
parameter as well, so nothing of an out-of-scope customer is ever read.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from partnerhub.data.contract import PRODUCTS

from .customers import customer_row
from .query import cast_columns, scope_sql
from .types import Context, View

SUBSCRIPTION_COLUMNS = (
    "subscription_id",
    "kind",
    "status",
    "start_date",
    "end_date",
    "auto_renew",
    "days_to_end",
    "is_current",
)
LINE_COLUMNS = (
    "subscription_id",
    "product",
    "total_licenses",
    "assigned",
    "used",
    "available",
    "overage",
    "allocation_ratio",
    "usage_ratio",
    "is_current",
    "usage_sparkline",
)


@dataclass(frozen=True)
class CustomerDetail:
    customer: dict  # the customer list's row (statuses, tags, sums, ...)
    subscriptions: pl.DataFrame  # paid subscriptions and trials, newest first
    lines: pl.DataFrame  # license lines of every subscription
    invoices: pl.DataFrame
    orders: pl.DataFrame
    trials: pl.DataFrame  # the imported trials (kind = trial), as in `subscriptions`

    @property
    def customer_id(self) -> str:
        return self.customer["customer_id"]


def customer_detail(ctx: Context, view: View, customer_id: str) -> CustomerDetail | None:
    if not isinstance(customer_id, str) or not customer_id:
        return None
    if view.scope is not None and customer_id not in view.scope:
        return None
    row = customer_row(ctx, view, customer_id)
    if row is None:
        return None
    scope, params = scope_sql(view, "s.customer_id")
    params = {**params, "customer_id": customer_id}
    snap = ctx.snapshot
    subs = snap.frame(
        f"""
        SELECT s.subscription_id, s.kind, s.status, s.start_date, s.end_date, s.auto_renew,
               (s.end_date - $as_of)::BIGINT AS days_to_end,
               (s.status <> 'expired' AND s.start_date <= $as_of AND $as_of <= s.end_date) AS is_current
        FROM subscriptions s WHERE s.customer_id = $customer_id AND {scope}
        ORDER BY s.start_date DESC, s.subscription_id""",
        {**params, "as_of": ctx.as_of},
    )
    subs = cast_columns(subs, ints=("days_to_end",))
    lines = snap.frame(
        f"""
        SELECT {", ".join("s." + c for c in LINE_COLUMNS)} FROM lines s
        WHERE s.customer_id = $customer_id AND {scope}
        ORDER BY s.start_date DESC, s.subscription_id, list_position($order::VARCHAR[], s.product)""",
        {**params, "order": list(PRODUCTS)},
    )
    lines = cast_columns(
        lines,
        ints=("total_licenses", "assigned", "used", "available", "overage"),
        floats=("allocation_ratio", "usage_ratio"),
    )
    invoices = snap.frame(
        f"""
        SELECT i.invoice_id, i.subscription_id, i.issued_on, i.due_on, i.amount, i.currency, i.status
        FROM invoices i JOIN subscriptions s USING (subscription_id)
        WHERE s.customer_id = $customer_id AND {scope}
        ORDER BY i.issued_on DESC, i.invoice_id""",
        params,
    )
    orders = snap.frame(
        f"""
        SELECT o.order_id, o.subscription_id, o.ordered_on, o.type, o.description
        FROM orders o JOIN subscriptions s USING (subscription_id)
        WHERE s.customer_id = $customer_id AND {scope}
        ORDER BY o.ordered_on DESC, o.order_id""",
        params,
    )
    trials = subs.filter(pl.col("kind") == "trial")
    return CustomerDetail(row, subs, lines, invoices, orders, trials)
