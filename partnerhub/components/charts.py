"""Plotly figures from plain lists, readable without colour.

Every series gets a colour from the Okabe-Ito palette (safe for the common
colour-vision deficiencies) AND a second cue: lines differ by marker symbol
and dash pattern, bars by fill pattern, and bars carry their value as text.
No chart titles (the card's heading is the title), no Plotly logo; the PNG
download of the mode bar stays.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import dash_bootstrap_components as dbc
import plotly.graph_objects as go
import plotly.io as pio
from dash import dcc, html

from partnerhub.formatting import chart_separators, fmt_int, fmt_ratio, is_missing, week_tick_format
from partnerhub.i18n import _, request_language

# Okabe & Ito (2008): blue, orange, bluish green, vermillion, reddish purple, sky blue, yellow, black
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000")
SYMBOLS = ("circle", "square", "diamond", "triangle-up", "x", "cross", "star", "hexagon")
DASHES = ("solid", "dash", "dot", "dashdot", "longdash", "longdashdot")
PATTERNS = ("", "/", ".", "x", "\\", "+", "-", "|")
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif"


# Subplot kinds and colour scales these charts never draw: their styling only
# adds weight to every figure.
_UNUSED_LAYOUT = frozenset({"polar", "ternary", "scene", "geo", "map", "mapbox", "smith", "colorscale", "coloraxis"})
_TRACE_TYPES = ("bar", "scatter")


def _compact_template() -> go.layout.Template:
    """plotly_white cut down to the cartesian layout and the trace types used
    here, so each figure looks the same as with the full template. Plotly
    deep-copies a figure's template when it is set and again when the figure
    is serialised; the full one (7 KB of JSON, every trace type) cost ~20 ms a
    chart and went to the browser with every figure."""
    white = pio.templates["plotly_white"]
    layout = {k: v for k, v in white.layout.to_plotly_json().items() if k not in _UNUSED_LAYOUT}
    return go.layout.Template(layout=layout, data={t: white.data[t] for t in _TRACE_TYPES})


# built once; every figure is created with it, so Plotly never applies (and
# copies) its default template first
TEMPLATE = _compact_template()


def _merge(into: dict, extra: Mapping) -> dict:
    """Nested dicts merged key by key, as Plotly's update_layout merges them."""
    for key, value in extra.items():
        if isinstance(value, Mapping) and isinstance(into.get(key), dict):
            _merge(into[key], value)
        else:
            into[key] = dict(value) if isinstance(value, Mapping) else value
    return into


class _Figure:
    """The traces and layout of one figure, collected as plain data and turned
    into a go.Figure once (`build`). Plotly's own update_layout /
    update_xaxes walk and validate every property on each call: they cost
    most of a chart's time (~20-60 ms), for values that come from this
    module, never from users."""

    def __init__(self, data: Any = None):
        self.data: list = [] if data is None else list(data) if isinstance(data, (list, tuple)) else [data]
        self.layout: dict = {}

    def add_trace(self, trace) -> None:
        self.data.append(trace)

    def update_layout(self, **values) -> None:
        _merge(self.layout, values)

    def update_xaxes(self, **values) -> None:
        _merge(self.layout, {"xaxis": values})

    def update_yaxes(self, **values) -> None:
        _merge(self.layout, {"yaxis": values})

    def add_annotation(self, **values) -> None:
        self.layout.setdefault("annotations", []).append(values)

    def build(self) -> go.Figure:
        return go.Figure(data=self.data, layout={"template": TEMPLATE, **self.layout}, _validate=False)


def _figure(data: Any = None) -> _Figure:
    return _Figure(data)


def graph_config(filename: str = "chart") -> Any:
    return {
        "displaylogo": False,
        "responsive": True,
        # nothing in a chart may reach an outside service
        "showSendToCloud": False,
        "showEditInChartStudio": False,
        "modeBarButtonsToRemove": [
            "select2d",
            "lasso2d",
            "autoScale2d",
            "toggleSpikelines",
            "hoverClosestCartesian",
            "hoverCompareCartesian",
            "sendDataToCloud",
        ],
        "toImageButtonOptions": {"format": "png", "filename": filename, "scale": 2},
        # Plotly's own words (mode bar, hints), given with the chart: no
        # locale script to load, and in the request's language
        "locale": request_language(),
        "locales": {request_language(): {"dictionary": plotly_words()}},
    }


