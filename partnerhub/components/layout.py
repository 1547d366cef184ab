"""Page sections and empty states."""

from __future__ import annotations

from dash import html

from .icons import aria, icon


def empty_state(message: str, reason: str | None = None, id=None, symbol: str = "bi-inbox") -> html.Div:
    """Says what is empty ("No expiring subscriptions") and, when known, why
    ("none of your customers has a line ending in the next 90 days")."""
    props = {"id": id} if id is not None else {}
    return html.Div(
        [
            icon(symbol, "empty-state-icon"),
            html.Div(
                [
                    html.Div(message, className="empty-state-message"),
                    html.Div(reason, className="empty-state-reason") if reason else None,
                ]
            ),
        ],
        className="empty-state",
        role="status",
        **props,
    )


def section(title: str, definition: str | None, children, id: str, actions=None, level: int = 2) -> html.Section:
    """A titled page section: heading (h2 by default) with optional actions
    on the right (a download menu), one line saying the rule in words, then
    the content. The section is labelled by its heading for assistive tech."""
    heading = getattr(html, f"H{level}")(title, id=f"{id}-title", className="section-title")
    return html.Section(
        [
            html.Div(
                [heading, html.Div(actions, className="section-actions") if actions else None], className="section-head"
            ),
            html.P(definition, className="section-rule", id=f"{id}-rule") if definition else None,
            html.Div(children, className="section-body"),
        ],
        id=id,
        className="page-section",
        **aria(labelledby=f"{id}-title"),
    )
