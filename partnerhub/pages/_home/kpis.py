"""The KPI cards of "This week": customer health and the headline, for the
viewer's scope, each with its change since the snapshot a week earlier.

Both numbers come from the metrics functions every page and export uses
(health_kpis, licenses.headline); the change is metrics.changes'. A change
reads "▲ 12", "▼ 3" or "±0" with a sentence for screen readers and the
tooltip; its colour says whether it is for the better (at risk up is for the
worse, healthy up for the better), and the sentence says so in words."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from dash import html

from partnerhub.components import kpi_card, kpi_row
from partnerhub.components.icons import aria, tip
from partnerhub.formatting import fmt_int
from partnerhub.i18n import _, n_
from partnerhub.metrics.changes import week_on_week
from partnerhub.metrics.definitions import definition
from partnerhub.metrics.health import health_kpis
from partnerhub.metrics.licenses import headline
from partnerhub.metrics.types import Context, View

# the headline cards are the analytics page's five (HEADLINE), in its words
from partnerhub.pages._analytics.licenses import HEADLINE, headline_labels
from partnerhub.pages.drill import kpi_href as drill_href

HEALTH = ("at_risk_customers", "watch_customers", "healthy_customers", "licenses_at_risk")
# a rise of these is for the better; of every other card, for the worse
UP_IS_GOOD = frozenset({"healthy_customers", "total_customers", "renewing_customers"})

Number = int | float | None
Href = Callable[[str], str | None]


def health_labels() -> dict[str, str]:
    return {
        "at_risk_customers": _("At risk"),
        "watch_customers": _("Watch"),
        "healthy_customers": _("Healthy"),
        "licenses_at_risk": _("Licenses of customers at risk"),
    }


def card_id(key: str) -> str:
    return "home-kpi-" + key.replace("_", "-")


def change_sentence(delta: int | float) -> str:
    """What a change means in words, without its judgement."""
    amount = abs(round(delta))
    if amount == 0:
        return _("No change since the week before")
    if delta > 0:
        return n_(
            "%(count)s more than the week before", "%(count)s more than the week before", amount, count=fmt_int(amount)
        )
    return n_(
        "%(count)s fewer than the week before", "%(count)s fewer than the week before", amount, count=fmt_int(amount)
    )


def change_mark(key: str, delta: Number) -> html.Div | None:
    """'▲ 12' / '▼ 3' / '±0' under a card's value; None without a previous snapshot."""
    if delta is None:
        return None
    amount = abs(round(delta))
    sentence = change_sentence(delta)
    if amount == 0:
        shown, tone = "±0", "same"
    else:
        up = delta > 0
        shown = ("▲ " if up else "▼ ") + fmt_int(amount)
        tone = "good" if up == (key in UP_IS_GOOD) else "bad"
        verdict = _("for the better") if tone == "good" else _("for the worse")
        sentence = _("%(change)s, %(verdict)s", change=sentence, verdict=verdict)
    return html.Div(
        [html.Span(shown, **aria(hidden="true")), html.Span(sentence, className="visually-hidden")],
        id=card_id(key) + "-change",
        className=f"kpi-change kpi-change-{tone}",
        **tip(sentence),
    )


def card(key: str, label: str, value: Number, delta: Number, href: str | None = None):
    """One card with its change. href: the customers behind it (the
    drill-down; kpi_card makes its value the link)."""
    link = {"href": href} if href else {}
    built = kpi_card(card_id(key), label, value, definition(key), **link)
    mark = change_mark(key, delta)
    if mark is not None:
        # under the value: the card's body holds the head, the value and its hint
        built.children.children.insert(2, mark)
    return built


def kpi_href(key: str) -> str | None:
    """The address of the customers behind a card (the drill-down)."""
    return drill_href("health" if key in HEALTH else "headline", key)


def kpi_values(ctx: Context, previous: Context | None, scope: frozenset[str] | None) -> tuple[dict, dict]:
    """(the KPIs now, their changes): health and headline for the scope;
    every change None when no snapshot of a week earlier is kept."""
    view = View(scope=scope)
    health_now, health_change = week_on_week(health_kpis, ctx, previous, view)
    head_now, head_change = week_on_week(headline, ctx, previous, view)
    return {**health_now, **head_now}, {**health_change, **head_change}


def kpi_sections(now: Mapping[str, Number], change: Mapping[str, Number], href: Href | None = None) -> html.Div:
    """The two rows of cards: customer health, then the headline."""
    health, head = health_labels(), headline_labels()

    def row(keys, labels, id: str):
        return kpi_row(
            [card(k, labels[k], now.get(k), change.get(k), href(k) if href else None) for k in keys],
            id=id,
        )

    return html.Div(
        [
            html.H2(_("Customer health"), className="h5 home-kpi-title", id="home-health-title"),
            row(HEALTH, health, "home-health-kpis"),
            html.H2(_("Licenses"), className="h5 home-kpi-title", id="home-headline-title"),
            row(HEADLINE, head, "home-headline-kpis"),
        ],
        id="home-kpis",
    )
