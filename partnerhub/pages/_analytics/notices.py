"""What a page says about its own address: the values it could not use (one
sentence each, naming the value), and the customer filters it applies."""

from __future__ import annotations

from collections.abc import Sequence

import dash_bootstrap_components as dbc
from dash import html

from partnerhub.components.icons import aria
from partnerhub.i18n import _
from partnerhub.metrics import view_query as V

from .query import PageQuery


def problem_text(p: V.Problem) -> str:
    """One sentence naming the value that was left out and why."""
    values = {"parameter": p.parameter, "value": p.value, "allowed": ", ".join(p.allowed)}
    if p.reason == V.UNKNOWN_PARAMETER:
        return _("This page has no parameter called “%(parameter)s” (given “%(value)s”).", **values)
    if p.reason == V.UNKNOWN_VALUE:
        return _("The %(parameter)s “%(value)s” is unknown; use one of: %(allowed)s.", **values)
    if p.reason == V.UNKNOWN_TAG:
        return _("There is no tag called “%(value)s”.", **values)
    if p.reason == V.TOO_LONG:
        return _("The %(parameter)s “%(value)s” is longer than %(limit)s characters.", **values, limit=str(V.MAX_TEXT))
    if p.reason == V.ONE_ONLY:
        return _("The %(parameter)s “%(value)s” names more than one; give one of: %(allowed)s.", **values)
    if p.reason == V.NOT_BOOLEAN:
        return _("The %(parameter)s “%(value)s” is neither true nor false.", **values)
    return _("The %(parameter)s “%(value)s” cannot be used.", **values)


def problems_text(group: Sequence[V.Problem]) -> str:
    """One sentence naming every value of one parameter left out for one
    reason: "The status values “a”, “b” are unknown; use one of: ..."."""
    if len(group) == 1:
        return problem_text(group[0])
    p = group[0]
    values = {
        "parameter": p.parameter,
        "values": ", ".join(f"“{q.value}”" for q in group),
        "allowed": ", ".join(p.allowed),
    }
    if p.reason == V.UNKNOWN_VALUE:
        return _("The %(parameter)s values %(values)s are unknown; use one of: %(allowed)s.", **values)
    if p.reason == V.UNKNOWN_TAG:
        return _("There are no tags called %(values)s.", **values)
    if p.reason == V.TOO_LONG:
        return _(
            "The %(parameter)s values %(values)s are longer than %(limit)s characters.", **values, limit=str(V.MAX_TEXT)
        )
    return _("The %(parameter)s values %(values)s cannot be used.", **values)


def grouped(problems: Sequence[V.Problem]) -> list[list[V.Problem]]:
    """The problems by parameter and reason, in the order first met; an
    unknown parameter stays on its own (its sentence names its values)."""
    groups: dict[tuple, list[V.Problem]] = {}
    for i, p in enumerate(problems):
        key = (i,) if p.reason == V.UNKNOWN_PARAMETER else (p.parameter, p.reason, p.allowed)
        groups.setdefault(key, []).append(p)
    return list(groups.values())


def problems_alert(id: str, problems: Sequence[V.Problem], fallback: str | None = None):
    """A warning naming every value of the address that was left out, and
    what the page shows instead; None when there is nothing to say."""
    if not problems:
        return None
    return html.Div(
        dbc.Alert(
            [
                html.Strong(_("Part of this address could not be used and was left out.")),
                html.Ul([html.Li(problems_text(g)) for g in grouped(problems)], className="mb-1"),
                html.Div(fallback) if fallback else None,
            ],
            color="warning",
            className="url-problems mb-2",
        ),
        id=id,
        role="alert",
    )


def product_fallback(problems: Sequence[V.Problem], product_label: str | None = None) -> str:
    """product_label: what a page with the toggle shows instead of a refused product."""
    if product_label and any(p.parameter == "product" for p in problems):
        return _("Showing %(product)s instead.", product=product_label)
    return _("The page shows everything else the address asks for.")


def _describe(pairs) -> str:
    grouped: dict[str, list[str]] = {}
    for key, value in pairs:
        grouped.setdefault(key, []).append(value)
    return "; ".join(f"{key}: {', '.join(values)}" for key, values in grouped.items())


def filters_notice(id: str, query: PageQuery, clear_href: str) -> html.Div:
    """'Only customers matching: status: trial; tag: Gold. · Show all customers'.
    Always in the layout (hidden without filters), so a callback may keep
    the link's address up to date (f"{id}-clear")."""
    return html.Div(
        [
            html.I(className="bi bi-funnel me-1", **aria(hidden="true")),
            _("Only customers matching: %(filters)s.", filters=_describe(query.filter_pairs)),
            " · ",
            html.A(_("Show all customers"), href=clear_href, id=f"{id}-clear"),
        ],
        id=id,
        className="filters-notice small mb-2",
        hidden=not query.filtered,
    )
