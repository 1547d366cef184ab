"""Customer health in words: each reason as a sentence with its own number,
what would raise each component, and the labels of components and bands.

Pure functions: a health row (a dict with the columns of
metrics.health.COLUMNS, as `customer_health(...).frame` gives them) in,
translated text out (the request's language; English outside a request).
Pages, e-mails and alerts all say health with these, so they say it alike.
Numbers are formatted by partnerhub.formatting.
"""

from __future__ import annotations

from partnerhub.formatting import fmt_date, fmt_int, fmt_ratio
from partnerhub.i18n import N_, _, n_

from .health import BANDS, REASONS

COMPONENT_LABELS = {
    "allocation": N_("License allocation"),
    "usage": N_("License usage"),
    "usage_trend": N_("Usage trend"),
    "engagement": N_("Admin engagement"),
    "call_quality": N_("Call quality"),
    "renewal": N_("Renewal"),
}
BAND_LABELS = {"at_risk": N_("At risk"), "watch": N_("Watch"), "healthy": N_("Healthy")}
assert tuple(COMPONENT_LABELS) == REASONS and tuple(BAND_LABELS) == BANDS


def component_label(component: str) -> str:
    """'usage' (or 'usage_score') -> "License usage"."""
    return _(COMPONENT_LABELS[_reason(component)])


def band_label(band: str | None) -> str:
    """'at_risk' -> "At risk"; None (not scored) -> ""."""
    return _(BAND_LABELS[band]) if band else ""


def reason_list(row: dict) -> list[str]:
    """The row's reasons, in the spec's order ([] when none)."""
    named = set((row.get("reasons") or "").split(";"))
    return [r for r in REASONS if r in named]


def reason_sentences(row: dict) -> list[str]:
    """One sentence per reason of the row, in the reasons' order."""
    return [reason_sentence(row, r) for r in reason_list(row)]


def _reason(component: str) -> str:
    return component.removesuffix("_score")


def _share(num, den) -> float | None:
    if num is None or not den:
        return None
    return float(num) / float(den)


def _count(n) -> str:
    return fmt_int(n)


def reason_sentence(row: dict, reason: str) -> str:
    """The sentence saying how the customer stands on one component, with
    its number: "uses 12 % of its assigned licenses"."""
    reason = _reason(reason)
    if reason == "allocation":
        return _("assigns %(share)s of its licenses", share=fmt_ratio(_share(row["assigned"], row["licenses"]), 0))
    if reason == "usage":
        return _("uses %(share)s of its assigned licenses", share=fmt_ratio(_share(row["used"], row["assigned"]), 0))
    if reason == "usage_trend":
        recent, earlier = row["recent_used"], row["earlier_used"]
        if not earlier:
            return _("no usage in the 4 weeks before the last 4 to compare with")
        if recent >= earlier:
            return _("used as much in the last 4 weeks as in the 4 before, or more")
        drop = 1 - float(recent) / float(earlier)
        return _("used %(share)s less in the last 4 weeks than in the 4 before", share=fmt_ratio(drop, 0))
    if reason == "engagement":
        days = row["days_since_sign_in"]
        if days is None:
            return _("no administrator has ever signed in")
        return n_(
            "no administrator sign-in for %(count)s day",
            "no administrator sign-in for %(count)s days",
            days,
            count=_count(days),
        )
    if reason == "call_quality":
        if not row["calls"]:
            return _("no calls rated last week")
        return _("%(share)s poor calls last week", share=fmt_ratio(_share(row["poor_calls"], row["calls"]), 1))
    if reason == "renewal":
        days, trial = row["renewal_days"], row["renewal_kind"] == "trial"
        if days is None:
            return _("nothing ends in the next 90 days without renewing")
        if days == 0:
            return _("trial ends today") if trial else _("ends today without auto-renew")
        if trial:
            return n_("trial ends in %(count)s day", "trial ends in %(count)s days", days, count=_count(days))
        return n_(
            "ends in %(count)s day without auto-renew",
            "ends in %(count)s days without auto-renew",
            days,
            count=_count(days),
        )
    raise ValueError(f"unknown health component {reason!r}")


def component_advice(row: dict, component: str) -> str:
    """What would raise one component, with its number ("Assign the 45
    unassigned licenses"); "" when the component is already full (1) or does
    not apply (null)."""
    reason = _reason(component)
    score = row.get(f"{reason}_score")
    if score is None or score >= 1:
        return ""
    if reason == "allocation":
        n = max(row["licenses"] - row["assigned"], 0)
        return n_(
            "Assign the %(count)s unassigned license", "Assign the %(count)s unassigned licenses", n, count=_count(n)
        )
    if reason == "usage":
        n = max(row["assigned"] - row["used"], 0)
        return n_(
            "Help users start using the %(count)s assigned license they do not use",
            "Help users start using the %(count)s assigned licenses they do not use",
            n,
            count=_count(n),
        )
    if reason == "usage_trend":
        return _("Find out why fewer licenses were used in the last 4 weeks than in the 4 before")
    if reason == "engagement":
        return _("Ask a customer administrator to sign in to the admin console")
    if reason == "call_quality":
        n = row["poor_calls"] or 0
        return n_(
            "Look into the %(count)s poor call of last week",
            "Look into the %(count)s poor calls of last week",
            n,
            count=_count(n),
        )
    if reason == "renewal":
        end = fmt_date(row["renewal_end_date"])
        if row["renewal_kind"] == "trial":
            return _("Talk about a paid subscription before the trial ends on %(date)s", date=end)
        return _("Schedule a renewal conversation before %(date)s", date=end)
    raise ValueError(f"unknown health component {reason!r}")
