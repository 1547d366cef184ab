"""KPI cards: one number, its name, and what exactly it counts."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import dash_bootstrap_components as dbc
from dash import html

from partnerhub.formatting import fmt
from partnerhub.i18n import _

from .icons import aria, icon


def info_icon(id: str, label: str, definition: str) -> list:
    """A keyboard-focusable (i) button whose tooltip is `definition`. The
    definition is also its accessible name, so a screen reader hears it
    without the tooltip having to open."""
    return [
        html.Button(
            icon("bi-info-circle"),
            id=id,
            type="button",
            className="info-icon",
            **aria(label=_("%(label)s: %(definition)s", label=label, definition=definition)),
        ),
        dbc.Tooltip(definition, target=id, placement="top"),
    ]


def kpi_card(
    id: str,
    label: str,
    value,
    definition: str,
    hint: str | None = None,
    kind: str = "int",
    href: str | None = None,
    link_label: str | None = None,
) -> dbc.Card:
    """A card with a headline number.

    id: the id of the value element (a callback may update its `children`);
    the card is f"{id}-card", the info icon f"{id}-info". value: a raw number
    (formatted by `kind`: int, ratio, number, seconds, days, change; None
    shows "—") or text already formatted. definition: the rule in words (the
    tooltip of the info icon). hint: an optional small line under the value.
    href: what the number is made of (the drill-down, pages/drill.py): the
    value element is then a link stretched over the whole card, named
    by `link_label` or "<label>: <value> — show …"; the info button stays
    a button of its own above it.
    """
    shown = fmt(value, kind)
    if href:
        number: Any = html.A(
            shown,
            href=href,
            id=id,
            className="kpi-value kpi-link stretched-link",
            **aria(label=link_label or kpi_link_label(href, label, shown)),
        )
    else:
        number = html.Div(shown, id=id, className="kpi-value")
    return dbc.Card(
        dbc.CardBody(
            [
                html.Div(
                    [
                        html.Span(label, className="kpi-label", id=f"{id}-label"),
                        *info_icon(f"{id}-info", label, definition),
                    ],
                    className="kpi-head",
                ),
                number,
                html.Div(hint, className="kpi-hint", id=f"{id}-hint") if hint else None,
            ]
        ),
        className="kpi-card kpi-card-linked" if href else "kpi-card",
        id=f"{id}-card",
    )


def kpi_link_label(href: str, label: str, shown: str) -> str:
    """A card link's accessible name: what the card says, then where the link
    goes (the customer list, or the table the number is computed from)."""
    if href.startswith("/customers"):
        return _("%(label)s: %(value)s — show these customers", label=label, value=shown)
    return _("%(label)s: %(value)s — show the table", label=label, value=shown)


def kpi_row(cards: Sequence, id: str | None = None) -> html.Div:
    """Cards side by side, wrapping on narrow screens (CSS grid)."""
    props: dict[str, Any] = {"id": id} if id is not None else {}
    return html.Div(list(cards), className="kpi-row", **props)