def plotly_words() -> dict[str, str]:
    """The words Plotly shows on our charts (their English is the key)."""
    return {
        "Autoscale": _("Autoscale"),
        "Download plot": _("Download the chart"),
        "Download plot as a PNG": _("Download the chart as PNG"),
        "Download plot as a png": _("Download the chart as PNG"),
        "Pan": _("Pan"),
        "Reset": _("Reset"),
        "Reset axes": _("Reset axes"),
        "Reset view": _("Reset view"),
        "Zoom": _("Zoom"),
        "Zoom in": _("Zoom in"),
        "Zoom out": _("Zoom out"),
        "Double-click to zoom back out": _("Double-click to zoom back out"),
        "Double-click on legend to isolate one trace": _("Double-click on legend to isolate one trace"),
        "Taking snapshot - this may take a few seconds": _("Taking a snapshot; this may take a few seconds"),
        "Snapshot succeeded": _("Snapshot saved"),
        "Sorry, there was a problem downloading your snapshot!": _("The image could not be downloaded."),
    }


def _layout(fig: _Figure, height: int = 320, margin: dict | None = None, **extra) -> _Figure:
    fig.update_layout(
        height=height,
        font={"family": FONT, "size": 13},
        margin={"l": 56, "r": 24, "t": 36, "b": 40, **(margin or {})},
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.02, "xanchor": "left", "x": 0},
        hovermode="x unified",
        separators=chart_separators(),
        bargap=0.25,
    )
    fig.update_layout(**extra)
    return fig


def _week_axis(fig: _Figure) -> None:
    fig.update_xaxes(
        type="date",
        tickformat=week_tick_format(),
        hoverformat=_("Week of %(week)s", week="%Y-%m-%d"),
        showgrid=False,
        ticklabelmode="instant",
    )


def _titled(title: str | None) -> dict:
    # an axis without a title says nothing about one
    return {"title": {"text": title}} if title is not None else {}


def _num(values: Sequence) -> list:
    return [None if is_missing(v) else v for v in values]


def whole_ticks(top: float | None) -> dict:
    """Axis settings for counts: whole-number ticks. Plotly picks steps of
    0.5 for a small range, which ",d" would print as "0, 1, 1, 2"."""
    return {"tickformat": ",d", **({"tickmode": "linear", "tick0": 0, "dtick": 1} if (top or 0) <= 6 else {})}


def empty_figure(message: str, height: int = 220) -> go.Figure:
    """A blank figure saying why it is blank (a callback can return it)."""
    fig = _figure()
    fig.add_annotation(
        text=message, showarrow=False, x=0.5, y=0.5, xref="paper", yref="paper", font={"size": 14, "color": "#555"}
    )
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return _layout(fig, height=height, hovermode=False).build()


def trend_chart(
    weeks: Sequence,
    series: Mapping[str, Sequence],
    kind: str = "line",
    y_title: str | None = None,
    empty_message: str | None = None,
) -> go.Figure:
    """Weekly series on one axis, e.g. the 12-week license trend
    {"Total": [...], "Assigned": [...], "Used": [...]} (names already
    translated). kind="line": markers + dash pattern per series and the
    latest value written at the end of each line; kind="bar": grouped bars,
    patterned, each with its value. None values are gaps."""
    if not weeks or not series:
        return empty_figure(empty_message or _("No data for these weeks"))
    fig = _figure()
    for i, (name, values) in enumerate(series.items()):
        values = _num(values)
        color = PALETTE[i % len(PALETTE)]
        labels = [fmt_int(v) for v in values]
        if kind == "bar":
            fig.add_trace(
                go.Bar(
                    _validate=False,
                    x=list(weeks),
                    y=values,
                    name=name,
                    marker_color=color,
                    marker_pattern_shape=PATTERNS[i % len(PATTERNS)],
                    text=labels,
                    textposition="outside",
                    cliponaxis=False,
                    customdata=labels,
                    hovertemplate=f"{name}: %{{customdata}}<extra></extra>",
                )
            )
        else:
            last = max((j for j, v in enumerate(values) if v is not None), default=None)
            text = [f"{labels[j]}" if j == last else "" for j in range(len(values))]
            fig.add_trace(
                go.Scatter(
                    _validate=False,
                    x=list(weeks),
                    y=values,
                    name=name,
                    mode="lines+markers+text",
                    line={"color": color, "width": 2.5, "dash": DASHES[i % len(DASHES)]},
                    marker={"symbol": SYMBOLS[i % len(SYMBOLS)], "size": 8, "color": color},
                    text=text,
                    textposition="middle right",
                    textfont={"color": "#212529"},
                    cliponaxis=False,
                    connectgaps=False,
                    customdata=labels,
                    hovertemplate=f"{name}: %{{customdata}}<extra></extra>",
                )
            )
    _layout(fig, barmode="group", margin={"r": 24 if kind == "bar" else 64})
    _week_axis(fig)
    top = max((v for values in series.values() for v in _num(values) if v is not None), default=0)
    fig.update_yaxes(**_titled(y_title), rangemode="tozero", **whole_ticks(top))
    return fig.build()


