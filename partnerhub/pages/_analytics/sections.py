"""The two kinds of section the analytics and calling pages are made of, each
built from a dataset name, and drawn whole on the server by the page's
layout() for the view its address names (issue 12: a page view costs the
pages router's one callback request, not one per section):

- `TableSection`: KPI cards, a server-side grid and a download menu. The
  layout carries the KPI values, the empty state and the grid's first page;
  the grid's later pages and sorts come from one server callback.
- `ChartSection`: a chart card with its figure and download menu.

The static part of a section (ids, dataset, KPI names) is known at import
time, so the row callbacks are registered once; the words (titles, rules,
column headers, empty messages) are built per request by the section's
`text` function, in the viewer's language.

Everything is computed from the page's `Resolved` view (Context, View, query
string) with the dataset's metrics function: the same function, view and
scope as the download link.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import dash
import plotly.graph_objects as go
from dash import ClientsideFunction, Input, Output, State, dcc, html

from partnerhub.components import (
    Column,
    chart_card,
    column_defs,
    data_grid,
    download_menu,
    empty_state,
    kpi_card,
    kpi_row,
    rows_response,
    section,
    sortable_columns,
)
from partnerhub.i18n import _, request_language
from partnerhub.metrics.datasets import DATASETS
from partnerhub.metrics.definitions import DEFINITIONS
from partnerhub.metrics.types import Context, Filters, Result, View
from partnerhub.metrics.view_query import read_view
from partnerhub.pages.drill import kpi_href

from .query import args_from_search

API_BASE = "/api/v1/datasets/"
PAGE_SIZE = 10
HIDDEN = {"display": "none"}


def definition(key: str) -> str:
    return _(DEFINITIONS[key])


def dataset_url(dataset: str) -> str:
    return API_BASE + dataset


@dataclass(frozen=True)
class Resolved:
    """What a section callback works on."""

    ctx: Context
    view: View
    search: str  # the query string of the download links
    product_label: str  # "Meetings" / "Calling" (for messages), "" when the page has no toggle

    @property
    def filters(self) -> Filters:
        """The customer filters of the view (`search` is their canonical
        query): what a KPI card's drill-down link carries."""
        args = args_from_search(self.search)
        args.poplist("product")
        return read_view(args).filters


Resolver = Callable[..., Resolved]


# ---- table sections ---------------------------------------------------------------------------


@dataclass(frozen=True)
class TableText:
    title: str
    rule: str | None
    columns: Sequence[Column]
    kpi_labels: Mapping[str, str] = field(default_factory=dict)
    empty_message: str = ""
    empty_reason: str | None = None
    # extra AG Grid column-definition keys by field (refData for coded values, say)
    column_extras: Mapping[str, dict] = field(default_factory=dict)


@dataclass(frozen=True)
class TableSection:
    area: str
    dataset: str
    text: Callable[[str], TableText]  # product label -> the words
    kpis: tuple[tuple[str, str], ...] = ()  # (export name, format kind), in card order
    # grid column -> frame column it sorts by (a license bar sorts by `used`)
    sort_alias: tuple[tuple[str, str], ...] = ()

    @property
    def base(self) -> str:
        return f"{self.area}-{self.dataset.replace('_', '-')}"

    @property
    def grid_id(self) -> str:
        return f"{self.base}-grid"

    @property
    def download_id(self) -> str:
        return f"{self.base}-download"

    @property
    def first_page_id(self) -> str:
        return f"{self.base}-first-page"

    @property
    def rows_request_id(self) -> str:
        # the prefix has its rule in auth/callback_inputs.py ("<area>-rows-*")
        return f"{self.area}-rows-{self.dataset.replace('_', '-')}"

    def kpi_id(self, key: str) -> str:
        return f"{self.base}-kpi-{key.replace('_', '-')}"


def license_bar_column() -> Column:
    """used / assigned / available as one stacked bar (numbers on hover and
    next to the bar); sorts by `used`."""
    tip = " ".join(
        (
            _("Used: %(d)s", d=definition("used")),
            _("Assigned: %(d)s", d=definition("assigned")),
            _("Available: %(d)s", d=definition("available")),
        )
    )
    return Column("license_bar", _("Used / assigned / total"), "license_bar", tip, width=230)


def column(
    field_: str,
    header: str,
    kind: str = "text",
    sortable: bool = True,
    width: int | None = None,
    tooltip_key: str | None = None,
) -> Column:
    """A column whose header tooltip is the export column's definition."""
    return Column(field_, header, kind, definition(tooltip_key or field_), sortable, width)


def customer_column() -> Column:
    return column("customer_name", _("Customer"), "customer_link", width=200)


