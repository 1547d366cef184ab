"""The sections of the calling page (metrics.md "Webex Calling"): usage, call
quality, advanced features and call queues. None follows the product toggle."""

from __future__ import annotations

from partnerhub.components import Column, bar_chart, fmt_int, fmt_ratio
from partnerhub.components.charts import empty_figure
from partnerhub.components.labels import endpoint_type_labels, feature_labels
from partnerhub.i18n import _

from .sections import ChartSection, ChartText, TableSection, TableText, column, customer_column
from .week_charts import call_quality_text, call_quality_trend, calling_usage_text, calling_usage_trend

AREA = "calling"


def _room_for_labels(values, share: float = 0.45) -> list[float] | None:
    """The value axis's range, wide enough for the labels written after the
    longest bar (None: Plotly's own, when there is no bar)."""
    top = max((v for v in values if v is not None), default=0)
    return [0, top * (1 + share)] if top else None


def _all_zero(df, columns) -> bool:
    return df.height == 0 or not any(df[c].sum() for c in columns)


# ---- usage --------------------------------------------------------------------------------------


def _draw_usage_trend(result, _product: str):
    df = result.frame
    if _all_zero(df, ("active_users", "inactive_users", "calls")):
        message = _("No calling usage in the last 8 weeks")
        return empty_figure(message), message
    return calling_usage_trend(df)


USAGE_TREND = ChartSection(AREA, "calling_usage_trend", calling_usage_text, _draw_usage_trend)


def _usage_text(_product: str) -> TableText:
    return TableText(
        title=_("Customers and calling usage"),
        rule=_(
            "Customers with calling usage in the latest week, most calls first. The trend compares the "
            "average weekly calls of the last 4 weeks with the 4 weeks before."
        ),
        columns=[
            customer_column(),
            column("licensed_users", _("Licensed users"), "int"),
            column("active_users", _("Active users"), "int"),
            column("active_ratio", _("Active share"), "ratio"),
            column("calls", _("Calls"), "int"),
            column("minutes", _("Minutes"), "number"),
            column("active_users_change_ratio", _("Active users, change in a week"), "ratio"),
            column("calls_trend", _("Calls trend"), "trend"),
            Column(
                "calls_sparkline",
                _("Calls, last 8 weeks"),
                "sparkline",
                _("Calls in each of the last 8 weeks (a gap: no data that week)."),
                sortable=False,
            ),
        ],
        empty_message=_("No calling usage in the latest week"),
        empty_reason=_("None of your customers has Webex Calling usage data for that week."),
    )


USAGE = TableSection(AREA, "calling_usage", _usage_text)


# ---- call quality ------------------------------------------------------------------------------


def _draw_quality_trend(result, _product: str):
    df = result.frame
    if _all_zero(df, ("calls",)):
        message = _("No call quality data in the last 8 weeks")
        return empty_figure(message), message
    return call_quality_trend(df)


QUALITY_TREND = ChartSection(AREA, "call_quality_trend", call_quality_text, _draw_quality_trend)


def _endpoint_text(_product: str) -> ChartText:
    return ChartText(
        _("Call quality by endpoint type"),
        _("The share of poor-quality calls in the latest week, per kind of device or app."),
    )


def _draw_endpoints(result, _product: str):
    df = result.frame
    if df.height == 0:
        message = _("No call quality data in the latest week")
        return empty_figure(message), message
    labels = endpoint_type_labels()
    names = [labels.get(e, e) for e in df["endpoint_type"].to_list()]
    text = [
        _("%(ratio)s of %(calls)s calls", ratio=fmt_ratio(r), calls=fmt_int(c))
        for r, c in zip(df["poor_ratio"].to_list(), df["calls"].to_list())
    ]
    summary = "; ".join(f"{n}: {t}" for n, t in zip(names, text))
    fig = bar_chart(
        names,
        df["poor_ratio"].to_list(),
        value_kind="ratio",
        name=_("Poor-call ratio"),
        value_title=_("Poor-call ratio"),
        text=text,
        value_range=_room_for_labels(df["poor_ratio"].to_list()),
    )
    return fig, summary


ENDPOINTS = ChartSection(AREA, "call_quality_by_endpoint", _endpoint_text, _draw_endpoints)


def _quality_text(_product: str) -> TableText:
    return TableText(
        title=_("Customers and call quality"),
        rule=_(
            "Customers with call quality data in the latest week, the most poor calls first, "
            "then the highest share of poor calls."
        ),
        columns=[
            customer_column(),
            column("calls", _("Calls"), "int"),
            column("poor_calls", _("Poor calls"), "int"),
            column("poor_ratio", _("Poor-call ratio"), "ratio"),
            column("poor_ratio_change", _("Change in a week"), "ratio_change"),
            column("worst_endpoint_type", _("Worst endpoint type"), width=170),
        ],
        column_extras={"worst_endpoint_type": {"refData": endpoint_type_labels()}},
        empty_message=_("No call quality data in the latest week"),
        empty_reason=_("None of your customers has call quality data for that week."),
    )


QUALITY = TableSection(AREA, "call_quality", _quality_text)


# ---- advanced features and call queues -------------------------------------------------------------


def _features_text(_product: str) -> ChartText:
    return ChartText(
        _("Advanced calling features"),
        _(
            "Calls that used each advanced calling feature in the latest week, over the customers "
            "that have call queues, most used first."
        ),
    )


def _draw_features(result, _product: str):
    df = result.frame
    if df.height == 0:
        message = _("No advanced calling feature was used in the latest week")
        return empty_figure(message), message
    labels = feature_labels()
    names = [labels.get(f, f) for f in df["feature"].to_list()]
    summary = "; ".join(f"{n}: {fmt_int(c)}" for n, c in zip(names, df["calls"].to_list()))
    fig = bar_chart(
        names,
        df["calls"].to_list(),
        name=_("Calls"),
        value_title=_("Calls"),
        value_range=_room_for_labels(df["calls"].to_list(), 0.15),
    )
    return fig, summary


FEATURES = ChartSection(AREA, "calling_features", _features_text, _draw_features)


def _queues_text(_product: str) -> TableText:
    return TableText(
        title=_("Call queue insights"),
        rule=_(
            "Call queues of your customers in the latest week, the most abandoned calls first, "
            "then the highest share of abandoned calls."
        ),
        kpi_labels={
            "average_answer_wait_seconds": _("Average wait before an answer"),
            "average_abandon_wait_seconds": _("Average wait before hanging up"),
            "abandon_ratio": _("Abandoned calls"),
        },
        columns=[
            customer_column(),
            column("queues", _("Queues"), "int"),
            column("offered", _("Offered"), "int"),
            column("answered", _("Answered"), "int"),
            column("abandoned", _("Abandoned"), "int"),
            column("overflowed", _("Overflowed"), "int"),
            column("average_answer_wait_seconds", _("Answer wait (s)"), "seconds"),
            column("average_abandon_wait_seconds", _("Abandon wait (s)"), "seconds"),
            column("abandon_ratio", _("Abandoned share"), "ratio"),
        ],
        empty_message=_("No call queue data in the latest week"),
        empty_reason=_("None of your customers has call queues with data for that week."),
    )


QUEUES = TableSection(
    AREA,
    "call_queues",
    _queues_text,
    (
        ("average_answer_wait_seconds", "seconds"),
        ("average_abandon_wait_seconds", "seconds"),
        ("abandon_ratio", "ratio"),
    ),
)

CHARTS = (USAGE_TREND, QUALITY_TREND, ENDPOINTS, FEATURES)
TABLES = (USAGE, QUALITY, QUEUES)
