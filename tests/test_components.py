"""The shared components: formatting rules, license-bar geometry, download
links, grid presets and paging/sorting helpers, chart contents, badges.
Pure Python, no browser: components are functions of plain data, so their
output (the Dash component tree, the Plotly figure) is checked directly."""

from __future__ import annotations

import json
import math
import shutil
import subprocess
from datetime import date, datetime
from pathlib import Path

import dash_ag_grid as dag
import plotly.graph_objects as go
import plotly.io as pio
import polars as pl
import pytest
from dash import dcc, html
from hypothesis import given
from hypothesis import strategies as st

import partnerhub.components as C
from partnerhub.components import charts
from partnerhub.components.grid import header_tip
from partnerhub.formatting import MINUS, MISSING, fmt_int, fmt_ratio

ROOT = Path(__file__).resolve().parents[1]


# ---- helpers: walk a Dash component tree ------------------------------------------------------


def walk(node):
    yield node
    children = getattr(node, "children", None)
    if isinstance(children, (list, tuple)):
        for child in children:
            yield from walk(child)
    elif children is not None:
        yield from walk(children)
    for prop in ("label",):
        value = getattr(node, prop, None)
        if value is not None and not isinstance(value, str) and hasattr(value, "to_plotly_json"):
            yield from walk(value)


def text_of(node) -> str:
    return " ".join(n for n in walk(node) if isinstance(n, str))


def tip_of(node) -> str:
    """The text of an element's tooltip (assets/app.js shows `data-tip`)."""
    return node.to_plotly_json()["props"]["data-tip"]


def by_id(node, id_):
    return next(n for n in walk(node) if getattr(n, "id", None) == id_)


def by_class(node, cls: str) -> list:
    return [n for n in walk(node) if cls in (getattr(n, "className", None) or "").split()]


# ---- formatting -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value, expected",
    [
        (None, MISSING),
        (float("nan"), MISSING),
        (0, "0"),
        (7, "7"),
        (1234, "1,234"),
        (1_234_567_890, "1,234,567,890"),
        (-1234, MINUS + "1,234"),
        (2.5, "2"),
        (3.5, "4"),
        (-0.4, "0"),
    ],
)
def test_fmt_int(value, expected):
    assert C.fmt_int(value) == expected


@pytest.mark.parametrize(
    "value, expected",
    [
        (None, MISSING),
        (0, "0.0 %"),
        (0.425, "42.5 %"),
        (1, "100.0 %"),
        (1.2, "120.0 %"),
        (12.345, "1,234.5 %"),
        (-0.00001, "0.0 %"),
        (-0.25, MINUS + "25.0 %"),
        (float("inf"), MISSING),
    ],
)
def test_fmt_ratio(value, expected):
    assert C.fmt_ratio(value) == expected


@pytest.mark.parametrize(
    "value, expected",
    [
        (None, MISSING),
        (0, "0"),
        (3, "+3"),
        (-2, MINUS + "2"),
        (1500, "+1,500"),
        (-1500, MINUS + "1,500"),
    ],
)
def test_fmt_change(value, expected):
    assert C.fmt_change(value) == expected


def test_fmt_ratio_change_and_other_kinds():
    assert C.fmt_ratio_change(0.012) == "+1.2 pp"
    assert C.fmt_ratio_change(-0.05) == MINUS + "5.0 pp"
    assert C.fmt_ratio_change(0) == "0.0 pp"
    assert C.fmt_ratio_change(None) == MISSING
    assert C.fmt_number(1234.56) == "1,234.6"
    assert C.fmt_seconds(42.4) == "42 s"
    assert C.fmt_seconds(185) == "3 min 5 s"
    assert C.fmt_seconds(None) == MISSING
    assert C.fmt_bool(True) == "Yes" and C.fmt_bool(False) == "No" and C.fmt_bool(None) == MISSING
    assert C.fmt_months(1) == "1 month" and C.fmt_months(14) == "14 months"


def test_fmt_date_and_days():
    assert C.fmt_date(date(2024, 5, 6)) == "2024-05-06"
    assert C.fmt_date(datetime(2024, 5, 6, 13, 30)) == "2024-05-06"
    assert C.fmt_date("2024-05-06T00:00:00") == "2024-05-06"
    assert C.fmt_date(None) == MISSING and C.fmt_date("") == MISSING
    assert C.fmt_days(1) == "1 day"
    assert C.fmt_days(0) == "0 days"
    assert C.fmt_days(12) == "12 days"
    assert C.fmt_days(-3) == MINUS + "3 days"
    assert C.fmt_days(1234) == "1,234 days"
    assert C.fmt_days(None) == MISSING