def calling_usage_chart(
    weeks: Sequence, active: Sequence, inactive: Sequence, calls: Sequence, empty_message: str | None = None
) -> go.Figure:
    """Stacked bars of active (solid) and inactive (hatched) users per week,
    each labelled with its count, and calls as a dashed line with square
    markers on the right-hand axis."""
    if not weeks:
        return empty_figure(empty_message or _("No calling usage in these weeks"))
    active, inactive, calls = _num(active), _num(inactive), _num(calls)
    active_name, inactive_name, calls_name = _("Active users"), _("Inactive users"), _("Calls")
    fig = _figure()
    for name, values, color, pattern in (
        (active_name, active, PALETTE[0], ""),
        (inactive_name, inactive, PALETTE[1], "/"),
    ):
        labels = [fmt_int(v) for v in values]
        fig.add_trace(
            go.Bar(
                _validate=False,
                x=list(weeks),
                y=values,
                name=name,
                marker_color=color,
                marker_pattern_shape=pattern,
                text=labels,
                textposition="inside",
                insidetextanchor="middle",
                textangle=0,
                customdata=labels,
                hovertemplate=f"{name}: %{{customdata}}<extra></extra>",
            )
        )
    call_labels = [fmt_int(v) for v in calls]
    fig.add_trace(
        go.Scatter(
            _validate=False,
            x=list(weeks),
            y=calls,
            name=calls_name,
            yaxis="y2",
            mode="lines+markers",
            line={"color": PALETTE[3], "width": 2.5, "dash": "dash"},
            marker={"symbol": "square", "size": 8, "color": PALETTE[3]},
            customdata=call_labels,
            hovertemplate=f"{calls_name}: %{{customdata}}<extra></extra>",
        )
    )
    top_users = max([(a or 0) + (i or 0) for a, i in zip(active, inactive)], default=0)
    # labels that do not fit a narrow bar are hidden rather than turned sideways
    _layout(
        fig,
        barmode="stack",
        margin={"r": 64},
        legend={"traceorder": "normal"},
        uniformtext={"minsize": 10, "mode": "hide"},
        # bars keep to the lower part of the plot and the calls line to the upper part
        yaxis={
            "title": {"text": _("Users")},
            "range": [0, (top_users or 1) * 1.6],
            **whole_ticks((top_users or 1) * 1.6),
        },
        yaxis2={
            "title": {"text": calls_name},
            "overlaying": "y",
            "side": "right",
            "rangemode": "tozero",
            "showgrid": False,
            "tickmode": "auto",
            **whole_ticks(max([c for c in calls if c is not None], default=0)),
        },
    )
    _week_axis(fig)
    return fig.build()


def quality_chart(
    weeks: Sequence, calls: Sequence, poor_calls: Sequence, poor_ratio: Sequence, empty_message: str | None = None
) -> go.Figure:
    """The poor-call ratio per week as a dotted line with diamond markers and
    its percentage written at each point (left axis), over light bars of the
    week's calls (right axis) for volume. Poor-quality calls are too few to
    see as bars; each point's hover says "2.0 % (80 of 4,000 calls)"."""
    if not weeks:
        return empty_figure(empty_message or _("No call quality data in these weeks"))
    calls, poor_calls, poor_ratio = _num(calls), _num(poor_calls), _num(poor_ratio)
    calls_name, ratio_name = _("Calls"), _("Poor-call ratio")
    call_labels = [fmt_int(v) for v in calls]
    ratio_labels = [fmt_ratio(v) for v in poor_ratio]
    hover = [
        _("%(ratio)s (%(poor)s of %(calls)s calls)", ratio=r, poor=fmt_int(p), calls=fmt_int(c))
        for r, p, c in zip(ratio_labels, poor_calls, calls)
    ]
    fig = _figure()
    fig.add_trace(
        go.Bar(
            _validate=False,
            x=list(weeks),
            y=calls,
            name=calls_name,
            marker_color=PALETTE[5],
            marker_opacity=0.45,
            customdata=call_labels,
            hovertemplate=f"{calls_name}: %{{customdata}}<extra></extra>",
        )
    )
    # the line is on the overlaying axis, so it is drawn above the bars
    fig.add_trace(
        go.Scatter(
            _validate=False,
            x=list(weeks),
            y=poor_ratio,
            name=ratio_name,
            yaxis="y2",
            mode="lines+markers+text",
            line={"color": PALETTE[3], "width": 2.5, "dash": "dot"},
            marker={"symbol": "diamond", "size": 9, "color": PALETTE[3]},
            text=[t if t != "—" else "" for t in ratio_labels],
            textposition="top center",
            textfont={"color": "#212529", "size": 11},
            cliponaxis=False,
            connectgaps=False,
            customdata=hover,
            hovertemplate=f"{ratio_name}: %{{customdata}}<extra></extra>",
        )
    )
    top = max([v for v in poor_ratio if v is not None], default=0)
    top_calls = max([v for v in calls if v is not None], default=0)
    _layout(
        fig,
        margin={"r": 64},
        # bars use the lower part of the plot, so the labelled line stays readable above them
        yaxis={
            "title": {"text": calls_name},
            "side": "right",
            **whole_ticks((top_calls or 1) * 1.8),
            "showgrid": False,
            "range": [0, (top_calls or 1) * 1.8],
        },
        yaxis2={
            "title": {"text": ratio_name},
            "overlaying": "y",
            "side": "left",
            "tickformat": ".1%" if top < 0.1 else ".0%",
            "range": [0, (top or 0.01) * 1.25],
            "showgrid": True,
            "tickmode": "auto",
        },
    )
    _week_axis(fig)
    return fig.build()


