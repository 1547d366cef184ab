"""Customer status badges and trend arrows: words first, colour second."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from dash import html

from partnerhub.formatting import MISSING
from partnerhub.i18n import _

from .icons import aria, icon, tip


def status_labels() -> dict[str, str]:
    """status -> label in the current request's language, in the spec's
    table order (metrics.md "Customer statuses"). Written out as literal
    _() calls so that the catalogue extraction finds them."""
    return {
        "trial": _("Trial"),
        "subscription": _("Subscription"),
        "expiring_soon": _("Expiring soon"),
        "license_overage": _("License overage"),
        "no_recent_activity": _("No recent activity"),
        "order_ready_for_setup": _("Order ready for setup"),
        "suspended": _("Suspended"),
        "expired": _("Expired"),
    }


STATUS_LABELS = status_labels()  # English: built at import, outside any request
STATUS_ORDER = tuple(STATUS_LABELS)
STATUS_ICONS = {
    "trial": "bi-hourglass-split",
    "subscription": "bi-check-circle",
    "expiring_soon": "bi-calendar-x",
    "license_overage": "bi-exclamation-triangle",
    "no_recent_activity": "bi-moon",
    "order_ready_for_setup": "bi-box-seam",
    "suspended": "bi-pause-circle",
    "expired": "bi-x-circle",
}
NEEDS_ATTENTION = ("expiring_soon", "license_overage", "no_recent_activity", "order_ready_for_setup", "suspended")


def split_statuses(statuses) -> list[str]:
    """A list, or the export's ";"-joined text, as a list (empty for None)."""
    if statuses is None:
        return []
    if isinstance(statuses, str):
        return [s for s in statuses.split(";") if s]
    return [s for s in statuses if s]


def status_badges(statuses: Iterable[str] | str | None, labels: Mapping[str, str] | None = None, id=None) -> html.Span:
    """Labelled badges for a customer's statuses, in the given order.

    statuses: a list or the ";"-joined export text. labels: status -> text
    (defaults to status_labels()); an unknown status shows its raw name, so
    nothing is silently dropped. Each badge has a `status-<name>` class for
    its colour and an icon; the text alone carries the meaning.
    """
    labels = labels or status_labels()
    items = split_statuses(statuses)
    badges = [
        html.Span(
            [
                icon(STATUS_ICONS.get(s, "bi-circle"), "me-1"),
                labels.get(s, s),
            ],
            className=f"badge status-badge status-{s}",
        )
        for s in items
    ]
    props = {"id": id} if id is not None else {}
    if not badges:
        return html.Span(MISSING, className="status-badges text-muted", **props)
    return html.Span(badges, className="status-badges", **props)


TREND_ICONS = {"up": "bi-arrow-up-right", "down": "bi-arrow-down-right", "flat": "bi-arrow-right"}


def trend_labels() -> dict[str, str]:
    return {"up": _("Up"), "down": _("Down"), "flat": _("Flat"), "none": _("No trend")}


def trend_arrow(trend: str | None, id=None) -> html.Span:
    """An arrow with its word ("Up", "Down", "Flat"); None -> "—" with the
    accessible name "No trend"."""
    props = {"id": id} if id is not None else {}
    labels = trend_labels()
    if trend not in TREND_ICONS:
        return html.Span(
            MISSING, className="trend trend-none", **tip(labels["none"]), **aria(label=labels["none"]), **props
        )
    return html.Span(
        [icon(TREND_ICONS[trend], "me-1"), labels[trend]],
        className=f"trend trend-{trend}",
        **props,
    )
