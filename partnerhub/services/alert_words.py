"""Alert rules and alerts in words, shared by the messages (e-mail,
webhooks, digest: partnerhub/alerts/messages.py), the Alerts page and the
API, so that a rule or an alert reads the same wherever it is shown.

Every sentence goes through `_`/`n_`, every number through
partnerhub.formatting: the words follow the request's language, or the
recipient's inside `with language(code):`.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from partnerhub.formatting import fmt_date, fmt_int, fmt_number, fmt_ratio
from partnerhub.i18n import N_, _, n_
from partnerhub.metrics.health_reasons import band_label

# a rule in words, its parameters filled in (services/alert_rules.CONDITIONS)
CONDITION_LABELS = {
    "health_at_risk": N_("Health becomes at risk"),
    "health_drop": N_("Health score falls by %(points)s points or more"),
    "trial_ending": N_("An active trial ends within %(days)s days"),
    "subscription_expiring": N_("A paid subscription without auto-renew ends within %(days)s days"),
    "new_overage": N_("New license overage"),
    "new_order_ready_for_setup": N_("New order ready for setup"),
    "new_suspended": N_("Newly suspended subscription"),
    "usage_trend_low": N_("Usage trend score below %(below)s"),
    "poor_call_quality": N_("Poor calls at %(ratio)s or more, with at least %(min_calls)s calls"),
    "queue_abandonment": N_(
        "Call-queue abandon ratio at %(ratio)s or more, with at least %(min_offered)s offered calls"
    ),
    "no_admin_activity": N_("No administrator sign-in for %(days)s days"),
}
_RATIOS = ("ratio",)  # parameters shown as a percentage
_SCORES = ("below",)  # parameters shown as a score from 0 to 1


def _param_text(name: str, value) -> str:
    if name in _RATIOS:
        return fmt_ratio(value, 1)
    if name in _SCORES:
        return fmt_number(value, 2)
    return fmt_int(value)


def rule_title(rule: Mapping) -> str:
    """The rule in words: "Health score falls by 15 points or more"."""
    label = CONDITION_LABELS.get(rule["condition"])
    if label is None:
        return str(rule["condition"])
    params = {k: _param_text(k, v) for k, v in (rule.get("params") or {}).items()}
    return _(label, **params) if params else _(label)


def alert_detail(condition: str, values: Mapping[str, Any]) -> str:
    """What made an alert fire, in a phrase with its numbers."""
    v = values
    if condition in ("health_at_risk", "health_drop"):
        score = fmt_int(v.get("health_score"))
        if condition == "health_drop" and v.get("previous_health_score") is not None:
            return _(
                "health score %(score)s, down %(drop)s points from %(before)s",
                score=score,
                drop=fmt_int(v.get("drop")),
                before=fmt_int(v.get("previous_health_score")),
            )
        return _("health score %(score)s (%(band)s)", score=score, band=band_label(v.get("health_band")))
    if condition in ("trial_ending", "subscription_expiring"):
        days = int(v.get("days_to_end") or 0)
        end = fmt_date(v.get("end_date"))
        if condition == "trial_ending":
            return n_(
                "trial ends in %(count)s day, on %(date)s",
                "trial ends in %(count)s days, on %(date)s",
                days,
                count=fmt_int(days),
                date=end,
            )
        return n_(
            "ends in %(count)s day, on %(date)s, without auto-renew",
            "ends in %(count)s days, on %(date)s, without auto-renew",
            days,
            count=fmt_int(days),
            date=end,
        )
    if condition == "new_overage":
        return _(
            "%(assigned)s licenses assigned of %(total)s purchased",
            assigned=fmt_int(v.get("assigned")),
            total=fmt_int(v.get("total_licenses")),
        )
    if condition == "new_order_ready_for_setup":
        return _("an order is ready for setup")
    if condition == "new_suspended":
        return _("a subscription is suspended")
    if condition == "usage_trend_low":
        return _("usage trend score %(score)s", score=fmt_number(v.get("usage_trend_score"), 2))
    if condition == "poor_call_quality":
        return _(
            "%(ratio)s poor calls of %(calls)s calls last week",
            ratio=fmt_ratio(v.get("poor_ratio"), 1),
            calls=fmt_int(v.get("calls")),
        )
    if condition == "queue_abandonment":
        return _(
            "%(abandoned)s of %(offered)s queued calls abandoned last week (%(ratio)s)",
            abandoned=fmt_int(v.get("abandoned")),
            offered=fmt_int(v.get("offered")),
            ratio=fmt_ratio(v.get("abandon_ratio"), 1),
        )
    if condition == "no_admin_activity":
        since = v.get("days_since_sign_in")
        if since is None:
            return _("no administrator has ever signed in")
        return n_(
            "no administrator sign-in for %(count)s day",
            "no administrator sign-in for %(count)s days",
            int(since),
            count=fmt_int(since),
        )
    return ""


def iso_text(value) -> Any:
    """A date or a time as ISO 8601 text (JSON has neither); anything else as it is."""
    return value.isoformat() if isinstance(value, datetime | date) else value


def alert_fields(alert: Mapping) -> dict[str, Any]:
    """An alert as the API and the webhooks carry it (interfaces.md: rule
    id, condition, customer, opened and resolved snapshot and time, the
    values that made it fire); each adds its own fields."""
    return {
        "id": alert["id"],
        "rule_id": alert["rule_id"],
        "condition": alert["condition"],
        "customer_id": alert["customer_id"],
        "customer_name": alert["customer_name"],
        "state": alert["state"],
        "values": dict(alert["values"] or {}),
        "opened_snapshot": alert["opened_snapshot"],
        "opened_as_of": iso_text(alert["opened_as_of"]),
        "opened_at": iso_text(alert["opened_at"]),
        "resolved_snapshot": alert["resolved_snapshot"],
        "resolved_as_of": iso_text(alert["resolved_as_of"]),
        "resolved_at": iso_text(alert["resolved_at"]),
    }