def test_fmt_dispatch_passes_preformatted_text():
    assert C.fmt(0.5, "ratio") == "50.0 %"
    assert C.fmt("12 of 40", "int") == "12 of 40"
    assert C.fmt(None, "text") == MISSING
    with pytest.raises(KeyError):
        C.fmt(1, "no-such-kind")


# ---- license bar ----------------------------------------------------------------------------


def test_license_bar_normal_line():
    seg = C.license_bar_segments(used=12, assigned=20, total=25)
    assert (seg.used, seg.unused, seg.available, seg.overage) == (12, 8, 5, 0)
    assert (seg.used_pct, seg.unused_pct, seg.available_pct) == (48.0, 32.0, 20.0)
    assert seg.total_pct == 100.0 and seg.overage_pct == 0.0

    bar = C.license_bar(12, 20, 25, id="customers-bar")
    assert bar.id == "customers-bar"
    widths = [n.style["width"] for n in by_class(bar, "license-bar-seg")]
    assert widths == ["48.0%", "32.0%", "20.0%"]
    text = text_of(bar)
    for words in ("12 used", "8 assigned, unused", "5 available", "of 25"):
        assert words in text
    sentence = "12 used, 8 assigned but unused, 5 available of 25 licenses."
    assert tip_of(bar) == sentence
    assert by_class(bar, "visually-hidden")[0].children == sentence
    assert not by_class(bar, "lb-overage")


def test_license_bar_zero_total():
    seg = C.license_bar_segments(0, 0, 0)
    assert seg.empty and (seg.used_pct, seg.unused_pct, seg.available_pct) == (0.0, 0.0, 0.0)
    bar = C.license_bar(0, 0, 0)
    assert "No licenses" in text_of(bar)
    assert not by_class(bar, "license-bar-seg")
    assert tip_of(bar) == "0 used, 0 assigned but unused, 0 available of 0 licenses."
    # None counts as 0 rather than failing
    assert C.license_bar_segments(None, None, None).empty


def test_license_bar_overage_is_visible():
    seg = C.license_bar_segments(used=30, assigned=34, total=25)
    assert (seg.overage, seg.available, seg.unused) == (9, 0, 4)
    assert seg.used_pct == round(100 * 30 / 34, 2) and seg.available_pct == 0.0
    assert math.isclose(seg.used_pct + seg.unused_pct, 100.0, abs_tol=0.011)
    assert seg.total_pct == round(100 * 25 / 34, 2) and seg.overage_pct == round(100 * 9 / 34, 2)

    bar = C.license_bar(30, 34, 25)
    over = by_class(bar, "lb-overage")[0]
    assert over.style == {"left": f"{seg.total_pct}%", "width": f"{seg.overage_pct}%"}
    assert by_class(bar, "lb-total-marker")[0].style == {"left": f"{seg.total_pct}%"}
    assert "9 over" in text_of(bar)
    assert "9 assigned beyond the licensed total" in tip_of(bar)
    assert "license-bar-over" in bar.className

    # licenses assigned with none licensed: all of it is overage
    seg = C.license_bar_segments(0, 3, 0)
    assert seg.overage == 3 and seg.total_pct == 0.0 and seg.unused_pct == 100.0


def test_license_bar_compact_caption():
    bar = C.license_bar(5, 8, 10, compact=True)
    assert "5 / 8 / 10" in text_of(bar)


@given(st.integers(0, 10**6), st.integers(0, 10**6), st.integers(0, 10**6))
def test_license_bar_widths_add_up(used, assigned, total):
    seg = C.license_bar_segments(used, assigned, total)
    widths = (seg.used_pct, seg.unused_pct, seg.available_pct)
    assert all(w >= 0 for w in widths)
    assert seg.overage == max(assigned - total, 0)
    assert seg.available == max(total - assigned, 0)
    if used == assigned == total == 0:
        assert seg.empty
    else:
        assert math.isclose(sum(widths), 100.0, abs_tol=0.011)


