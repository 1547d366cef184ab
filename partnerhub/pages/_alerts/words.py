"""The Alerts page's words for codes: parameters, channels, states, a rule's
narrowing. The words of conditions and of what made an alert fire are
shared with e-mails and webhooks (services/alert_words.py)."""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import urlsplit

from partnerhub.components.labels import managed_by_labels
from partnerhub.i18n import _
from partnerhub.metrics.health_reasons import band_label
from partnerhub.services import alert_rules
from partnerhub.services.alert_words import rule_title

# parameters typed as a percentage on the page (stored as a ratio from 0 to 1)
PERCENT_PARAMS = frozenset({"ratio"})


def param_labels() -> dict[str, str]:
    return {
        "points": _("Points"),
        "days": _("Days"),
        "below": _("Score below (0 to 1)"),
        "ratio": _("Ratio (%)"),
        "min_calls": _("At least this many calls in the latest week"),
        "min_offered": _("At least this many offered calls"),
    }


def channel_labels() -> dict[str, str]:
    return {"inbox": _("In the app"), "email": _("E-mail"), "webhook": _("Webhook")}


def state_labels() -> dict[str, str]:
    return {"open": _("Still open"), "resolved": _("Resolved"), "all": _("Open and resolved")}


def condition_options(role: str) -> list[dict]:
    """The conditions this role may set, each in words with its defaults."""
    return [
        {"label": rule_title({"condition": c, "params": alert_rules.defaults(c)}), "value": c}
        for c in alert_rules.conditions_for(role)
    ]


def narrowing(filters: Mapping[str, list[str]]) -> str:
    """A rule's filters in words; "All customers in your scope" when none."""
    parts = []
    if filters.get("tag"):
        parts.append(_("tags: %(names)s", names=", ".join(filters["tag"])))
    if filters.get("managed_by"):
        labels = managed_by_labels()
        parts.append(_("managed by: %(names)s", names=", ".join(labels.get(v, v) for v in filters["managed_by"])))
    if filters.get("health_band"):
        parts.append(_("health: %(names)s", names=", ".join(band_label(v) for v in filters["health_band"])))
    return "; ".join(parts) if parts else _("All customers in your scope")


def channels_text(rule: Mapping) -> str:
    labels = channel_labels()
    words = []
    for c in rule["channels"]:
        if c == "webhook" and rule.get("webhook_url"):
            words.append(f"{labels[c]} ({urlsplit(rule['webhook_url']).hostname or ''})")
        else:
            words.append(labels.get(c, c))
    return ", ".join(words)
