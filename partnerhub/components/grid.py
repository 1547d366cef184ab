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

The request comes from the browser: `read_rows_request` reads it and raises
BadRowRequest (a ValueError that Flask answers with 400) for a value the
grid would never send, naming each one. Every grid sorts text by one rule,
written down at `sort_frame`.

When the filters change, `refresh_grid_on(grid_id, Input(...))` (called once
at import time of the page module) empties the grid's cache and goes back to
page 1, so the grid asks again.

Columns are (field, header, kind, tooltip) tuples or `Column`s. The kind
picks the formatter or cell renderer (assets/dashAgGridComponentFunctions.js);
the tooltip (the metric's definition) is shown by an (i) button in the header
(`HeaderInfo`), which opens on hover, keyboard focus and tap alike.

Layout (assets/app.js fits every `.data-grid` on the page): a client-side grid
holding one page of rows or fewer grows with its rows (domLayout autoHeight);
any other grid takes the window's height below the navigation bar, never more
than one page of its rows, and shrinks to the rows its current page holds.
Columns are sized to their content, then widened to fill the grid.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import dash
import dash_ag_grid as dag
import polars as pl
from dash import ClientsideFunction, Input, Output, State
from werkzeug.exceptions import BadRequest

from partnerhub.formatting import collation as request_collation
from partnerhub.formatting import request_time_zone
from partnerhub.i18n import _, n_

from .badges import STATUS_ICONS, status_labels, trend_labels
from .collation import KEY_SUFFIX, collation_keys, with_collation_keys

DEFAULT_PAGE_SIZE = 50
ROW_HEIGHT = 40
# the bar (60 px at least) beside "12,345 / 12,345 / 12,345 ▲ 1,234 over"
LICENSE_BAR_MIN_WIDTH = 220
# a header of up to two lines and the pagination bar, around a grid's rows
GRID_CHROME_PX = 64 + 52
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
COLLATED_KINDS = ("text", "customer_link")  # sorted by formatting.collation

# kind -> the column-definition keys it adds (called per grid: the labels are translated per request)
KINDS: dict[str, Callable[[], dict[str, Any]]] = {
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
        "minWidth": LICENSE_BAR_MIN_WIDTH,
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


def _license_bar_labels() -> dict:
    # %(x)s placeholders are filled in by the renderer with formatted counts;
    # the renderer picks the sentence by the total's plural category
    # (Intl.PluralRules: "one" or "other", as the catalogue's two forms)
    keep = {k: f"%({k})s" for k in ("used", "unused", "available", "total")}
    one, other = (
        n_(
            "%(used)s used, %(unused)s assigned but unused, %(available)s available of %(total)s license.",
            "%(used)s used, %(unused)s assigned but unused, %(available)s available of %(total)s licenses.",
            n,
            **keep,
        )
        for n in (1, 2)
    )
    return {
        "sentence": other,
        "sentence_one": one,
        "overage": _("%(over)s assigned beyond the licensed total.", over="%(over)s"),
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
    cd: dict[str, Any] = {"field": c.field, "colId": c.field, "headerName": c.header, "sortable": c.sortable}
    if c.tooltip:
        # an (i) button beside the header's name, not AG Grid's headerTooltip
        # (mouse only, after a delay, never on touch)
        cd["headerComponentParams"] = {
            "innerHeaderComponent": "HeaderInfo",
            "tip": c.tooltip,
            "infoLabel": _("%(label)s: %(definition)s", label=c.header, definition=c.tooltip),
        }
    cd.update(KINDS[c.kind]())
    if not c.sortable:
        cd["sortable"] = False
    if c.width:
        # a license bar column never narrower than its bar and caption
        cd["minWidth"] = max(c.width, LICENSE_BAR_MIN_WIDTH) if c.kind == "license_bar" else c.width
    return cd


def header_tip(cd: Mapping) -> str | None:
    """The definition a column definition's header shows, if any."""
    params = cd.get("headerComponentParams") or {}
    return params.get("tip") or cd.get("headerTooltip")


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
        "ariaPageSizeSelectorLabel": _("Rows per page"),
        "ariaRowToggleSelection": _("Press Space to select or clear the row"),
        "ariaRowSelectAll": _("Press Space to select or clear every row"),
        "ariaRowSelectionDisabled": _("This row cannot be selected"),
        "ariaChecked": _("checked"),
        "ariaUnchecked": _("unchecked"),
        "ariaIndeterminate": _("partly checked"),
        "ariaSortableColumn": _("Press Enter to sort"),
    }


def client_rows(rows: list[dict], fields, collation: str | None = None) -> list[dict]:
    """Rows for a grid sorted in the browser (server_side=False), with the
    ICU sort keys of its text columns `fields` (components.collation), which
    the grid's comparator prefers to the browser's own collation: give both
    the grid's first rows and a callback's new rowData through this. Rows
    that have them already are left as they are."""
    if rows and all(f + KEY_SUFFIX in rows[0] for f in fields if isinstance(rows[0].get(f), str)):
        return rows
    return with_collation_keys(rows, fields, collation or request_collation())


def data_grid(
    id: str,
    columns: Sequence,
    row_data: list[dict] | None = None,
    *,
    server_side: bool = True,
    page_size: int = DEFAULT_PAGE_SIZE,
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
    Height: a grid that does not show all its rows takes the window's
    height below the navigation bar, up to one page of rows (CSS class
    `data-grid-fill`, see the module docstring); nobody sets it in pixels.
    """
    options = {
        "ensureDomOrder": True,  # DOM order = visual order for screen readers
        "suppressColumnVirtualisation": True,  # every column in the DOM, so it can be read and tabbed to
        "tooltipShowDelay": 0,
        "tooltipInteraction": True,
        # AG Grid skips painting a grid off screen (content-visibility: auto):
        # a printed or saved page would show empty boxes for the lower grids
        "suppressContentVisibilityAuto": True,
        "enableCellTextSelection": True,
        "localeText": locale_text() | ({"noRowsToShow": empty_message} if empty_message else {}),
        "pagination": True,
        "paginationPageSize": page_size,
        "paginationPageSizeSelector": False,
        "suppressMultiSort": False,
        "rowHeight": ROW_HEIGHT,
        # rows and columns slide in over ~400 ms by default: the page looks settled later for nothing
        "animateRows": False,
        "suppressColumnMoveAnimation": True,
    }
    kwargs: dict[str, Any] = {}
    options.update(grid_options or {})
    row_height = int(str(options.get("rowHeight") or ROW_HEIGHT))
    # the most a grid needs: one page of rows (app.css caps .data-grid-fill by it)
    fill = {
        "width": "100%",
        "height": "var(--ph-grid-height)",  # app.css .data-grid-fill
        "--ph-grid-page": f"{page_size * row_height + GRID_CHROME_PX}px",
    }
    layout = "data-grid-fill"
    if server_side:
        server = {"cacheBlockSize": page_size, "maxBlocksInCache": 20, "infiniteInitialRowCount": page_size}
        options = {**server, "rowBuffer": 0, **options}
        kwargs["rowModelType"] = "infinite"
        style: dict[str, str] = fill
    else:
        kwargs["rowData"] = list(row_data or [])
        if len(kwargs["rowData"]) <= page_size:
            options = {**options, "domLayout": "autoHeight", "pagination": False, **(grid_options or {})}
            style = {"width": "100%"}
            layout = "data-grid-auto"
        else:
            style = fill
    defs = column_defs(columns)
    if not server_side:
        # sorted in the browser: text by the same collation as the server's sorts
        for spec, cd in zip(columns, defs):
            if as_column(spec).kind in COLLATED_KINDS:
                key = json.dumps(cd["field"] + KEY_SUFFIX)
                # dash-ag-grid evaluates a comparator's expression to the function itself
                cd["comparator"] = {"function": f"phCollateBy({key})"}
    return dag.AgGrid(
        id=id,
        columnDefs=defs,
        defaultColDef={
            "resizable": True,
            "filter": False,
            "suppressHeaderMenuButton": True,
            "minWidth": 90,
            "wrapHeaderText": True,
            "autoHeaderHeight": True,
        },
        dashGridOptions=options,
        columnSize=None,
        eventListeners={"cellKeyDown": ["phCellKeyDown(params)"]},
        className=f"ag-theme-quartz data-grid {layout} {class_name}".strip(),
        style=style,
        **kwargs,
    )


# ---- the page callback's side ----------------------------------------------------------------

MAX_ROW = 10**9  # no list has this many rows: a larger startRow/endRow is not a row index


class BadRowRequest(ValueError, BadRequest):
    """A row request the grid would never send (a string or 1e30 for a row,
    an unknown sort column...). Every problem is named, as (parameter,
    message). A ValueError for the caller, and a 400 Bad Request when it
    reaches Flask (a callback lets it through: never a 500)."""

    code = 400

    def __init__(self, problems: Sequence[tuple[str, str]]):
        self.problems = tuple(problems)
        message = "; ".join(f"{name}: {text}" for name, text in self.problems)
        BadRequest.__init__(self, message)
        self.args = (message,)

    def __str__(self) -> str:
        return str(self.args[0])


@dataclass(frozen=True)
class RowsRequest:
    """What one getRowsRequest asks for: rows start..end-1, sorted by `sort`
    ((column, "asc" | "desc"), in the order the user chose them)."""

    start: int
    end: int
    sort: tuple[tuple[str, str], ...] = ()


def _row_index(request: Mapping, name: str, default: int, problems: list[tuple[str, str]]) -> int:
    value = request.get(name)
    if value is None:
        return default
    # bool is an int to Python, never a row to the grid
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_ROW:
        problems.append((name, f"give a whole number from 0 to {MAX_ROW}, not {str(value)[:40]!r}"))
        return default
    return value


def _sort_model(model, allowed: set[str] | None, problems: list[tuple[str, str]]) -> tuple[tuple[str, str], ...]:
    if model is None:
        return ()
    if not isinstance(model, (list, tuple)):
        problems.append(("sortModel", "give a list of {colId, sort}"))
        return ()
    out: dict[str, str] = {}
    for item in model:
        col = item.get("colId") if isinstance(item, Mapping) else None
        direction = item.get("sort") if isinstance(item, Mapping) else None
        if not isinstance(col, str):
            problems.append(("sortModel", f"give {{colId, sort}}, not {str(item)[:40]!r}"))
        elif allowed is not None and col not in allowed:
            problems.append(("sortModel", f"unknown sort column {col[:40]!r}"))
        elif direction not in ("asc", "desc"):
            problems.append(("sortModel", f"sort {col[:40]!r} by 'asc' or 'desc', not {str(direction)[:40]!r}"))
        else:
            # a column given twice: the first one counts
            out.setdefault(col, direction)
    return tuple(out.items())


def read_rows_request(
    request: Mapping | None,
    sortable: Iterable[str] | None = None,
    page_size: int = DEFAULT_PAGE_SIZE,
    max_block: int = MAX_BLOCK,
) -> RowsRequest:
    """The grid's getRowsRequest read for the page callback, or BadRowRequest
    naming every bad value: startRow and endRow must be whole numbers from 0
    to MAX_ROW, endRow not before startRow; the sortModel's columns must be in
    `sortable` (when given) with the direction "asc" or "desc". A missing
    request or value means the first page; a block longer than `max_block`
    rows is cut to `max_block` (the grid asks for one block at a time)."""
    request = request or {}
    if not isinstance(request, Mapping):
        raise BadRowRequest([("getRowsRequest", "give {startRow, endRow, sortModel}")])
    problems: list[tuple[str, str]] = []
    start = _row_index(request, "startRow", 0, problems)
    end = _row_index(request, "endRow", start + page_size, problems)
    if not problems and end < start:
        problems.append(("endRow", f"must not be before startRow ({start}), not {end}"))
    sort = _sort_model(request.get("sortModel"), None if sortable is None else set(sortable), problems)
    if problems:
        raise BadRowRequest(problems)
    return RowsRequest(start, min(end, start + max_block), sort)


SORTABLE_DTYPES = (pl.String, pl.Boolean, pl.Date, pl.Datetime)


def _sortable(dtype) -> bool:
    return dtype.is_numeric() or any(dtype == t or isinstance(dtype, t) for t in SORTABLE_DTYPES)


def sortable_columns(frame: pl.DataFrame) -> tuple[str, ...]:
    """The frame's columns a grid may sort on (not lists)."""
    return tuple(c for c, t in frame.schema.items() if _sortable(t))


def sort_frame(frame: pl.DataFrame, sort: Sequence[tuple[str, str]], collation: str | None = None) -> pl.DataFrame:
    """The frame sorted as asked, by the one rule every grid follows (the
    customer list's SQL too, metrics.customers.customers_page):

    - text sorts case-insensitively, in the ICU collation of the viewer's
      language (formatting.collation; Japanese names in gojūon order beside
      Latin ones), or `collation` when given;
    - empty values (nulls) come last, ascending or descending;
    - rows equal under every chosen column keep the dataset's own order (its
      spec sort: for the customer list, name then ID).

    Columns the frame lacks or that cannot be sorted (lists) are ignored."""
    keys, descending = [], []
    for col, direction in sort:
        if col not in frame.columns or not _sortable(frame.schema[col]):
            continue
        expr: pl.Expr | pl.Series = pl.col(col)
        if frame.schema[col] == pl.String:
            expr = collation_keys(frame[col], collation or request_collation())
        keys.append(expr)
        descending.append(direction == "desc")
    if not keys:
        return frame
    return frame.sort(keys, descending=descending, nulls_last=True, maintain_order=True)


def _json_value(value):
    if isinstance(value, datetime) and value.tzinfo is not None:
        # a moment: in the viewer's time zone, so that its date is theirs too
        return value.astimezone(ZoneInfo(request_time_zone())).isoformat()
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
    max_block: int = MAX_BLOCK,
) -> dict:
    """The getRowsResponse for a request over the full (filtered) frame:
    sorted as asked, the requested slice, and the total row count.
    sortable: the columns the grid may sort on (default: every sortable
    column of the frame); BadRowRequest for anything else."""
    rows = read_rows_request(request, sortable_columns(frame) if sortable is None else sortable, page_size, max_block)
    frame = sort_frame(frame, rows.sort)
    return {"rowData": to_row_dicts(frame.slice(rows.start, rows.end - rows.start)), "rowCount": frame.height}


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