# ---- downloads ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "query, qs",
    [
        ("?product=calling&status=trial&status=suspended", "?product=calling&status=trial&status=suspended"),
        ("product=calling", "?product=calling"),
        (
            {"product": "meetings", "status": ["trial", "expired"], "q": "", "tag": None},
            "?product=meetings&status=trial&status=expired",
        ),
        ([("q", "a&b c")], "?q=a%26b+c"),
        ("", ""),
        (None, ""),
        ("?", ""),
    ],
)
def test_download_hrefs_carry_the_query(query, qs):
    menu = C.download_menu("analytics-expiring-download", "/api/v1/datasets/expiring", query, what="expiring lines")
    links = {ext: by_id(menu, f"analytics-expiring-download-{ext}") for ext in ("csv", "xlsx", "parquet")}
    for ext, link in links.items():
        assert link.href == f"/api/v1/datasets/expiring.{ext}{qs}"
        assert link.download == ""
        assert "expiring lines" in getattr(link, "aria-label")
        assert text_of(link).strip()
    assert C.download_hrefs("/api/v1/datasets/expiring", query) == {
        ext: f"/api/v1/datasets/expiring.{ext}{qs}" for ext in ("csv", "xlsx", "parquet")
    }
    assert "Download" in text_of(menu)


def test_download_menu_outputs_match_the_links():
    outputs = C.download_menu_outputs("calling-usage-download")
    assert [(o.component_id, o.component_property) for o in outputs] == [
        ("calling-usage-download-csv", "href"),
        ("calling-usage-download-xlsx", "href"),
        ("calling-usage-download-parquet", "href"),
    ]
    assert list(C.download_hrefs("/api/v1/datasets/calling_usage", "?a=1").values()) == [
        "/api/v1/datasets/calling_usage.csv?a=1",
        "/api/v1/datasets/calling_usage.xlsx?a=1",
        "/api/v1/datasets/calling_usage.parquet?a=1",
    ]


# ---- grid -----------------------------------------------------------------------------------

COLUMNS = [
    ("customer_name", "Customer", "customer_link", "The customer's name"),
    ("used", "Used / assigned / total", "license_bar", "Licenses in use, assigned and bought"),
    ("allocation_ratio", "Allocation", "ratio", "assigned / total_licenses"),
    ("total_licenses", "Licenses", "int"),
    ("end_date", "End date", "date"),
    ("weekly_usage_change", "Usage change", "change"),
    ("calls_trend", "Trend", "trend"),
    ("statuses", "Statuses", "statuses"),
    ("usage_sparkline", "13 weeks", "sparkline"),
    ("auto_renew", "Auto-renew", "bool"),
    C.Column("subscription_id", "Subscription", sortable=False, width=150),
]


def test_column_defs_map_kinds_to_renderers_and_formatters():
    defs = {d["field"]: d for d in C.column_defs(COLUMNS)}
    assert defs["customer_name"]["cellRenderer"] == "CustomerLink"
    assert defs["customer_name"]["cellRendererParams"]["idField"] == "customer_id"
    assert defs["used"]["cellRenderer"] == "LicenseBar"
    assert defs["used"]["cellRendererParams"]["totalField"] == "total_licenses"
    assert defs["calls_trend"]["cellRenderer"] == "TrendArrow"
    assert defs["calls_trend"]["cellRendererParams"]["labels"]["up"] == "Up"
    assert defs["statuses"]["cellRenderer"] == "StatusBadges"
    assert defs["statuses"]["cellRendererParams"]["labels"]["order_ready_for_setup"] == "Order ready for setup"
    assert defs["usage_sparkline"]["cellRenderer"] == "Sparkline" and defs["usage_sparkline"]["sortable"] is False
    assert defs["allocation_ratio"]["valueFormatter"] == {"function": "fmtRatio(params.value)"}
    assert defs["allocation_ratio"]["type"] == "rightAligned"
    assert defs["total_licenses"]["valueFormatter"] == {"function": "fmtInt(params.value)"}
    assert defs["end_date"]["valueFormatter"] == {"function": "fmtDate(params.value)"}
    assert defs["weekly_usage_change"]["valueFormatter"] == {"function": "fmtChange(params.value)"}
    assert defs["auto_renew"]["refData"] == {"true": "Yes", "false": "No"}
    # the definition opens from an (i) button in the header, not AG Grid's mouse-only headerTooltip
    header = defs["allocation_ratio"]["headerComponentParams"]
    assert header["innerHeaderComponent"] == "HeaderInfo" and header["tip"] == "assigned / total_licenses"
    assert header["infoLabel"] == "Allocation: assigned / total_licenses"
    assert header_tip(defs["allocation_ratio"]) == "assigned / total_licenses"
    assert "headerComponentParams" not in defs["total_licenses"] and "headerTooltip" not in defs["allocation_ratio"]
    # a license bar column is never narrower than its bar and caption, whatever width a page asks for
    assert defs["used"]["minWidth"] == C.column_def(("used", "L", "license_bar", None, True, 190))["minWidth"] >= 220
    assert defs["subscription_id"]["sortable"] is False and defs["subscription_id"]["minWidth"] == 150
    assert all(d["colId"] == d["field"] for d in defs.values())
    with pytest.raises(ValueError, match="unknown column kind"):
        C.column_def(("x", "X", "pie"))


