"""License analytics: headline KPIs, then the Meetings / Calling toggle and
every section it switches (license trend, recently added, expiring, renewing,
low allocation, overage).

The toggle and any customer filter live in the query string
(`/analytics?product=calling&status=trial`): layout() reads them and draws
every section for that view on the server (pages/_analytics/sections.py),
from the same metrics functions and the same query string as their download
links. The toggle writes the address (in the browser), and the pages router
draws the page again: one callback request for a view or a toggle, and
reload, bookmarks and back keep the view.
"""

from __future__ import annotations

import dash
from dash import ClientsideFunction, Input, Output, State, dcc, html
from flask import has_request_context

from partnerhub.components import product_toggle, section
from partnerhub.components.icons import aria
from partnerhub.components.labels import toggle_product_labels
from partnerhub.components.snapshot_banner import data_as_of
from partnerhub.i18n import _
from partnerhub.metrics.datasets import KPI_GROUPS
from partnerhub.pages._analytics import licenses as L
from partnerhub.pages._analytics.notices import filters_notice, problems_alert, product_fallback
from partnerhub.pages._analytics.query import (
    args_from_kwargs,
    callback_context,
    page_context,
    query_from_browser,
    read_query,
    view_for,
)
from partnerhub.pages._analytics.sections import Resolved, chart_section, register_table, table_section
from partnerhub.pages._saved_views import views_bar

dash.register_page(
    __name__, path="/analytics", title=lambda **_path: _("License analytics"), name="Analytics", area="analytics"
)

TOGGLE = "analytics-toggle"
FILTERS = "analytics-filters"  # dcc.Store: the page's customer filters as a query string
VIEW_STATES = (State(TOGGLE, "value"), State(FILTERS, "data"))


def resolve(product, filter_search) -> Resolved:
    ctx = callback_context()
    query = query_from_browser(filter_search, product)
    return Resolved(ctx, view_for(ctx, query), query.search(query.product), toggle_product_labels()[query.product])


for _spec in L.TABLES:
    register_table(_spec, VIEW_STATES, resolve)

# The toggle writes the address the pages router listens to (in the browser):
# the router then draws the page for the new view in one request, as it does
# for a reload, a bookmark or the back button.
dash.clientside_callback(
    ClientsideFunction("partnerhubGrid", "productSearch"),
    Output("_pages_location", "search"),
    Input(TOGGLE, "value"),
    State(FILTERS, "data"),
    prevent_initial_call=True,
)


def layout(**kwargs):
    if not has_request_context():
        return html.Div(id="analytics-page")
    title = html.H1(_("License analytics"), className="h3")
    ctx = page_context()
    if ctx is None:
        return html.Div([title, data_as_of(None)], id="analytics-page")
    query = read_query(args_from_kwargs(kwargs))
    view = view_for(ctx, query)
    product_label = toggle_product_labels()[query.product]
    r = Resolved(ctx, view, query.search(query.product), product_label)
    headline = KPI_GROUPS["headline"].fn(ctx, view)
    toggle = html.Div(
        [
            product_toggle(TOGGLE, query.product, label=_("Show licenses of")),
            html.P(_("Changes every section below."), className="text-muted small mb-0"),
        ],
        className="filter-bar analytics-toggle-bar",
        role="group",
        **aria(label=_("Product")),
    )
    return html.Div(
        [
            dcc.Store(id=FILTERS, data=query.filter_search()),
            title,
            data_as_of(ctx.as_of),
            views_bar("analytics"),
            problems_alert("analytics-url-problems", query.problems, product_fallback(query.problems, product_label)),
            filters_notice("analytics-filters-notice", query, "/analytics?product=" + query.product),
            section(
                _("Overview"),
                _("Meetings and Calling together, whatever the toggle below shows."),
                L.headline_cards(headline, query.filters),
                id="analytics-headline-section",
            ),
            toggle,
            html.Div(
                [chart_section(L.TREND, r)] + [table_section(spec, r) for spec in L.TABLES],
                id="analytics-sections",
            ),
        ],
        id="analytics-page",
        className="analytics-page",
    )