def table_section(spec: TableSection, r: Resolved, level: int = 2, extra=None) -> html.Section:
    """The whole section, drawn on the server for the view: KPI cards with
    their values, the empty state, the grid with its first page (in a Store
    the browser answers the grid's first row request from) and the download
    menu. Only a sort or another page asks the server again."""
    t = spec.text(r.product_label)
    result = DATASETS[spec.dataset].fn(r.ctx, r.view)
    filters = r.filters
    cards = [
        kpi_card(
            spec.kpi_id(key),
            t.kpi_labels.get(key, key),
            result.kpis.get(key),
            definition(key),
            kind=kind,
            href=kpi_href(spec.dataset, key, r.view.product, filters),
        )
        for key, kind in spec.kpis
    ]
    empty = result.frame.height == 0
    grid = data_grid(spec.grid_id, (), page_size=PAGE_SIZE, empty_message=t.empty_message)
    grid.columnDefs = _column_defs(spec, t)
    body = [
        extra,
        html.Div(
            [
                kpi_row(cards) if cards else None,
                html.Div(empty_state(t.empty_message, t.empty_reason) if empty else None, id=f"{spec.base}-empty"),
            ]
        ),
        html.Div(grid, id=f"{spec.base}-grid-wrap", className="section-grid", style=HIDDEN if empty else {}),
        dcc.Store(id=spec.first_page_id, data=grid_rows(spec, result, None)),
        dcc.Store(id=spec.rows_request_id),
    ]
    menu = download_menu(spec.download_id, dataset_url(spec.dataset), r.search, what=t.title)
    return section(t.title, t.rule, body, id=spec.base, actions=menu, level=level)


# (dataset, language) -> the grid's column definitions: they never name the
# product, so they are built once per language instead of on every view
_COLUMN_DEFS: dict[tuple[str, str], list[dict]] = {}


def _column_defs(spec: TableSection, t: TableText) -> list[dict]:
    key = (spec.dataset, request_language())
    defs = _COLUMN_DEFS.get(key)
    if defs is None:
        defs = column_defs(t.columns)
        for d in defs:
            d.update(t.column_extras.get(d["field"], {}))
        _COLUMN_DEFS[key] = defs
    return defs


def grid_rows(spec: TableSection, result: Result, request: Mapping | None) -> dict:
    """One page of the section's rows, sorted as the grid asks (server side),
    never more than a page; BadRowRequest (a 400) for a request the grid
    would never send, such as an unknown sort column."""
    aliases = dict(spec.sort_alias)
    if isinstance(request, Mapping) and isinstance(request.get("sortModel"), list):
        model = [
            {**item, "colId": aliases[item["colId"]]}
            if isinstance(item, Mapping) and isinstance(item.get("colId"), str) and item["colId"] in aliases
            else item
            for item in request["sortModel"]
        ]
        request = {**request, "sortModel": model}
    sortable = sortable_columns(result.frame)
    return rows_response(result.frame, request, sortable=sortable, page_size=PAGE_SIZE, max_block=PAGE_SIZE)


def register_table(spec: TableSection, states: Sequence[State], resolve: Resolver) -> None:
    """The grid's row requests: the browser answers the first page (sorted as
    the dataset is) from the section's Store, and hands any other request
    (a sort, another page) to the server callback through a second Store.
    `states`: the page's view, handed to `resolve` in order."""
    dash.clientside_callback(
        ClientsideFunction("partnerhubGrid", "firstPageOrAsk"),
        Output(spec.grid_id, "getRowsResponse"),
        Output(spec.rows_request_id, "data"),
        Input(spec.grid_id, "getRowsRequest"),
        State(spec.first_page_id, "data"),
        prevent_initial_call=True,
    )

    @dash.callback(
        Output(spec.grid_id, "getRowsResponse", allow_duplicate=True),
        Input(spec.rows_request_id, "data"),
        *states,
        prevent_initial_call=True,
    )
    def _rows(request, *values):
        r = resolve(*values)
        return grid_rows(spec, DATASETS[spec.dataset].fn(r.ctx, r.view), request)

    _rows.__name__ = f"{spec.base}_rows"


# ---- chart sections ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ChartText:
    title: str
    rule: str | None = None


@dataclass(frozen=True)
class ChartSection:
    area: str
    dataset: str
    text: Callable[[str], ChartText]
    # (Result, product label) -> (figure, one sentence for screen readers)
    draw: Callable[[Result, str], tuple[go.Figure, str]]

    @property
    def base(self) -> str:
        return f"{self.area}-{self.dataset.replace('_', '-')}"

    @property
    def graph_id(self) -> str:
        return f"{self.base}-chart"

    @property
    def download_id(self) -> str:
        return f"{self.base}-download"


def chart_section(spec: ChartSection, r: Resolved, level: int = 2):
    """The chart card, drawn on the server for the view."""
    t = spec.text(r.product_label)
    figure, summary = spec.draw(DATASETS[spec.dataset].fn(r.ctx, r.view), r.product_label)
    menu = download_menu(spec.download_id, dataset_url(spec.dataset), r.search, what=t.title)
    return chart_card(
        t.title,
        figure,
        spec.graph_id,
        download=menu,
        definition=t.rule,
        summary=summary,
        filename=spec.dataset,
        level=level,
    )
