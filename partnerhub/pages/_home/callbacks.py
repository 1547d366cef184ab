"""The callbacks of "This week": the URL and the worklist's filter controls
kept in step, the grid's server-side pages and the download links. The
scope always comes from the server (the signed-in caller), never from the
browser; the view the browser sends is read again like any URL."""

from __future__ import annotations

import dash
from dash import Input, Output, State, ctx

from partnerhub.components import download_hrefs, download_menu_outputs, empty_state, refresh_grid_on
from partnerhub.data.runtime import services
from partnerhub.data.tags import list_tags
from partnerhub.metrics.types import request_context
from partnerhub.pages._analytics.query import args_from_search
from partnerhub.pages._url_sync import UrlSync
from partnerhub.services.caller import current_caller

from .layout import DOWNLOAD_ID, bad_address_alert
from .view import DATASET_URL, controls_args, controls_of, download_query, read_home_view, view_query
from .worklist import GRID_ID, count_text, empty_reason, grid_rows

CONTROLS = ("home-band", "home-reason", "home-tag", "home-managed-by")
HOME_PATH = "/"


SYNC = UrlSync("home-url", CONTROLS, read_home_view, view_query, controls_args, controls_of, bad_address_alert)

# (search, view, alert, *controls) for one change of the URL or of a control
sync_view = SYNC.step


@dash.callback(
    Output("home-url", "search"),
    Output("home-view", "data"),
    Output("home-url-alert", "children"),
    *[Output(c, "value") for c in CONTROLS],
    Input("home-url", "search"),
    *[Input(c, "value") for c in CONTROLS],
    State("home-url", "pathname"),
    State("home-view", "data"),
    prevent_initial_call=True,
)
def _sync(search, *rest):
    *controls, pathname, current = rest
    if pathname is not None and pathname != HOME_PATH:
        # the page is being left for a customer's page: nothing to follow
        raise dash.exceptions.PreventUpdate
    known = [t["name"] for t in list_tags(services().state)]
    return sync_view(ctx.triggered_id, search, list(controls), current, known)


@dash.callback(
    Output(GRID_ID, "getRowsResponse"),
    Output("home-worklist-count", "children"),
    Output("home-worklist-empty", "children"),
    Input(GRID_ID, "getRowsRequest"),
    State("home-view", "data"),
    prevent_initial_call=True,
)
def _rows(request, search):
    c = request_context()
    if c is None or not request:
        return {"rowData": [], "rowCount": 0}, count_text(0), None
    caller = current_caller()
    response, total, filters = grid_rows(c, caller, search, request)
    empty = empty_state(*empty_reason(filters, caller.scope), id="home-worklist-empty-state") if total == 0 else None
    return response, count_text(total), empty


@dash.callback(
    *download_menu_outputs(DOWNLOAD_ID),
    Input("home-view", "data"),
    prevent_initial_call=True,
)
def _downloads(search):
    filters = read_home_view(args_from_search(search), None).filters
    return list(download_hrefs(DATASET_URL, download_query(filters)).values())


# a new view: back to page 1 of freshly fetched rows
refresh_grid_on(GRID_ID, Input("home-view", "data"))
