"""When each alert condition of spec/interfaces.md holds, on one snapshot,
for one view (the rule owner's scope, narrowed by the rule's filters).

Every number comes from a metrics dataset, the same one the pages and
exports show (customer_health, expiring, customers, call_quality,
call_queues): nothing here computes a number of its own, it only compares
the datasets' values with the rule's parameters.

`holding(...)` answers {customer_id: (customer_name, values)}: the customers
for whom the condition holds now, with the values that made it hold (JSON
numbers and strings, kept with the alert). "Newly" (new_overage, ...) and
"becomes" (health_at_risk) need nothing here: an alert opens only for a
customer without an open alert of the rule, which is one for whom the
condition did not hold at the rule's previous evaluation.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, datetime, timedelta
from typing import Any

import polars as pl

from partnerhub.metrics.calling import call_quality, call_queues
from partnerhub.metrics.customers import customers
from partnerhub.metrics.health import customer_health
from partnerhub.metrics.licenses import expiring
from partnerhub.metrics.types import TOGGLE_PRODUCTS, Context, Filters, View
from partnerhub.metrics.view_query import narrowed_view

Values = dict[str, Any]
Holding = dict[str, tuple[str, Values]]
# a small tolerance for "falls by at least N points": two unrounded scores'
# difference may land a hair under a whole number it equals on paper
_EPSILON = 1e-9


def rule_filters(filters: Mapping[str, list]) -> Filters:
    """A rule's narrowing (tag, managed_by, health_band) as list filters."""
    return Filters(
        tag=tuple(filters.get("tag") or ()),
        managed_by=tuple(filters.get("managed_by") or ()),
        health_band=tuple(filters.get("health_band") or ()),
    )


def rule_view(ctx: Context, scope: frozenset[str] | None, filters: Mapping[str, list]) -> View:
    """The customers a rule looks at: its owner's scope narrowed by its
    filters, as the pages narrow a dataset (metrics narrowed_view)."""
    return narrowed_view(ctx, scope, "meetings", rule_filters(filters))


def _number(value) -> float | int | None:
    if value is None:
        return None
    return value if isinstance(value, int) else float(value)


def _rows(frame: pl.DataFrame) -> list[dict]:
    return frame.to_dicts()


# ---- health ------------------------------------------------------------------------------------


def _health_values(row: dict) -> Values:
    return {
        "health_score": _number(row["health_score"]),
        "health_band": row["health_band"],
        "reasons": row["reasons"] or "",
    }


def health_at_risk(ctx: Context, view: View, params: Mapping, previous: Context | None) -> Holding:
    """The customer's health band is at_risk."""
    frame = customer_health(ctx, view).frame.filter(pl.col("health_band") == "at_risk")
    return {r["customer_id"]: (r["customer_name"], _health_values(r)) for r in _rows(frame)}


def health_drop(ctx: Context, view: View, params: Mapping, previous: Context | None) -> Holding:
    """The health score fell by at least `points` since the snapshot of the
    rule's previous evaluation (`previous`; none: nothing holds). A customer
    not scored then has no score to fall from."""
    if previous is None:
        return {}
    before = {
        r["customer_id"]: r["health_score"]
        for r in _rows(customer_health(previous, view).frame.select("customer_id", "health_score"))
    }
    points = float(params["points"])
    out: Holding = {}
    for r in _rows(customer_health(ctx, view).frame):
        was = before.get(r["customer_id"])
        if was is None or r["health_score"] is None:
            continue
        drop = float(was) - float(r["health_score"])
        if drop >= points - _EPSILON:
            values = _health_values(r) | {"previous_health_score": float(was), "drop": drop}
            out[r["customer_id"]] = (r["customer_name"], values)
    return out


def usage_trend_low(ctx: Context, view: View, params: Mapping, previous: Context | None) -> Holding:
    """The usage trend score is below `below` (a customer without one, no
    usage in the 4 weeks before, does not count)."""
    below = float(params["below"])
    frame = customer_health(ctx, view).frame.filter(pl.col("usage_trend_score") < below)
    return {
        r["customer_id"]: (
            r["customer_name"],
            {
                "usage_trend_score": _number(r["usage_trend_score"]),
                "recent_used": _number(r["recent_used"]),
                "earlier_used": _number(r["earlier_used"]),
            },
        )
        for r in _rows(frame)
    }


# ---- ends of subscriptions ---------------------------------------------------------------------


def _ending(ctx: Context, view: View, kind: str, days: int, active_only: bool) -> Holding:
    """Customers with a current Meetings or Calling line of a `kind`
    subscription in the expiring dataset (no auto-renew) ending within
    `days`: the soonest such end."""
    soonest: dict[str, tuple[str, Values]] = {}
    for product in TOGGLE_PRODUCTS:
        frame = expiring(ctx, View(scope=view.scope, product=product)).frame
        wanted = (pl.col("kind") == kind) & (pl.col("days_to_end") <= days)
        if active_only:
            wanted &= pl.col("status") == "active"
        for r in _rows(frame.filter(wanted)):
            cid, left = r["customer_id"], int(r["days_to_end"])
            if cid in soonest and soonest[cid][1]["days_to_end"] <= left:
                continue
            values = {
                "days_to_end": left,
                "end_date": (ctx.as_of + timedelta(days=left)).isoformat(),
                "subscription_id": r["subscription_id"],
            }
            soonest[cid] = (r["customer_name"], values)
    return dict(sorted(soonest.items()))


