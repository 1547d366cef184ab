"""Customer health on screen: the score as a whole number, its band as a
badge (icon and word, colour third) and one component as a bar with its
sentence, its advice, or why it does not apply.

Plain data in (numbers and already translated words), Dash out: the page
that knows the metric passes the labels, so this module stays below it.
"""

from __future__ import annotations

import math

from dash import html

from partnerhub.formatting import MISSING, fmt_ratio, is_missing
from partnerhub.i18n import _

from .icons import aria, icon

# icons of the subset in assets/vendor (tools/subset_icons.py)
BAND_ICONS = {"at_risk": "bi-exclamation-triangle", "watch": "bi-info-circle", "healthy": "bi-check-circle"}


def health_score_text(score) -> str:
    """The score as a whole number, rounded down: the band is decided on the
    unrounded score (watch below 70), so 69.6 must not read "70"."""
    if is_missing(score):
        return MISSING
    return str(math.floor(score))


def band_badge(band: str, label: str, id=None) -> html.Span:
    """The band in words with its icon; `health-band-<band>` gives its colour."""
    props = {"id": id} if id is not None else {}
    return html.Span(
        [icon(BAND_ICONS.get(band, "bi-circle"), "me-1"), label],
        className=f"badge health-band health-band-{band}",
        **props,
    )


def health_score(score, band: str, band_label: str, id=None) -> html.Div:
    """The big number out of 100 and the band badge beside it."""
    text = health_score_text(score)
    props = {"id": id} if id is not None else {}
    return html.Div(
        [
            html.Span(
                [html.Span(text, className="health-score-value"), html.Span(" / 100", className="health-score-of")],
                className="health-score-number",
                title=_("Health score %(score)s of 100", score=text),
            ),
            band_badge(band, band_label),
        ],
        className="health-score",
        **props,
    )


def component_bar(
    label: str,
    value: float | None,
    reason: str | None = None,
    advice: str | None = None,
    not_applicable: str | None = None,
    id=None,
) -> html.Div:
    """One component of the score: its label, a bar of 0-100 % with the
    percentage written beside it, then the reason sentence (a component under
    0.5) and what would raise it. value None: "not applicable" and why, no bar."""
    props = {"id": id} if id is not None else {}
    if value is None:
        return html.Div(
            [
                html.Div(
                    [html.Span(label, className="health-component-label"), html.Span(_("Not applicable"))],
                    className="health-component-head text-muted",
                ),
                html.Div(not_applicable, className="health-component-why small text-muted") if not_applicable else None,
            ],
            className="health-component health-component-na",
            **props,
        )
    share = min(max(float(value), 0.0), 1.0)
    percent = fmt_ratio(share, 0)
    low = reason is not None
    bar = html.Div(
        html.Div(className="health-bar-fill", style={"width": f"{round(share * 100, 1)}%"}),
        className="health-bar" + (" health-bar-low" if low else ""),
        role="meter",
        **aria(label=label, valuenow=str(round(share * 100)), valuemin="0", valuemax="100", valuetext=percent),
    )
    return html.Div(
        [
            html.Div(
                [html.Span(label, className="health-component-label"), html.Span(percent, className="health-pct")],
                className="health-component-head",
            ),
            bar,
            html.Div([icon("bi-exclamation-triangle", "me-1"), reason], className="health-component-reason small")
            if low
            else None,
            html.Div([icon("bi-arrow-up-right", "me-1"), advice], className="health-component-advice small")
            if advice
            else None,
        ],
        className="health-component" + (" health-component-low" if low else ""),
        **props,
    )