def test_renderers_and_formatters_exist_in_the_grid_script():
    script = (ROOT / "partnerhub" / "assets" / "dashAgGridComponentFunctions.js").read_text()
    assert "window.dashAgGridComponentFunctions" in script and "window.dashAgGridFunctions" in script
    for name in ("LicenseBar", "Sparkline", "TrendArrow", "StatusBadges", "CustomerLink"):
        assert f"    {name}: function (props)" in script
    for d in C.column_defs(COLUMNS):
        fn = (d.get("valueFormatter") or {}).get("function")
        if fn:
            assert f"{fn.split('(')[0]}: " in script
    assert ".innerHTML" not in script and "dangerouslySetInnerHTML" not in script
    assert C.license_bar_cell_renderer == "LicenseBar"


GRID_SCRIPT_RUNNER = """
global.window = {React: {createElement: function () { return null; }}};
require(process.argv[1]);
var f = window.dashAgGridFunctions, values = JSON.parse(process.argv[2]);
console.log(JSON.stringify({int: values.map(function (v) { return f.fmtInt(v); }),
                            ratio: values.map(function (v) { return f.fmtRatio(v); })}));
"""


def test_the_grid_formats_numbers_like_the_server_with_one_formatter_per_format():
    """A grid formats every visible cell on each render; toLocaleString would
    build an Intl.NumberFormat per cell, so the script keeps one per
    (locale, digits). The cells still read as partnerhub/formatting.py writes."""
    path = ROOT / "partnerhub" / "assets" / "dashAgGridComponentFunctions.js"
    script = path.read_text()
    assert ".toLocaleString(" not in script and script.count("new Intl.NumberFormat(") == 1
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed")
    # no .5 cases: Python rounds them to even, Math.round up
    values = [0, -0.4, 7, 1234567.4, -1234567.6, 0.4251, -0.00001, 0.12345, 1, None, 42, 0.0999]
    out = subprocess.run(
        [node, "-e", GRID_SCRIPT_RUNNER, str(path), json.dumps(values * 3)],
        capture_output=True,
        text=True,
        check=True,
        timeout=30,
    )
    shown = json.loads(out.stdout)
    assert shown["int"] == [fmt_int(v) for v in values] * 3
    assert shown["ratio"] == [fmt_ratio(v) for v in values] * 3


def test_data_grid_server_side_preset():
    grid = C.data_grid("customers-grid", COLUMNS, page_size=50, empty_message="No customer matches these filters")
    assert isinstance(grid, dag.AgGrid)
    assert grid.rowModelType == "infinite"
    opts = grid.dashGridOptions
    assert opts["pagination"] is True
    assert opts["paginationPageSize"] == opts["cacheBlockSize"] == 50
    assert opts["ensureDomOrder"] is True and opts["suppressColumnVirtualisation"] is True
    assert opts["localeText"]["nextPage"] == "Next page"
    assert opts["localeText"]["noRowsToShow"] == "No customer matches these filters"
    assert len(grid.columnDefs) == len(COLUMNS)
    assert grid.defaultColDef["filter"] is False


def test_data_grid_client_side_small_table():
    rows = [{"customer_name": "A", "total_licenses": 3}]
    grid = C.data_grid("calling-grid", COLUMNS[:4], rows, server_side=False)
    assert getattr(grid, "rowModelType", None) in (None, "clientSide")
    assert grid.rowData == rows
    assert grid.dashGridOptions["domLayout"] == "autoHeight"


def test_sort_from_rows_request():
    request = {
        "startRow": 0,
        "endRow": 50,
        "sortModel": [
            {"colId": "allocation_ratio", "sort": "desc"},
            {"colId": "customer_name", "sort": "asc"},
            {"colId": "customer_name", "sort": "desc"},  # a repeat: the first one counts
        ],
    }
    assert C.read_rows_request(request).sort == (("allocation_ratio", "desc"), ("customer_name", "asc"))
    assert C.read_rows_request(request, sortable=["allocation_ratio", "customer_name"]).sort == (
        ("allocation_ratio", "desc"),
        ("customer_name", "asc"),
    )
    assert C.read_rows_request(None).sort == () and C.read_rows_request({"sortModel": None}).sort == ()


