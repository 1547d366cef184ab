"""The weekly charts that the analytics pages and a customer's Overview both
draw, from the same columns: each a figure and the one sentence on its
latest week (for screen readers). Both callers decide what an empty frame
says."""

from __future__ import annotations

import plotly.graph_objects as go

from partnerhub.components import calling_usage_chart, fmt_int, fmt_ratio, quality_chart, trend_chart
from partnerhub.i18n import _

from .sections import ChartText


def license_trend(df) -> tuple[go.Figure, str]:
    """One product's licenses per week: total, assigned, used."""
    series = {
        _("Total licenses"): df["total_licenses"].to_list(),
        _("Assigned"): df["assigned"].to_list(),
        _("Used"): df["used"].to_list(),
    }
    last = df.row(-1, named=True)
    summary = _(
        "Week of %(week)s: %(total)s licenses, %(assigned)s assigned, %(used)s used.",
        week=last["week_start"].isoformat(),
        total=fmt_int(last["total_licenses"]),
        assigned=fmt_int(last["assigned"]),
        used=fmt_int(last["used"]),
    )
    return trend_chart(df["week_start"].to_list(), series, y_title=_("Licenses")), summary


def calling_usage_text(_product: str = "") -> ChartText:
    return ChartText(
        _("Calling usage, last 8 weeks"),
        _(
            "Users with a calling license who placed a call (active) or none (inactive) each week, "
            "and the calls they placed."
        ),
    )


def calling_usage_trend(df) -> tuple[go.Figure, str]:
    """Active and inactive calling users and their calls per week."""
    last = df.row(-1, named=True)
    summary = _(
        "Week of %(week)s: %(active)s active users, %(inactive)s inactive users, %(calls)s calls.",
        week=last["week_start"].isoformat(),
        active=fmt_int(last["active_users"]),
        inactive=fmt_int(last["inactive_users"]),
        calls=fmt_int(last["calls"]),
    )
    fig = calling_usage_chart(
        df["week_start"].to_list(), df["active_users"].to_list(), df["inactive_users"].to_list(), df["calls"].to_list()
    )
    return fig, summary


def call_quality_text(_product: str = "") -> ChartText:
    return ChartText(
        _("Call quality, last 8 weeks"),
        _(
            "The share of calls rated poor quality each week (the line, left axis) and the number of "
            "calls (the bars, right axis)."
        ),
    )


def call_quality_trend(df) -> tuple[go.Figure, str]:
    """The share of poor calls and the number of calls per week."""
    last = df.row(-1, named=True)
    summary = _(
        "Week of %(week)s: %(poor)s poor calls of %(calls)s (%(ratio)s).",
        week=last["week_start"].isoformat(),
        poor=fmt_int(last["poor_calls"]),
        calls=fmt_int(last["calls"]),
        ratio=fmt_ratio(last["poor_ratio"]),
    )
    fig = quality_chart(
        df["week_start"].to_list(), df["calls"].to_list(), df["poor_calls"].to_list(), df["poor_ratio"].to_list()
    )
    return fig, summary
