"""The two kinds of section the analytics and calling pages are made of, each
built from a dataset name:

- `TableSection`: KPI cards, a server-side grid and a download menu. One
  callback fills the cards, the empty state and the download links when the
  page's view changes; another answers the grid's row requests (sorted and
  sliced on the server from the Result frame of the dataset's function).
- `ChartSection`: a chart card with its download menu; one callback draws it.

The static part of a section (ids, dataset, KPI names) is known at import
time, so the callbacks are registered once; the words (titles, rules, column
headers, empty messages) are built per request by the section's `text`
function, in the viewer's language.

Every callback turns the page's view inputs into (Context, View, query
string) through the page's `resolve` function and calls the dataset's
metrics function: the same function, view and scope as the download link.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import dash
import plotly.graph_objects as go
from dash import Input, Output, State, dcc, html

from partnerhub.components import (
    Column,
    chart_card,
    column_defs,
    data_grid,
    download_hrefs,
    download_menu,
    download_menu_outputs,
    empty_figure,
    empty_state,
    fmt,
    kpi_card,
    kpi_row,
    rows_response,
    section,
    sortable_columns,
)
from partnerhub.i18n import _
from partnerhub.metrics.datasets import DATASETS
from partnerhub.metrics.definitions import DEFINITIONS
from partnerhub.metrics.types import Context, Result, View

API_BASE = "/api/v1/datasets/"
PAGE_SIZE = 10
PENDING = "…"  # a KPI card before its callback has answered (not "—": that means "no value")
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


def table_section(
    spec: TableSection, product_label: str = "", search: str = "", level: int = 2, extra=None
) -> html.Section:
    """The section's layout: KPI cards (filled by the summary callback), the
    empty state, the grid and the download menu."""
    t = spec.text(product_label)
    cards = [
        kpi_card(spec.kpi_id(key), t.kpi_labels.get(key, key), PENDING, definition(key), kind=kind)
        for key, kind in spec.kpis
    ]
    defs = column_defs(t.columns)
    for d in defs:
        d.update(t.column_extras.get(d["field"], {}))
    grid = data_grid(
        spec.grid_id, t.columns, page_size=PAGE_SIZE, height=_grid_height(PAGE_SIZE), empty_message=t.empty_message
    )
    grid.columnDefs = defs
    body = [
        extra,
        dcc.Loading(
            html.Div([kpi_row(cards) if cards else None, html.Div(id=f"{spec.base}-empty")]),
            type="default",
            delay_show=300,
        ),
        html.Div(grid, id=f"{spec.base}-grid-wrap", className="section-grid"),
    ]
    menu = download_menu(spec.download_id, dataset_url(spec.dataset), search, what=t.title)
    return section(t.title, t.rule, body, id=spec.base, actions=menu, level=level)


def _grid_height(rows: int) -> str:
    # header (up to two lines) + the rows + the pagination bar
    return f"{rows * 40 + 64 + 52}px"


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


def table_summary(spec: TableSection, r: Resolved) -> list:
    """The summary callback's values: KPI texts, empty state, grid style,
    download hrefs."""
    result = DATASETS[spec.dataset].fn(r.ctx, r.view)
    kpis = [fmt(result.kpis.get(key), kind) for key, kind in spec.kpis]
    empty = result.frame.height == 0
    if empty:
        t = spec.text(r.product_label)
        notice, style = empty_state(t.empty_message, t.empty_reason), HIDDEN
    else:
        notice, style = None, {}
    return [*kpis, notice, style, *download_hrefs(dataset_url(spec.dataset), r.search).values()]


def register_table(spec: TableSection, inputs: Sequence, resolve: Resolver) -> None:
    """The section's two callbacks. `inputs`: the page's view Inputs/States,
    handed to `resolve` in order."""
    outputs = [Output(spec.kpi_id(key), "children") for key, _kind in spec.kpis]
    outputs += [
        Output(f"{spec.base}-empty", "children"),
        Output(f"{spec.base}-grid-wrap", "style"),
        *download_menu_outputs(spec.download_id),
    ]

    @dash.callback(outputs, *inputs)
    def _summary(*values):
        return table_summary(spec, resolve(*values))

    states = [State(i.component_id, i.component_property) for i in inputs]

    @dash.callback(
        Output(spec.grid_id, "getRowsResponse"),
        Input(spec.grid_id, "getRowsRequest"),
        *states,
        prevent_initial_call=True,
    )
    def _rows(request, *values):
        r = resolve(*values)
        return grid_rows(spec, DATASETS[spec.dataset].fn(r.ctx, r.view), request)

    _summary.__name__ = f"{spec.base}_summary"
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


def chart_section(spec: ChartSection, product_label: str = "", search: str = "", level: int = 2):
    t = spec.text(product_label)
    menu = download_menu(spec.download_id, dataset_url(spec.dataset), search, what=t.title)
    return chart_card(
        t.title,
        empty_figure(_("Loading…")),
        spec.graph_id,
        download=menu,
        definition=t.rule,
        summary=PENDING,
        filename=spec.dataset,
        level=level,
    )


def chart_values(spec: ChartSection, r: Resolved) -> list:
    figure, summary = spec.draw(DATASETS[spec.dataset].fn(r.ctx, r.view), r.product_label)
    return [figure, summary, *download_hrefs(dataset_url(spec.dataset), r.search).values()]


def register_chart(spec: ChartSection, inputs: Sequence, resolve: Resolver) -> None:
    @dash.callback(
        Output(spec.graph_id, "figure"),
        Output(f"{spec.graph_id}-summary", "children"),
        *download_menu_outputs(spec.download_id),
        *inputs,
    )
    def _draw(*values):
        return chart_values(spec, resolve(*values))

    _draw.__name__ = f"{spec.base}_draw"