@pytest.mark.parametrize(
    "request_, bounds",
    [
        ({"startRow": 100, "endRow": 150}, (100, 150)),
        ({"startRow": 0, "endRow": 50, "sortModel": []}, (0, 50)),
        (None, (0, 50)),
        ({}, (0, 50)),
        ({"startRow": 20}, (20, 70)),
        ({"startRow": 200, "endRow": 200}, (200, 200)),
        # the grid asks for one block at a time: a longer one is cut to MAX_BLOCK rows
        ({"startRow": 0, "endRow": 10**9}, (0, 500)),
    ],
)
def test_paging_offsets(request_, bounds):
    rows = C.read_rows_request(request_)
    assert (rows.start, rows.end) == bounds


@pytest.mark.parametrize(
    "request_, named",
    [
        ({"startRow": "x", "endRow": "y"}, ["startRow", "endRow"]),
        ({"startRow": [0], "endRow": {"a": 1}}, ["startRow", "endRow"]),
        ({"startRow": 1.5, "endRow": 50}, ["startRow"]),
        ({"startRow": 0, "endRow": 1e30}, ["endRow"]),
        ({"startRow": float("inf"), "endRow": float("nan")}, ["startRow", "endRow"]),
        ({"startRow": True, "endRow": 50}, ["startRow"]),
        ({"startRow": -20, "endRow": 30}, ["startRow"]),
        ({"startRow": 0, "endRow": 10**10}, ["endRow"]),
        ({"startRow": 200, "endRow": 100}, ["endRow"]),
        ({"sortModel": "customer_name"}, ["sortModel"]),
        ({"sortModel": ["junk", {"colId": "used", "sort": "sideways"}]}, ["sortModel", "sortModel"]),
        ({"sortModel": [{"colId": "evil; DROP TABLE", "sort": "asc"}]}, ["sortModel"]),
        ("startRow=0", ["getRowsRequest"]),
    ],
)
def test_a_bad_row_request_names_every_bad_value(request_, named):
    with pytest.raises(C.BadRowRequest) as e:
        C.read_rows_request(request_, sortable=["customer_name", "used"])
    assert [name for name, _message in e.value.problems] == named
    for name in named:
        assert name in str(e.value)
    # a ValueError for the caller, a 400 (never a 500) when it reaches Flask
    assert isinstance(e.value, ValueError) and e.value.code == 400


def test_rows_response_sorts_slices_and_counts():
    frame = pl.DataFrame(
        {
            "customer_id": [f"C{i}" for i in range(120)],
            "customer_name": [f"name {i % 7}" for i in range(120)],
            "ratio": [None if i % 10 == 0 else i / 100 for i in range(120)],
            "end_date": [date(2024, 1, 1)] * 120,
            "spark": [[1, None, 3]] * 120,
        }
    )
    first = C.rows_response(frame, {"startRow": 0, "endRow": 50, "sortModel": [{"colId": "ratio", "sort": "desc"}]})
    assert first["rowCount"] == 120 and len(first["rowData"]) == 50
    assert [r["ratio"] for r in first["rowData"][:3]] == [1.19, 1.18, 1.17]
    assert first["rowData"][0]["end_date"] == "2024-01-01" and first["rowData"][0]["spark"] == [1, None, 3]
    last = C.rows_response(frame, {"startRow": 100, "endRow": 150, "sortModel": [{"colId": "ratio", "sort": "desc"}]})
    assert len(last["rowData"]) == 20
    assert [r["ratio"] for r in last["rowData"][-12:]] == [None] * 12  # nulls last
    # a column outside the sortable ones (by default: every column but lists) is a bad request
    for sort_model, sortable in (
        ([{"colId": "customer_id", "sort": "desc"}], ["ratio"]),
        ([{"colId": "spark", "sort": "asc"}], None),
    ):
        with pytest.raises(C.BadRowRequest, match="sortModel"):
            C.rows_response(frame, {"startRow": 0, "endRow": 3, "sortModel": sort_model}, sortable=sortable)
    # ties keep the frame's order
    by_name = C.rows_response(
        frame, {"startRow": 0, "endRow": 3, "sortModel": [{"colId": "customer_name", "sort": "asc"}]}
    )
    assert [r["customer_id"] for r in by_name["rowData"]] == ["C0", "C7", "C14"]


# ---- charts ---------------------------------------------------------------------------------

