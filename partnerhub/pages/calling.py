"""Webex Calling: usage, call quality, advanced features and call queues of
the customers in scope, for the roles that may see calling (the request
guard refuses this page and its callbacks to the others: area "calling",
ids prefixed `calling-`).

Customer filters in the query string narrow the customers as on the other
pages and travel with the download links; there is no product toggle here.
"""

from __future__ import annotations

import dash
from dash import State, dcc, html
from flask import has_request_context

from partnerhub.components import section
from partnerhub.components.snapshot_banner import data_as_of
from partnerhub.formatting import refresh_time
from partnerhub.i18n import _
from partnerhub.metrics.query import latest_week
from partnerhub.pages._analytics import calling as C
from partnerhub.pages._analytics.notices import filters_notice, problems_alert, product_fallback
from partnerhub.pages._analytics.query import (
    args_from_kwargs,
    callback_context,
    page_context,
    query_from_browser,
    read_query,
)
from partnerhub.pages._analytics.query import view_for as _view_for
from partnerhub.pages._analytics.sections import Resolved, chart_section, register_table, table_section
from partnerhub.pages._saved_views import views_bar

dash.register_page(__name__, path="/calling", title=lambda **_path: _("Calling"), name="Calling", area="calling")

FILTERS = "calling-filters"  # dcc.Store: the customer filters as a query string
VIEW_STATES = (State(FILTERS, "data"),)


def resolve(filter_search) -> Resolved:
    ctx = callback_context()
    query = query_from_browser(filter_search)
    return Resolved(ctx, _view_for(ctx, query), query.search(), "")


for _table in C.TABLES:
    register_table(_table, VIEW_STATES, resolve)


def layout(**kwargs):
    if not has_request_context():
        return html.Div(id="calling-page")
    title = html.H1(_("Calling"), className="h3")
    ctx = page_context()
    if ctx is None:
        return html.Div([title, data_as_of(None)], id="calling-page")
    query = read_query(args_from_kwargs(kwargs))
    r = Resolved(ctx, _view_for(ctx, query), query.search(), "")
    week = latest_week(ctx).isoformat()
    return html.Div(
        [
            dcc.Store(id=FILTERS, data=query.filter_search()),
            title,
            data_as_of(ctx.as_of),
            views_bar("calling"),
            html.P(
                _(
                    "Data refreshed every %(weekday)s %(time)s %(zone)s; showing the week of %(week)s.",
                    week=week,
                    **refresh_time(),
                ),
                id="calling-week",
                className="calling-week",
            ),
            problems_alert("calling-url-problems", query.problems, product_fallback(query.problems)),
            filters_notice("calling-filters-notice", query, "/calling"),
            section(
                _("Calling usage"),
                None,
                [
                    chart_section(C.USAGE_TREND, r, level=3),
                    table_section(C.USAGE, r, level=3),
                ],
                id="calling-usage-section",
            ),
            section(
                _("Call quality"),
                None,
                [
                    chart_section(C.QUALITY_TREND, r, level=3),
                    chart_section(C.ENDPOINTS, r, level=3),
                    table_section(C.QUALITY, r, level=3),
                ],
                id="calling-quality-section",
            ),
            chart_section(C.FEATURES, r),
            table_section(C.QUEUES, r),
        ],
        id="calling-page",
        className="calling-page",
    )
