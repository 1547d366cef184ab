"""The customer page's first tab, Overview: the health score with its six
components (a bar each, the reason sentence, what would raise it), the open
statuses, license allocation and usage per product over the last 13 weeks,
and calling usage, call quality and call queues when the viewer may see
calling and the customer has calling data. The notes and follow-up panel
goes into the empty `overview-notes` container.

Drawn in the page layout from metrics.customer_overview: no callbacks.
"""

from __future__ import annotations

import plotly.graph_objects as go
from dash import html
from dash.development.base_component import Component

from partnerhub.components import (
    chart_card,
    empty_state,
    fmt_int,
    fmt_ratio,
    fmt_seconds,
    section,
    status_badges,
)
from partnerhub.components.health import component_bar, health_score
from partnerhub.components.labels import product_labels
from partnerhub.data.health_facts import MIN_CALLS
from partnerhub.i18n import _, n_
from partnerhub.metrics.customer_overview import CallingOverview, CustomerOverview
from partnerhub.metrics.health import REASONS
from partnerhub.metrics.health_reasons import band_label, component_advice, component_label, reason_sentence
from partnerhub.pages._analytics.week_charts import (
    call_quality_text,
    call_quality_trend,
    calling_usage_text,
    calling_usage_trend,
    license_trend,
)

from .notes_ui import notes_panel

CHART_HEIGHT = 260  # small multiples: one license chart per product


def _sentence(text: str) -> str:
    """A reason ("uses 12 % of ...") standing on its own line starts with a capital."""
    return text[:1].upper() + text[1:]


def not_applicable(row: dict, component: str) -> str | None:
    """Why a component is null for this customer (None when it is not)."""
    if row.get(f"{component}_score") is not None:
        return None
    if component == "usage":
        return _("No licenses are assigned, so there is no usage to compare with.")
    if component == "usage_trend":
        return _("No license usage in the 4 weeks before the last 4 to compare with.")
    if component == "call_quality":
        calls = row.get("calls")
        if not calls:
            return _("No calls rated last week; the score needs at least %(min)s.", min=fmt_int(MIN_CALLS))
        return n_(
            "%(count)s call rated last week; the score needs at least %(min)s.",
            "%(count)s calls rated last week; the score needs at least %(min)s.",
            calls,
            count=fmt_int(calls),
            min=fmt_int(MIN_CALLS),
        )
    return _("Not applicable to this customer.")


def health_section(row: dict | None) -> html.Section:
    rule = _(
        "A score from 0 to 100 over six parts, each shown below (a part that does not apply is left out): "
        "at risk under 40, watch from 40, healthy from 70."
    )
    if row is None:
        body = empty_state(
            _("This customer has no health score."),
            _(
                "Health is scored for customers with a current Meetings or Calling subscription of at least "
                "one license, and this customer has none."
            ),
            id="overview-health-none",
            symbol="bi-activity",
        )
        return section(_("Health"), rule, body, id="overview-health")
    reasons = set((row.get("reasons") or "").split(";"))
    parts = [
        component_bar(
            component_label(r),
            row[f"{r}_score"],
            reason=_sentence(reason_sentence(row, r)) if r in reasons else None,
            advice=component_advice(row, r) or None,
            not_applicable=not_applicable(row, r),
            id=f"overview-health-{r}",
        )
        for r in REASONS
    ]
    body = html.Div(
        [
            health_score(row["health_score"], row["health_band"], band_label(row["health_band"]), id="overview-score"),
            html.Div(parts, className="health-components"),
        ],
        className="overview-health",
    )
    return section(_("Health"), rule, body, id="overview-health")


def statuses_section(statuses) -> html.Section:
    return section(
        _("Open statuses"),
        None,
        status_badges(statuses, id="overview-statuses"),
        id="overview-statuses-section",
        level=2,
    )


# ---- licenses ------------------------------------------------------------------------------------


def _small(fig: go.Figure) -> go.Figure:
    """A chart of the small height."""
    fig.update_layout(height=CHART_HEIGHT)
    return fig


def license_charts(frame) -> html.Section:
    rule = _(
        "Per product: the licenses of the subscriptions running each week, and how many of them were "
        "assigned and used, over the last 13 weeks."
    )
    products = product_labels()
    cards = []
    for product in frame["product"].unique(maintain_order=True).to_list() if frame.height else []:
        df = frame.filter(frame["product"] == product)
        fig, summary = license_trend(df)
        cards.append(
            chart_card(
                products.get(product, product),
                _small(fig),
                id=f"overview-licenses-{product}",
                summary=summary,
                filename=f"licenses-{product}",
                level=3,
            )
        )
    body = (
        html.Div(cards, className="overview-charts")
        if cards
        else empty_state(
            _("No licenses in the last 13 weeks."),
            _("None of this customer's subscriptions ran in these weeks."),
            id="overview-licenses-none",
        )
    )
    return section(_("Licenses, last 13 weeks"), rule, body, id="overview-licenses")


# ---- calling -------------------------------------------------------------------------------------


def _usage_card(df) -> Component | None:
    if not (df["active_users"].sum() or df["inactive_users"].sum() or df["calls"].sum()):
        return None
    fig, summary = calling_usage_trend(df)
    text = calling_usage_text()
    return chart_card(
        text.title,
        _small(fig),
        id="overview-calling-usage",
        definition=text.rule,
        summary=summary,
        level=3,
    )


def _quality_card(df) -> Component | None:
    if not df["calls"].sum():
        return None
    fig, summary = call_quality_trend(df)
    text = call_quality_text()
    return chart_card(
        text.title,
        _small(fig),
        id="overview-call-quality",
        definition=text.rule,
        summary=summary,
        level=3,
    )


def queue_summary(queues: dict) -> html.Div:
    facts = (
        (_("Queues"), fmt_int(queues["queues"])),
        (_("Offered"), fmt_int(queues["offered"])),
        (_("Answered"), fmt_int(queues["answered"])),
        (_("Abandoned"), fmt_int(queues["abandoned"])),
        (_("Abandoned share"), fmt_ratio(queues["abandon_ratio"])),
        (_("Average wait before an answer"), fmt_seconds(queues["average_answer_wait_seconds"])),
        (_("Average wait before hanging up"), fmt_seconds(queues["average_abandon_wait_seconds"])),
    )
    return html.Div(
        [
            html.H3(_("Call queues, latest week"), className="chart-card-title"),
            html.Dl(
                [html.Div([html.Dt(label), html.Dd(value)]) for label, value in facts],
                className="overview-queue-facts",
            ),
        ],
        className="overview-queues card card-body",
        id="overview-queues",
    )


def calling_section(calling: CallingOverview | None) -> html.Section | None:
    """None (nothing on the page) for a role that may not see calling or a
    customer without calling data; only the parts that have data otherwise."""
    if calling is None or not calling.has_data:
        return None
    parts = [
        _usage_card(calling.usage_trend),
        _quality_card(calling.quality_trend),
        queue_summary(calling.queues) if calling.queues is not None else None,
    ]
    return section(
        _("Webex Calling"),
        None,
        html.Div([p for p in parts if p is not None], className="overview-charts"),
        id="overview-calling",
    )


def overview_tab(overview: CustomerOverview, statuses) -> html.Div:
    return html.Div(
        [
            html.Div(
                [health_section(overview.health), statuses_section(statuses)],
                className="overview-top",
            ),
            license_charts(overview.license_weeks),
            calling_section(overview.calling),
            # the notes and follow-up panel (its own module, with its callbacks)
            html.Div(notes_panel(overview.customer_id), id="overview-notes"),
        ],
        id="overview",
        className="customer-overview",
    )