WEEKS = [date(2024, 3, 4 + 7 * i) if i < 4 else date(2024, 4, 1 + 7 * (i - 4)) for i in range(8)]


def test_trend_chart_lines_are_told_apart_without_colour():
    fig = C.trend_chart(
        WEEKS[:3], {"Total": [100, 110, 1200], "Assigned": [80, None, 90], "Used": [10, 20, 30]}, y_title="Licenses"
    )
    assert [t.name for t in fig.data] == ["Total", "Assigned", "Used"]
    assert all(t.type == "scatter" and "markers" in t.mode and "text" in t.mode for t in fig.data)
    assert len({t.marker.symbol for t in fig.data}) == 3 and len({t.line.dash for t in fig.data}) == 3
    assert list(fig.data[0].text) == ["", "", "1,200"]  # the latest value, written at the line's end
    assert list(fig.data[1].y) == [80, None, 90] and fig.data[1].connectgaps is False
    assert fig.layout.title.text is None and fig.layout.yaxis.title.text == "Licenses"


def test_trend_chart_bars_carry_values_and_patterns():
    fig = C.trend_chart(WEEKS[:2], {"Assigned": [1500, 2], "Used": [3, None]}, kind="bar")
    assert [t.type for t in fig.data] == ["bar", "bar"]
    assert list(fig.data[0].text) == ["1,500", "2"] and list(fig.data[1].text) == ["3", MISSING]
    assert fig.data[0].marker.pattern.shape != fig.data[1].marker.pattern.shape
    assert fig.layout.barmode == "group"


def test_calling_usage_chart():
    fig = C.calling_usage_chart(WEEKS, [120] * 8, [30] * 7 + [1234], [4000 + i for i in range(8)])
    bars = [t for t in fig.data if t.type == "bar"]
    line = next(t for t in fig.data if t.type == "scatter")
    assert [t.name for t in bars] == ["Active users", "Inactive users"] and line.name == "Calls"
    assert fig.layout.barmode == "stack" and line.yaxis == "y2"
    assert fig.layout.yaxis2.overlaying == "y" and fig.layout.yaxis2.side == "right"
    assert list(bars[1].text)[-1] == "1,234" and bars[1].marker.pattern.shape == "/"
    assert line.line.dash == "dash" and line.marker.symbol == "square"


def test_quality_chart():
    fig = C.quality_chart(WEEKS[:3], [4000, 0, 5000], [80, 0, 50], [0.02, None, 0.01])
    bars = next(t for t in fig.data if t.type == "bar")
    line = next(t for t in fig.data if t.type == "scatter")
    assert bars.name == "Calls" and line.name == "Poor-call ratio" and line.yaxis == "y2"
    assert list(line.text) == ["2.0 %", "", "1.0 %"]
    assert next(iter(line.customdata)) == "2.0 % (80 of 4,000 calls)"
    assert list(line.customdata)[1].startswith(MISSING)


def test_bar_chart_and_empty_figure():
    fig = C.bar_chart(["Call queue", "Hunt group"], [12345, 0])
    assert list(fig.data[0].text) == ["12,345", "0"] and fig.data[0].orientation == "h"
    assert list(fig.data[0].y) == ["Call queue", "Hunt group"]
    ratio = C.bar_chart(["desk phone", "app"], [0.125, None], value_kind="ratio", orientation="v")
    assert list(ratio.data[0].text) == ["12.5 %", MISSING]
    empty = C.bar_chart([], [], empty_message="No call queues")
    assert not empty.data and empty.layout.annotations[0].text == "No call queues"
    assert C.trend_chart([], {}).layout.annotations[0].text == "No data for these weeks"


