"""Filter building blocks: labelled multi-selects, a search box and the
Meetings / Calling product toggle. Each control has a visible <label> tied
to it, so it has an accessible name and a bigger click target."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import dash_bootstrap_components as dbc
from dash import dcc, html

from partnerhub.i18n import _

from .icons import aria, icon


def options(items: Iterable) -> list[dict]:
    """[{"label", "value"}] from plain values, (value, label) pairs or dicts."""
    out = []
    for item in items:
        if isinstance(item, dict):
            out.append(item)
        elif isinstance(item, (tuple, list)):
            out.append({"value": item[0], "label": item[1]})
        else:
            out.append({"value": item, "label": str(item)})
    return out


def multi_select(
    id: str,
    label: str,
    choices: Iterable,
    value: Sequence | None = None,
    placeholder: str | None = None,
    className: str = "",
) -> html.Div:
    """A labelled dcc.Dropdown(multi=True). choices: values, (value, label)
    pairs or option dicts. Several values match any of them (metrics.md).
    Dash 4's dropdown names its button after the selected values, so the
    wrapper is a group labelled by the visible label as well."""
    return html.Div(
        [
            html.Label(label, htmlFor=id, className="form-label filter-label", id=f"{id}-label"),
            dcc.Dropdown(
                id=id,
                options=options(choices),
                value=list(value or []),
                multi=True,
                placeholder=placeholder or _("Any"),
                clearable=True,
                searchable=True,
                className="filter-dropdown",
            ),
        ],
        className=("filter-item " + className).strip(),
        role="group",
        **aria(labelledby=f"{id}-label"),
    )


def search_input(
    id: str, label: str | None = None, value: str = "", placeholder: str | None = None, debounce: bool | int = True
) -> html.Div:
    """A labelled search box (dcc.Input type=search). debounce=True reports
    on Enter / blur; a number reports after that many seconds of no typing."""
    return html.Div(
        [
            html.Label(label or _("Search"), htmlFor=id, className="form-label filter-label"),
            dcc.Input(
                id=id,
                type="search",
                value=value,
                debounce=debounce,
                placeholder=placeholder or _("Name or ID"),
                className="form-control filter-search",
                autoComplete="off",
                maxLength=200,
            ),
        ],
        className="filter-item filter-item-search",
    )


def product_toggle(id: str, value: str = "meetings", label: str | None = None) -> html.Fieldset:
    """Meetings / Calling as a segmented button group (radio inputs underneath,
    so arrow keys move between them and the choice is announced)."""
    return html.Fieldset(
        [
            html.Legend(label or _("Product"), className="form-label filter-label"),
            dbc.RadioItems(
                id=id,
                value=value,
                options=[{"label": _("Meetings"), "value": "meetings"}, {"label": _("Calling"), "value": "calling"}],
                class_name="btn-group product-toggle",
                input_class_name="btn-check",
                label_class_name="btn btn-outline-primary btn-sm",
                label_checked_class_name="active",
            ),
        ],
        className="filter-item product-toggle-field",
    )


def filter_bar(children, id: str | None = None, label: str | None = None) -> html.Div:
    """Filters in a wrapping row; `label` names the group for assistive tech.

    The row sits in a <details> opened on wide screens, where its "Filters"
    button is not shown; on narrow ones (768 px and less, assets/app.js)
    it starts closed behind that button, which counts the active filters,
    so the first screen shows the results. `id` is the row's, as before."""
    props: dict[str, Any] = {"id": id} if id is not None else {}
    summary = html.Summary(
        [
            icon("bi-funnel", "me-1"),
            _("Filters"),
            # the number of filters in use, counted in the browser (assets/app.js)
            html.Span(className="badge rounded-pill text-bg-primary filter-count ms-2 d-none"),
        ],
        className="btn btn-outline-primary btn-sm filter-toggle",
    )
    bar = html.Div(children, className="filter-bar", role="group", **aria(label=label or _("Filters")), **props)
    return html.Div(html.Details([summary, bar], open=True, className="filter-panel"), className="filter-panel-wrap")