def trial_ending(ctx: Context, view: View, params: Mapping, previous: Context | None) -> Holding:
    """An active trial ends within `days` days."""
    return _ending(ctx, view, "trial", int(params["days"]), active_only=True)


def subscription_expiring(ctx: Context, view: View, params: Mapping, previous: Context | None) -> Holding:
    """A paid subscription without auto-renew ends within `days` days."""
    return _ending(ctx, view, "paid", int(params["days"]), active_only=False)


# ---- customer statuses -------------------------------------------------------------------------


def _with_status(status: str, extra: tuple[str, ...] = ()) -> Callable[..., Holding]:
    def holds(ctx: Context, view: View, params: Mapping, previous: Context | None) -> Holding:
        frame = customers(ctx, View(scope=view.scope)).frame
        frame = frame.filter(pl.col("statuses").str.split(";").list.contains(status))
        return {
            r["customer_id"]: (r["customer_name"], {"status": status} | {c: _number(r[c]) for c in extra})
            for r in _rows(frame)
        }

    holds.__name__ = f"has_{status}"
    holds.__doc__ = f"The customer list's status {status} holds."
    return holds


new_overage = _with_status("license_overage", ("total_licenses", "assigned"))
new_order_ready_for_setup = _with_status("order_ready_for_setup")
new_suspended = _with_status("suspended")


def _days_since(as_of: date, moment: datetime | None) -> int | None:
    """Whole days from the sign-in's (UTC) date to as_of; a sign-in after
    as_of (the export ran later) counts as that day, as customer health
    counts it."""
    if moment is None:
        return None
    return max((as_of - moment.date()).days, 0)


def no_admin_activity(ctx: Context, view: View, params: Mapping, previous: Context | None) -> Holding:
    """No customer administrator signed in during the last `days` days
    (or ever)."""
    days = int(params["days"])
    out: Holding = {}
    for r in _rows(customers(ctx, View(scope=view.scope)).frame):
        signed_in = r["last_admin_sign_in"]
        since = _days_since(ctx.as_of, signed_in)
        if since is None or since >= days:
            values = {
                "days_since_sign_in": since,
                "last_admin_sign_in": signed_in.isoformat() if signed_in is not None else None,
            }
            out[r["customer_id"]] = (r["customer_name"], values)
    return out


# ---- calling -----------------------------------------------------------------------------------


def poor_call_quality(ctx: Context, view: View, params: Mapping, previous: Context | None) -> Holding:
    """In the latest week, at least `min_calls` calls and a poor-call ratio
    of at least `ratio`."""
    frame = call_quality(ctx, View(scope=view.scope)).frame.filter(
        (pl.col("calls") >= int(params["min_calls"])) & (pl.col("poor_ratio") >= float(params["ratio"]))
    )
    return {
        r["customer_id"]: (
            r["customer_name"],
            {"calls": r["calls"], "poor_calls": r["poor_calls"], "poor_ratio": _number(r["poor_ratio"])},
        )
        for r in _rows(frame)
    }


def queue_abandonment(ctx: Context, view: View, params: Mapping, previous: Context | None) -> Holding:
    """In the latest week, at least `min_offered` calls entered the
    customer's call queues and at least `ratio` of them were abandoned."""
    frame = call_queues(ctx, View(scope=view.scope)).frame.filter(
        (pl.col("offered") >= int(params["min_offered"])) & (pl.col("abandon_ratio") >= float(params["ratio"]))
    )
    return {
        r["customer_id"]: (
            r["customer_name"],
            {"offered": r["offered"], "abandoned": r["abandoned"], "abandon_ratio": _number(r["abandon_ratio"])},
        )
        for r in _rows(frame)
    }


Check = Callable[[Context, View, Mapping, "Context | None"], Holding]

# every condition of services/alert_rules.CONDITIONS, by name
CHECKS: dict[str, Check] = {
    "health_at_risk": health_at_risk,
    "health_drop": health_drop,
    "trial_ending": trial_ending,
    "subscription_expiring": subscription_expiring,
    "new_overage": new_overage,
    "new_order_ready_for_setup": new_order_ready_for_setup,
    "new_suspended": new_suspended,
    "usage_trend_low": usage_trend_low,
    "poor_call_quality": poor_call_quality,
    "queue_abandonment": queue_abandonment,
    "no_admin_activity": no_admin_activity,
}
# the conditions that compare with the rule's previous evaluation
NEEDS_PREVIOUS = frozenset({"health_drop"})


def holding(
    condition: str,
    ctx: Context,
    scope: frozenset[str] | None,
    params: Mapping,
    filters: Mapping[str, list],
    previous: Context | None = None,
) -> Holding:
    """The customers in `scope` (None: all), narrowed by `filters`, for
    whom `condition` holds on ctx's snapshot; sorted by customer id."""
    view = rule_view(ctx, scope, filters)
    found = CHECKS[condition](ctx, view, params, previous)
    return dict(sorted(found.items()))