def test_charts_share_one_compact_template_that_looks_like_plotly_white():
    """Plotly deep-copies a figure's template when it is set and again when
    the figure is sent; the full plotly_white (every trace type and subplot
    kind, 7 KB of JSON) cost ~20 ms a chart. Every chart starts from the one
    template built at import, which keeps plotly_white's styling for what the
    charts draw."""
    white = pio.templates["plotly_white"].to_plotly_json()
    template = charts.TEMPLATE.to_plotly_json()
    assert template["data"] == {t: white["data"][t] for t in ("bar", "scatter")}
    assert template["layout"] == {k: v for k, v in white["layout"].items() if k in template["layout"]}
    dropped = set(white["layout"]) - set(template["layout"])
    assert dropped <= {"polar", "ternary", "scene", "geo", "map", "mapbox", "smith", "colorscale", "coloraxis"}
    assert {"xaxis", "yaxis", "colorway", "font", "paper_bgcolor", "plot_bgcolor"} <= set(template["layout"])
    assert len(json.dumps(template)) < len(json.dumps(white)) / 2
    figures = [
        C.trend_chart(WEEKS[:3], {"Total": [1, 2, 3]}),
        C.trend_chart(WEEKS[:3], {"Total": [1, 2, 3]}, kind="bar"),
        C.calling_usage_chart(WEEKS, [1] * 8, [2] * 8, [3] * 8),
        C.quality_chart(WEEKS[:3], [4000, 0, 5000], [80, 0, 50], [0.02, None, 0.01]),
        C.bar_chart(["a"], [1]),
        C.empty_figure("Nothing"),
    ]
    for fig in figures:
        assert fig.to_plotly_json()["layout"]["template"] == template
        assert {t.type for t in fig.data} <= set(template["data"])


def test_chart_card_wraps_graph_with_loading_and_download():
    fig = C.bar_chart(["a"], [1])
    card = C.chart_card(
        "Calls per feature",
        fig,
        "calling-features-chart",
        download=C.download_menu("calling-features-download", "/api/v1/datasets/calling_features"),
        definition="Σ calls per feature in the latest week",
        summary="Call queue has most calls",
    )
    loading = next(n for n in walk(card) if isinstance(n, dcc.Loading))
    graph = loading.children
    assert isinstance(graph, dcc.Graph) and graph.id == "calling-features-chart" and graph.figure is fig
    assert graph.config["displaylogo"] is False
    assert graph.config["toImageButtonOptions"]["format"] == "png"
    assert "toImage" not in graph.config["modeBarButtonsToRemove"]
    assert by_id(card, "calling-features-download-csv").href == "/api/v1/datasets/calling_features.csv"
    text = text_of(card)
    assert "Calls per feature" in text and "Σ calls per feature in the latest week" in text
    assert "Call queue has most calls" in text
    assert isinstance(C.chart_card("x", None, "calling-x"), object)


# ---- badges, KPI cards, sparkline, layout, filters ------------------------------------------


def test_status_badges_render_label_text():
    badges = C.status_badges(list(C.STATUS_ORDER))
    text = text_of(badges)
    for label in (
        "Trial",
        "Subscription",
        "Expiring soon",
        "License overage",
        "No recent activity",
        "Order ready for setup",
        "Suspended",
        "Expired",
    ):
        assert label in text
    spans = by_class(badges, "status-badge")
    assert [s.className.split()[-1] for s in spans] == [f"status-{s}" for s in C.STATUS_ORDER]
    assert text_of(C.status_badges("trial;license_overage")).split() == ["Trial", "License", "overage"]
    assert "mystery" in text_of(C.status_badges(["mystery"]))
    assert text_of(C.status_badges([])) == MISSING and text_of(C.status_badges(None)) == MISSING
    assert text_of(C.status_badges(["trial"], labels={"trial": "Essai"})) == "Essai"


def test_trend_arrow_has_words():
    assert text_of(C.trend_arrow("up")) == "Up"
    assert text_of(C.trend_arrow("down")) == "Down"
    assert text_of(C.trend_arrow("flat")) == "Flat"
    none = C.trend_arrow(None)
    assert text_of(none) == MISSING and getattr(none, "aria-label") == "No trend"


def test_kpi_card():
    card = C.kpi_card(
        "analytics-expiring-customers",
        "Expiring customers",
        1234,
        "customers with at least one line ending within 90 days",
        hint="of 5,000",
    )
    assert by_id(card, "analytics-expiring-customers").children == "1,234"
    icon = by_id(card, "analytics-expiring-customers-info")
    assert isinstance(icon, html.Button)
    assert "customers with at least one line ending within 90 days" in getattr(icon, "aria-label")
    tooltip = next(n for n in walk(card) if type(n).__name__ == "Tooltip")
    assert tooltip.target == "analytics-expiring-customers-info"
    assert "of 5,000" in text_of(card)
    assert by_id(C.kpi_card("analytics-r", "Ratio", None, "d", kind="ratio"), "analytics-r").children == MISSING
    assert by_id(C.kpi_card("analytics-r", "Ratio", 0.5, "d", kind="ratio"), "analytics-r").children == "50.0 %"
    row = C.kpi_row([card, card])
    assert row.className == "kpi-row" and len(row.children) == 2


