"""The customer list's callbacks: the URL and the filter controls kept in
step, the grid's server-side pages, the download links and the tag filter's
choices. The scope always comes from auth.scope.current_scope(), never from
the browser; the view the browser sends is parsed again like any URL."""

from __future__ import annotations

import dash
from dash import ClientsideFunction, Input, Output, State, ctx

from partnerhub.auth.scope import current_scope
from partnerhub.components import download_hrefs, download_menu_outputs, empty_state, refresh_grid_on
from partnerhub.data.runtime import services
from partnerhub.data.tags import list_tags
from partnerhub.pages._analytics.query import args_from_search
from partnerhub.pages._url_sync import UrlSync

from .common import context
from .list_layout import DATASET_URL, DOWNLOAD_ID, GRID_ID, bad_address_alert, tag_options
from .list_view import (
    controls_args,
    controls_of,
    count_text,
    empty_reason,
    grid_rows,
    read_list_view,
    segment_text,
    view_query,
)

CONTROLS = (
    "customers-attention",
    "customers-managed-by",
    "customers-product",
    "customers-status",
    "customers-subscription-type",
    "customers-tag",
    "customers-q",
    "customers-health-band",
    "customers-reason",
    # the drill-down's segment has no control: a Store holds it (list_layout.segment_notice)
    "customers-segment",
)
# the property each control keeps its value in
PROPS = {"customers-segment": "data"}
LIST_PATH = "/customers"


SYNC = UrlSync("customers-url", CONTROLS, read_list_view, view_query, controls_args, controls_of, bad_address_alert)

# (search, view, alert, *controls) for one change of the URL or of a control
sync_view = SYNC.step


@dash.callback(
    Output("customers-url", "search"),
    Output("customers-view", "data"),
    Output("customers-url-alert", "children"),
    *[Output(c, PROPS.get(c, "value")) for c in CONTROLS],
    Input("customers-url", "search"),
    *[Input(c, PROPS.get(c, "value")) for c in CONTROLS],
    State("customers-url", "pathname"),
    State("customers-view", "data"),
    prevent_initial_call=True,
)
def _sync(search, *rest):
    *controls, pathname, current = rest
    if pathname is not None and pathname.rstrip("/") != LIST_PATH:
        # the list is being left for a customer's page: nothing to follow
        raise dash.exceptions.PreventUpdate
    known = [t["name"] for t in list_tags(services().state)]
    return sync_view(ctx.triggered_id, search, list(controls), current, known)


@dash.callback(
    Output(GRID_ID, "getRowsResponse"),
    Output("customers-count", "children"),
    Output("customers-empty", "children"),
    Input(GRID_ID, "getRowsRequest"),
    State("customers-view", "data"),
    prevent_initial_call=True,
)
def _rows(request, search):
    c = context()
    if c is None or not request:
        return {"rowData": [], "rowCount": 0}, count_text(0), None
    scope = current_scope()
    response, total, filters = grid_rows(c, scope, search, request)
    empty = empty_state(*empty_reason(filters, scope), id="customers-empty-state") if total == 0 else None
    return response, count_text(total), empty


@dash.callback(
    Output("customers-segment-text", "children"),
    Output("customers-segment-notice", "hidden"),
    Input("customers-view", "data"),
    prevent_initial_call=True,
)
def _segment_notice(search):
    segments = read_list_view(args_from_search(search), None).filters.segment
    return segment_text(segments), not segments


@dash.callback(
    Output("customers-segment", "data", allow_duplicate=True),
    Input("customers-segment-clear", "n_clicks"),
    prevent_initial_call=True,
)
def _clear_segment(clicks):
    if not clicks:
        raise dash.exceptions.PreventUpdate
    return []


@dash.callback(
    *download_menu_outputs(DOWNLOAD_ID),
    Input("customers-view", "data"),
    prevent_initial_call=True,
)
def _downloads(search):
    return list(download_hrefs(DATASET_URL, search or "").values())


@dash.callback(
    Output("customers-tag", "options"),
    Input("customers-tags-version", "data"),
    prevent_initial_call=True,
)
def _tag_filter_options(_version):
    return tag_options(list_tags(services().state))


# a new view: back to page 1 of freshly fetched rows
refresh_grid_on(GRID_ID, Input("customers-view", "data"))

# tags changed: fetch the rows again where the grid stands (chips, counts)
dash.clientside_callback(
    ClientsideFunction("customers", "reloadRows"),
    Output(GRID_ID, "scrollTo", allow_duplicate=True),
    Input("customers-tags-version", "data"),
    State(GRID_ID, "id"),
    prevent_initial_call=True,
)
