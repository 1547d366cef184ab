"""How the resources page draws its content: links, cards, the list."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import html

from partnerhub.components import empty_state
from partnerhub.components.icons import aria
from partnerhub.i18n import _

from .content import TYPE_ICONS, QuickLink, Resource, is_external, type_labels


def link(title, url: str, id=None, className: str = "") -> html.A:
    """An external address opens in a new tab (and says so); a path of this
    app opens in place."""
    props = {"id": id} if id is not None else {}
    title = list(title) if isinstance(title, (list, tuple)) else [title]
    if not is_external(url):
        return html.A(title, href=url, className=className, **props)
    return html.A(
        [
            *title,
            html.I(className="bi bi-box-arrow-up-right ms-1 small", **aria(hidden="true")),
            html.Span(_("(opens in a new tab)"), className="visually-hidden"),
        ],
        href=url,
        target="_blank",
        rel="noopener noreferrer",
        className=className,
        **props,
    )


def quick_links(links: tuple[QuickLink, ...]) -> html.Ul:
    return html.Ul(
        [
            html.Li(
                link(
                    [html.I(className=f"bi {q.icon} me-2", **aria(hidden="true")), q.title],
                    q.url,
                    className="btn btn-outline-primary btn-sm quick-link",
                )
            )
            for q in links
        ],
        className="list-unstyled quick-links",
        id="resources-quick-links",
    )


def _meta(r: Resource) -> html.Div:
    labels = type_labels()
    return html.Div(
        [
            html.Span(
                [html.I(className=f"bi {TYPE_ICONS[r.type]} me-1", **aria(hidden="true")), labels[r.type]],
                className="badge resource-type",
            ),
            html.Span(r.category, className="resource-category"),
            html.Span(_("Updated %(date)s", date=r.updated.isoformat()), className="resource-updated")
            if r.updated
            else None,
        ],
        className="resource-meta",
    )


def resource_card(r: Resource, heading_level: int = 3) -> dbc.Card:
    heading = getattr(html, f"H{heading_level}")
    return dbc.Card(
        dbc.CardBody(
            [
                _meta(r),
                heading(link(r.title, r.url), className="resource-title"),
                html.P(r.description, className="resource-description mb-0"),
            ]
        ),
        className="resource-card",
    )


def resource_list(items: list[Resource], total: int) -> list:
    """The list's children: the cards, or why there are none."""
    if not items:
        reason = (
            _("The resources file lists none yet.")
            if total == 0
            else _("No resource matches this search and these filters; clear them to see all %(n)s.", n=total)
        )
        return [
            html.Li(empty_state(_("No resources to show"), reason, id="resources-empty"), className="resource-none")
        ]
    return [html.Li(resource_card(r), className="resource-item") for r in items]


def count_text(shown: int, total: int) -> str:
    return _("Showing %(shown)s of %(total)s resources", shown=shown, total=total)
