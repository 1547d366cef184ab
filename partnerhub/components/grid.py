"""Tables: dash-ag-grid presets and the helpers that keep page callbacks thin.

Server-side paging and sorting (100,000 rows and more): the grid uses AG
Grid's infinite row model with pagination. For every block it needs it sets
`getRowsRequest` ({"startRow", "endRow", "sortModel", ...}); the page's
callback answers on `getRowsResponse` with {"rowData": [...], "rowCount": N}:

    @callback(Output("customers-grid", "getRowsResponse"),
              Input("customers-grid", "getRowsRequest"), State(...filters...))
    def rows(request, ...):
        result = metrics.customers(ctx, view)          # the export's function
        return rows_response(result.frame, request, sortable=COLUMN_FIELDS)

When the filters change, `refresh_grid_on(grid_id, Input(...))` (called once
at import time of the page module) empties the grid's cache and goes back to
page 1, so the grid asks again.

Columns are (field, header, kind, tooltip) tuples or `Column`s. The kind
picks the formatter or cell renderer (assets/dashAgGridComponentFunctions.js);
the tooltip (the metric's definition) becomes the header tooltip.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime

import dash
import dash_ag_grid as dag
import polars as pl
from dash import ClientsideFunction, Input, Output, State

from .badges import STATUS_ICONS, status_labels, trend_labels
from .i18n import _

DEFAULT_PAGE_SIZE = 50
MAX_BLOCK = 500  # a request never asks for more rows than this at once


@dataclass(frozen=True)
class Column:
    """field: the row key (the export column name); header: the column title;
    kind: how it is shown (see KINDS); tooltip: the definition shown on the
    header; sortable: whether clicking the header sorts; width: min width px."""

    field: str
    header: str
    kind: str = "text"
    tooltip: str | None = None
    sortable: bool = True
    width: int | None = None


def as_column(spec) -> Column:
    if isinstance(spec, Column):
        return spec
    if isinstance(spec, Mapping):
        return Column(**spec)
    return Column(*spec)


def _fn(name: str) -> dict:
    # dash-ag-grid parses these expressions itself (no eval, CSP-safe); the
    # functions live in window.dashAgGridFunctions
    return {"function": f"{name}(params.value)"}


NUMERIC = {"type": "rightAligned"}

# kind -> the column-definition keys it adds (called per grid: the labels are translated per request)
KINDS = {
    "text": lambda: {},
    "int": lambda: {**NUMERIC, "valueFormatter": _fn("fmtInt")},
    "days": lambda: {**NUMERIC, "valueFormatter": _fn("fmtInt")},
    "months": lambda: {**NUMERIC, "valueFormatter": _fn("fmtInt")},
    "number": lambda: {**NUMERIC, "valueFormatter": _fn("fmtNumber")},
    "seconds": lambda: {**NUMERIC, "valueFormatter": _fn("fmtNumber")},
    "ratio": lambda: {**NUMERIC, "valueFormatter": _fn("fmtRatio")},
    "change": lambda: {**NUMERIC, "valueFormatter": _fn("fmtChange")},
    "ratio_change": lambda: {**NUMERIC, "valueFormatter": _fn("fmtRatioChange")},
    "date": lambda: {"valueFormatter": _fn("fmtDate")},
    "bool": lambda: {"refData": {"true": _("Yes"), "false": _("No")}},
    "license_bar": lambda: {
        "cellRenderer": "LicenseBar",
        "minWidth": 250,
        "cellRendererParams": {
            "usedField": "used",
            "assignedField": "assigned",
            "totalField": "total_licenses",
            "labels": _license_bar_labels(),
        },
    },
    "sparkline": lambda: {
        "cellRenderer": "Sparkline",
        "sortable": False,
        "minWidth": 130,
        "cellRendererParams": {"labels": _sparkline_labels()},
    },
    "trend": lambda: {"cellRenderer": "TrendArrow", "cellRendererParams": {"labels": trend_labels()}},
    "statuses": lambda: {
        "cellRenderer": "StatusBadges",
        "sortable": False,
        "minWidth": 280,
        "cellRendererParams": {"labels": status_labels(), "icons": STATUS_ICONS},
    },
    "customer_link": lambda: {
        "cellRenderer": "CustomerLink",
        "minWidth": 200,
        "cellRendererParams": {"idField": "customer_id", "base": "/customers/"},
    },
}
RENDERERS = {
    "license_bar": "LicenseBar",
    "sparkline": "Sparkline",
    "trend": "TrendArrow",
    "statuses": "StatusBadges",
    "customer_link": "CustomerLink",
}


def _license_bar_labels() -> dict:
    # %(x)s placeholders are filled in by the renderer with formatted counts
    return {
        "sentence": _("%(used)s used, %(unused)s assigned but unused, %(available)s available of %(total)s licenses"),
        "overage": _("%(over)s assigned beyond the licensed total"),
        "over": _("%(n)s over"),
        "none": _("No licenses"),
    }


def _sparkline_labels() -> dict:
    return {
        "summary": _("%(weeks)s weeks: latest %(last)s, lowest %(low)s, highest %(high)s"),
        "none": _("No data in these weeks"),
    }


def column_def(spec) -> dict:
    """One AG Grid column definition for a column spec."""
    c = as_column(spec)
    if c.kind not in KINDS:
        raise ValueError(f"unknown column kind {c.kind!r} for {c.field!r}; one of {sorted(KINDS)}")
    cd = {"field": c.field, "colId": c.field, "headerName": c.header, "sortable": c.sortable}
    if c.tooltip:
        cd["headerTooltip"] = c.tooltip
    cd.update(KINDS[c.kind]())
    if not c.sortable:
        cd["sortable"] = False
    if c.width:
        cd["minWidth"] = c.width
    return cd


def column_defs(columns: Iterable) -> list[dict]:
    return [column_def(c) for c in columns]


def locale_text() -> dict:
    """AG Grid's own words (pagination, overlays) in the request's language."""
    return {
        "page": _("Page"),
        "of": _("of"),
        "to": _("to"),
        "more": _("more"),
        "firstPage": _("First page"),
        "previousPage": _("Previous page"),
        "nextPage": _("Next page"),
        "lastPage": _("Last page"),
        "pageSizeSelectorLabel": _("Rows per page:"),
        "loadingOoo": _("Loading…"),
        "noRowsToShow": _("No rows to show"),
        "ariaRowPageSize": _("Rows per page"),
    }


def data_grid(
    id: str,
    columns: Sequence,
    row_data: list[dict] | None = None,
    *,
    server_side: bool = True,
    page_size: int = DEFAULT_PAGE_SIZE,
    height: str = "560px",
    empty_message: str | None = None,
    grid_options: Mapping | None = None,
    class_name: str = "",
) -> dag.AgGrid:
    """An accessible AgGrid.

    server_side=True (default): infinite row model with pagination, rows
    fetched page by page through getRowsRequest / getRowsResponse (see the
    module docstring); `row_data` is ignored. server_side=False: a client-side
    grid over `row_data` (small tables), sorted and paged in the browser,
    growing with its rows up to one page.
    empty_message: what the grid says when it has no rows (say what is
    empty: "No customer matches these filters"); default "No rows to show".
    grid_options: extra dashGridOptions, merged last. Put the grid inside a
    `section(...)`: its heading names the table.
    """
    options = {
        "ensureDomOrder": True,  # DOM order = visual order for screen readers
        "suppressColumnVirtualisation": True,  # every column in the DOM, so it can be read and tabbed to
        "tooltipShowDelay": 300,
        "tooltipInteraction": True,
        "enableCellTextSelection": True,
        "localeText": locale_text() | ({"noRowsToShow": empty_message} if empty_message else {}),
        "pagination": True,
        "paginationPageSize": page_size,
        "paginationPageSizeSelector": False,
        "suppressMultiSort": False,
        "rowHeight": 40,
    }
    kwargs = {}
    if server_side:
        options.update(
            {"cacheBlockSize": page_size, "maxBlocksInCache": 20, "infiniteInitialRowCount": page_size, "rowBuffer": 0}
        )
        kwargs["rowModelType"] = "infinite"
        style = {"height": height, "width": "100%"}
    else:
        kwargs["rowData"] = list(row_data or [])
        if len(kwargs["rowData"]) <= page_size:
            options.update({"domLayout": "autoHeight", "pagination": False})
            style = {"width": "100%"}
        else:
            style = {"height": height, "width": "100%"}
    options.update(grid_options or {})
    return dag.AgGrid(
        id=id,
        columnDefs=column_defs(columns),
        defaultColDef={
            "resizable": True,
            "filter": False,
            "suppressHeaderMenuButton": True,
            "minWidth": 110,
            "flex": 1,
            "wrapHeaderText": True,
            "autoHeaderHeight": True,
        },
        dashGridOptions=options,
        columnSize=None,
        eventListeners={"cellKeyDown": ["phCellKeyDown(params)"]},
        className=("ag-theme-quartz data-grid " + class_name).strip(),
        style=style,
        **kwargs,
    )


# ---- the page callback's side ----------------------------------------------------------------


def _int(value, default: int) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def start_row(request: Mapping | None) -> int:
    """The first row index the grid asks for (0 when missing or invalid)."""
    return max(_int((request or {}).get("startRow"), 0), 0)


def end_row(request: Mapping | None, page_size: int = DEFAULT_PAGE_SIZE) -> int:
    """One past the last row index asked for; never before start_row and never
    more than MAX_BLOCK rows after it, whatever the client sends."""
    start = start_row(request)
    end = _int((request or {}).get("endRow"), start + page_size)
    return min(max(end, start), start + MAX_BLOCK)


def page_bounds(request: Mapping | None, page_size: int = DEFAULT_PAGE_SIZE) -> tuple[int, int]:
    return start_row(request), end_row(request, page_size)


def rows_request_to_sort(request: Mapping | None, allowed: Iterable[str] | None = None) -> list[tuple[str, str]]:
    """[(column, "asc"|"desc"), ...] from the request's sortModel, in the
    order the user chose them. Columns outside `allowed` (when given) and
    unknown directions are dropped: the request comes from the browser."""
    allowed = None if allowed is None else set(allowed)
    out, seen = [], set()
    for item in (request or {}).get("sortModel") or []:
        if not isinstance(item, Mapping):
            continue
        col, direction = item.get("colId"), item.get("sort")
        if not isinstance(col, str) or direction not in ("asc", "desc") or col in seen:
            continue
        if allowed is not None and col not in allowed:
            continue
        seen.add(col)
        out.append((col, direction))
    return out


SORTABLE_DTYPES = (pl.String, pl.Boolean, pl.Date, pl.Datetime)


def _sortable(dtype) -> bool:
    return dtype.is_numeric() or any(dtype == t or isinstance(dtype, t) for t in SORTABLE_DTYPES)


def sort_frame(frame: pl.DataFrame, sort: Sequence[tuple[str, str]]) -> pl.DataFrame:
    """The frame sorted as asked, nulls last, text case-insensitively; ties
    keep the frame's own order (the metric's default sort). Columns the frame
    lacks or that cannot be sorted (lists) are ignored."""
    keys, descending = [], []
    for col, direction in sort:
        if col not in frame.columns or not _sortable(frame.schema[col]):
            continue
        expr = pl.col(col)
        if frame.schema[col] == pl.String:
            expr = expr.str.to_lowercase()
        keys.append(expr)
        descending.append(direction == "desc")
    if not keys:
        return frame
    return frame.sort(keys, descending=descending, nulls_last=True, maintain_order=True)


def _json_value(value):
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, list):
        return [_json_value(v) for v in value]
    return value


def to_row_dicts(frame: pl.DataFrame) -> list[dict]:
    """Rows as JSON-ready dicts (dates as ISO text; numbers untouched)."""
    temporal = [c for c, t in frame.schema.items() if t.is_temporal()]
    rows = frame.to_dicts()
    if temporal or any(isinstance(t, pl.List) for t in frame.schema.values()):
        rows = [{k: _json_value(v) for k, v in row.items()} for row in rows]
    return rows


def rows_response(
    frame: pl.DataFrame,
    request: Mapping | None,
    sortable: Iterable[str] | None = None,
    page_size: int = DEFAULT_PAGE_SIZE,
) -> dict:
    """The getRowsResponse for a request over the full (filtered) frame:
    sorted as asked, the requested slice, and the total row count."""
    frame = sort_frame(frame, rows_request_to_sort(request, sortable))
    start, end = page_bounds(request, page_size)
    return {"rowData": to_row_dicts(frame.slice(start, end - start)), "rowCount": frame.height}


def refresh_grid_on(grid_id: str, *inputs: Input) -> None:
    """Register (once, at import time of the page module) a clientside
    callback that empties the grid's row cache and returns to page 1 whenever
    one of `inputs` changes, so the grid asks for rows under the new filters."""
    dash.clientside_callback(
        ClientsideFunction("partnerhub", "refreshGrid"),
        Output(grid_id, "paginationGoTo", allow_duplicate=True),
        *inputs,
        State(grid_id, "id"),
        prevent_initial_call=True,
    )
