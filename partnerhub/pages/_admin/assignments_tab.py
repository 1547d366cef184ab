"""The "Admin assignments" tab: pick a partner or sales administrator, assign
them customers found by name or id, remove some of theirs."""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, State, dcc, html
from dash.exceptions import PreventUpdate

from partnerhub.auth import users as auth_users
from partnerhub.auth.guard import area_allowed
from partnerhub.components.grid import client_rows, data_grid
from partnerhub.components.layout import section
from partnerhub.data.runtime import current_snapshot, services
from partnerhub.i18n import N_, _
from partnerhub.pages._feedback import alert, shows_refusal
from partnerhub.services import assignments as assignment_actions
from partnerhub.services.caller import current_caller
from partnerhub.services.lookup import customer_names, search_customers

from .fields import field, user_options, when

SEARCH_LIMIT = 50

ASSIGNMENT_COLUMNS = (
    ("name", N_("Customer")),
    ("customer_id", N_("Customer id")),
    ("source", N_("Source")),
    ("assigned_at", N_("Assigned")),
    ("assigned_by", N_("By")),
)


def assignment_rows(email: str | None) -> list[dict]:
    if not email:
        return []
    rows = auth_users.assignments_for_user(services().state, email)
    names = customer_names(current_snapshot(), [r["customer_id"] for r in rows])
    return [
        {
            "name": names.get(r["customer_id"], "–"),
            "customer_id": r["customer_id"],
            "source": r["source"],
            "assigned_at": when(r["assigned_at"]),
            "assigned_by": r["assigned_by"] or "–",
        }
        for r in rows
    ]


def assignments_grid():
    columns = [(name, _(header), "text") for name, header in ASSIGNMENT_COLUMNS]
    return data_grid(
        "admin-assignments-grid",
        columns,
        [],
        server_side=False,
        page_size=25,
        empty_message=_("Pick an administrator to see their customers."),
        grid_options={"getRowId": {"function": "params.data.customer_id"}},
    )


def assignments_tab(rows: list[dict]) -> html.Div:
    return html.Div(
        [
            html.P(
                _(
                    "Partner administrators and sales administrators see only the customers assigned to them "
                    "(sales administrators also those they started a trial for)."
                ),
                className="text-muted",
            ),
            html.Div(id="admin-assign-feedback", role="status"),
            dbc.Card(
                dbc.CardBody(
                    [
                        field(
                            _("Administrator"),
                            dcc.Dropdown(
                                id="admin-assign-user",
                                options=user_options(rows, True),
                                placeholder=_("Pick a partner or sales administrator"),
                            ),
                        ),
                        field(
                            _("Customers to assign"),
                            dcc.Dropdown(
                                id="admin-assign-customers",
                                options=[],
                                multi=True,
                                placeholder=_("Type a customer name or id"),
                            ),
                            _("Search by name or id; pick one or more."),
                        ),
                        dbc.Button(_("Assign"), id="admin-assign-submit", color="primary"),
                    ]
                ),
                className="mb-3",
            ),
            dbc.Card(
                dbc.CardBody(
                    [
                        field(
                            _("Customers to remove"),
                            dcc.Dropdown(
                                id="admin-unassign-customers",
                                options=[],
                                multi=True,
                                placeholder=_("Pick from the administrator's customers"),
                            ),
                        ),
                        dbc.Button(_("Remove"), id="admin-unassign-submit", color="outline-danger"),
                    ]
                ),
                className="mb-3",
            ),
            section(_("Assigned customers"), None, assignments_grid(), id="admin-assignments"),
        ],
        className="pt-3",
    )


@dash.callback(
    Output("admin-assign-customers", "options"),
    Input("admin-assign-customers", "search_value"),
    State("admin-assign-customers", "value"),
    prevent_initial_call=True,
)
def _search_customers(search, selected):
    selected = selected or []
    snap = current_snapshot()
    if snap is None or not area_allowed("administration"):
        return []
    found = search_customers(snap, search, SEARCH_LIMIT)
    names = customer_names(snap, selected)
    options = {cid: f"{names.get(cid, cid)} ({cid})" for cid in selected}
    for cid, name in found:
        options.setdefault(cid, f"{name} ({cid})")
    return [{"label": label, "value": cid} for cid, label in options.items()]


@dash.callback(
    Output("admin-assign-feedback", "children", allow_duplicate=True),
    Output("admin-assign-refresh", "data", allow_duplicate=True),
    Output("admin-assign-customers", "value"),
    Input("admin-assign-submit", "n_clicks"),
    State("admin-assign-user", "value"),
    State("admin-assign-customers", "value"),
    State("admin-assign-refresh", "data"),
    prevent_initial_call=True,
)
@shows_refusal(3)
def _assign(n, email, customer_ids, version):
    if not n:
        raise PreventUpdate
    outcome = assignment_actions.assign_customers(current_caller(), email, customer_ids)
    return alert(outcome.message), (version or 0) + 1, []


@dash.callback(
    Output("admin-assign-feedback", "children", allow_duplicate=True),
    Output("admin-assign-refresh", "data", allow_duplicate=True),
    Output("admin-unassign-customers", "value"),
    Input("admin-unassign-submit", "n_clicks"),
    State("admin-assign-user", "value"),
    State("admin-unassign-customers", "value"),
    State("admin-assign-refresh", "data"),
    prevent_initial_call=True,
)
@shows_refusal(3)
def _unassign(n, email, customer_ids, version):
    if not n:
        raise PreventUpdate
    outcome = assignment_actions.unassign_customers(current_caller(), email, customer_ids)
    return alert(outcome.message), (version or 0) + 1, []


@dash.callback(
    Output("admin-assignments-grid", "rowData"),
    Output("admin-unassign-customers", "options"),
    Input("admin-assign-user", "value"),
    Input("admin-assign-refresh", "data"),
    prevent_initial_call=True,
)
def _show_assignments(email, _version):
    rows = assignment_rows(email)
    # sorted in the browser by the server's collation (components.grid.client_rows)
    return client_rows(rows, [name for name, _h in ASSIGNMENT_COLUMNS]), [
        {"label": f"{r['name']} ({r['customer_id']})", "value": r["customer_id"]} for r in rows
    ]