def test_sparkline_gaps_and_alt_text():
    svg = C.sparkline_svg([1, 2, None, 3, 4])
    assert svg.count("<polyline") == 2
    assert C.sparkline_svg([None, 5, None]).count("<circle") == 2  # a lone value is a dot, plus the end dot
    img = C.sparkline([1, 2, None, 3, 4], label="Used")
    assert img.src.startswith("data:image/svg+xml")
    assert img.alt == "Used: 5 weeks: latest 4, lowest 1, highest 4"
    assert C.sparkline([None, None]).alt == "No data in these weeks"
    assert "<polyline" not in C.sparkline_svg([])


def test_empty_state_and_section():
    empty = C.empty_state("No expiring subscriptions", "No line ends in the next 90 days.")
    assert empty.role == "status"
    assert "No expiring subscriptions" in text_of(empty) and "No line ends in the next 90 days." in text_of(empty)
    sec = C.section(
        "Expiring",
        "Lines ending within 90 days without auto-renew.",
        html.Div("body"),
        "analytics-expiring",
        actions=html.Span("dl"),
    )
    assert isinstance(sec, html.Section) and getattr(sec, "aria-labelledby") == "analytics-expiring-title"
    assert by_id(sec, "analytics-expiring-title").children == "Expiring"
    assert "Lines ending within 90 days without auto-renew." in text_of(sec) and "dl" in text_of(sec)


def test_filters_are_labelled():
    sel = C.multi_select("customers-status", "Status", [("trial", "Trial"), "expired"], ["trial"])
    label = next(n for n in walk(sel) if isinstance(n, html.Label))
    dropdown = next(n for n in walk(sel) if isinstance(n, dcc.Dropdown))
    assert label.htmlFor == dropdown.id == "customers-status" and dropdown.multi is True
    assert dropdown.options == [{"value": "trial", "label": "Trial"}, {"value": "expired", "label": "expired"}]
    assert getattr(sel, "aria-labelledby") == label.id
    search = C.search_input("customers-q", "Search")
    assert next(n for n in walk(search) if isinstance(n, html.Label)).htmlFor == "customers-q"
    toggle = C.product_toggle("analytics-product", "calling")
    radios = next(n for n in walk(toggle) if type(n).__name__ == "RadioItems")
    assert radios.value == "calling" and [o["value"] for o in radios.options] == ["meetings", "calling"]
    assert [o["label"] for o in radios.options] == ["Meetings", "Calling"]
    assert "Product" in text_of(toggle)
    panel = C.filter_bar([sel], id="customers-filters")
    bar = next(n for n in walk(panel) if getattr(n, "id", None) == "customers-filters")
    details = next(n for n in walk(panel) if isinstance(n, html.Details))
    assert getattr(bar, "aria-label") == "Filters" and details.open is True
    # the button that shows them on narrow screens, with the count of filters in use
    assert "Filters" in text_of(next(n for n in walk(panel) if isinstance(n, html.Summary)))


def test_figures_are_plain_plotly():
    assert isinstance(C.trend_chart(WEEKS[:1], {"a": [1]}), go.Figure)


def test_components_build_inside_a_request():
    """Pages build components during a request, where `_` goes through
    Flask-Babel: placeholders must still be filled and plurals chosen."""
    from flask import Flask

    from partnerhub.i18n import init_i18n

    server = Flask(__name__)
    init_i18n(server)
    with server.test_request_context("/", headers={"Accept-Language": "en"}):
        assert C.fmt_days(2) == "2 days" and C.fmt_days(1) == "1 day"
        assert tip_of(C.license_bar(1, 2, 3)) == "1 used, 1 assigned but unused, 1 available of 3 licenses."
        # one license is singular: a screen reader never hears "of 1 licenses"
        assert tip_of(C.license_bar(1, 1, 1)) == "1 used, 0 assigned but unused, 0 available of 1 license."
        assert tip_of(C.license_bar(3, 3, 1)) == (
            "3 used, 0 assigned but unused, 0 available of 1 license. 2 assigned beyond the licensed total."
        )
        assert tip_of(C.license_bar(2, 2, 1)).endswith("of 1 license. 1 assigned beyond the licensed total.")
        assert "9 over" in text_of(C.license_bar(30, 34, 25))
        labels = C.column_def(("used", "Licenses", "license_bar")).get("cellRendererParams")["labels"]
        assert "%(used)s" in labels["sentence"]  # filled in by the browser-side renderer
        assert C.fmt_seconds(185) == "3 min 5 s"
        assert C.status_labels()["expiring_soon"] == "Expiring soon"