def bar_chart(
    categories: Sequence,
    values: Sequence,
    value_kind: str = "int",
    orientation: str = "h",
    name: str | None = None,
    value_title: str | None = None,
    text: Sequence[str] | None = None,
    empty_message: str | None = None,
    value_range: Sequence[float] | None = None,
) -> go.Figure:
    """One series of bars with their values written on them: calls per
    feature (value_kind="int"), poor-call ratio per endpoint type
    (value_kind="ratio"). orientation="h" lists categories top to bottom in
    the given order. text: labels to show instead of the formatted values
    (e.g. "3.2 % of 1,400"). value_range: the value axis's range (room for
    the labels written after the longest bar)."""
    if not categories:
        return empty_figure(empty_message or _("Nothing to show"))
    fmt = fmt_ratio if value_kind == "ratio" else fmt_int
    values = _num(values)
    labels = list(text) if text is not None else [fmt(v) for v in values]
    name = name or value_title or ""
    cats = [str(c) for c in categories]
    common = {
        "name": name,
        "marker_color": PALETTE[0],
        "text": labels,
        "textposition": "outside",
        "textfont": {"color": "#212529"},
        "customdata": labels,
        "cliponaxis": False,
    }
    if orientation == "h":
        bar = go.Bar(
            _validate=False,
            y=cats,
            x=values,
            orientation="h",
            hovertemplate="%{y}: %{customdata}<extra></extra>",
            **common,
        )
    else:
        bar = go.Bar(_validate=False, x=cats, y=values, hovertemplate="%{x}: %{customdata}<extra></extra>", **common)
    fig = _figure(bar)
    tick = ".0%" if value_kind == "ratio" else ",d"
    value_axis = {"range": list(value_range)} if value_range is not None else {}
    if orientation == "h":
        height = max(200, 48 + 34 * len(cats))
        _layout(fig, height=height, showlegend=False, hovermode="closest", margin={"t": 16, "r": 56})
        fig.update_yaxes(autorange="reversed", automargin=True, showgrid=False)
        fig.update_xaxes(**_titled(value_title), rangemode="tozero", tickformat=tick, **value_axis)
    else:
        _layout(fig, showlegend=False, hovermode="closest", margin={"t": 16})
        fig.update_yaxes(**_titled(value_title), rangemode="tozero", tickformat=tick, **value_axis)
        fig.update_xaxes(showgrid=False, automargin=True)
    return fig.build()


def chart_card(
    title: str,
    figure: go.Figure | None,
    id: str,
    download=None,
    definition: str | None = None,
    summary: str | None = None,
    filename: str | None = None,
    level: int = 2,
) -> dbc.Card:
    """A card: heading and the download menu, the one-line rule
    (`definition`), then the dcc.Graph (id=`id`) inside dcc.Loading.
    figure None -> an empty figure until a callback fills it. summary: a
    sentence for screen readers stating what the chart shows (the data
    table behind it is the Download)."""
    heading = getattr(html, f"H{level}")(title, className="chart-card-title", id=f"{id}-title")
    head = html.Div(
        [
            heading,
            html.Div(download, className="chart-card-actions") if download is not None else None,
        ],
        className="chart-card-head",
    )
    figure = figure if figure is not None else empty_figure(_("Loading…"))
    # config.responsive makes Plotly follow the card's width; the height stays the figure's own
    graph = dcc.Graph(id=id, figure=figure, config=graph_config(filename or id), className="chart-graph")
    return dbc.Card(
        dbc.CardBody(
            [
                head,
                html.P(definition, className="section-rule") if definition else None,
                html.P(summary, className="visually-hidden", id=f"{id}-summary") if summary else None,
                dcc.Loading(graph, type="default", delay_show=300),
            ]
        ),
        className="chart-card",
        id=f"{id}-card",
    )
