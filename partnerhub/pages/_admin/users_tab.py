"""The "Users and roles" tab: add a user; change one's role, reset their
password, disable or enable them, end their sessions, revoke their API
tokens; every user."""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, State, ctx, dcc, html
from dash.exceptions import PreventUpdate

from partnerhub.auth import users as auth_users
from partnerhub.auth.roles import ASSIGNED_SCOPE
from partnerhub.auth.session import current_session_id, idle_timeout
from partnerhub.components.grid import Column, client_rows, data_grid
from partnerhub.components.layout import section
from partnerhub.data import sessions as session_store
from partnerhub.data.runtime import services
from partnerhub.i18n import N_, _
from partnerhub.pages._feedback import alert, shows_refusal
from partnerhub.services import sessions as session_actions
from partnerhub.services import tokens as token_actions
from partnerhub.services import users as user_actions
from partnerhub.services.caller import current_caller

from .fields import field, role_options, user_options, when

STATUS_LABELS = {"active": N_("Active"), "disabled": N_("Disabled"), "no password": N_("No password yet")}

NUMBER_COLUMNS = ("sessions", "tokens")
USER_COLUMNS = (
    ("email", N_("E-mail")),
    ("name", N_("Name")),
    ("role", N_("Role")),
    ("status", N_("Status")),
    ("last_sign_in", N_("Last sign-in")),
    ("sessions", N_("Sessions")),
    ("tokens", N_("API tokens")),
    ("assigned", N_("Assigned customers")),
)


def user_rows(rows: list[dict]) -> list[dict]:
    sessions = session_store.active_counts(services().state, idle_timeout())
    return [
        {
            "email": r["email"],
            "name": r["name"],
            "role": _(r["role_label"]),
            "status": _(STATUS_LABELS[r["status"]]),
            "last_sign_in": when(r["last_sign_in_at"]),
            "sessions": sessions.get(r["id"], 0),
            "tokens": r["tokens"],
            "assigned": str(r["assigned"]) if r["role"] in ASSIGNED_SCOPE else _("all"),
        }
        for r in rows
    ]


def collated_user_rows(rows: list[dict]) -> list[dict]:
    # sorted in the browser by the server's collation (components.grid.client_rows)
    return client_rows(user_rows(rows), [name for name, _h in USER_COLUMNS if name not in NUMBER_COLUMNS])


def users_grid(rows: list[dict]):
    widths = {"email": 260, "name": 160, "role": 210}
    columns = [
        Column(name, _(header), "int" if name in NUMBER_COLUMNS else "text", width=widths.get(name))
        for name, header in USER_COLUMNS
    ]
    return data_grid(
        "admin-users-grid",
        columns,
        collated_user_rows(rows),
        server_side=False,
        page_size=100,
        empty_message=_("No users yet."),
        grid_options={"getRowId": {"function": "params.data.email"}},
    )


def users_tab(rows: list[dict]) -> html.Div:
    add = dbc.Card(
        dbc.CardBody(
            [
                html.H2(_("Add a user"), className="h6"),
                field(_("E-mail address"), dbc.Input(id="admin-add-email", type="email", maxLength=254)),
                field(_("Name"), dbc.Input(id="admin-add-name", type="text", maxLength=200)),
                field(
                    _("Role"), dbc.Select(id="admin-add-role", options=role_options(), value="partner_readonly_admin")
                ),
                field(
                    _("Password (optional)"),
                    dbc.Input(id="admin-add-password", type="password", autocomplete="new-password"),
                    _("Leave empty and reset the password later: until then the user cannot sign in."),
                ),
                dbc.Button(_("Add user"), id="admin-add-submit", color="primary"),
            ]
        ),
        className="mb-3",
    )
    change = dbc.Card(
        dbc.CardBody(
            [
                html.H2(_("Change a user"), className="h6"),
                field(
                    _("User"),
                    dcc.Dropdown(id="admin-user-select", options=user_options(rows), placeholder=_("Pick a user")),
                ),
                dbc.Row(
                    [
                        dbc.Col(field(_("New role"), dbc.Select(id="admin-role-select", options=role_options())), md=8),
                        dbc.Col(
                            dbc.Button(
                                _("Change role"), id="admin-role-submit", color="secondary", className="mt-md-4"
                            ),
                            md=4,
                        ),
                    ]
                ),
                dbc.Row(
                    [
                        dbc.Col(
                            field(
                                _("New password"),
                                dbc.Input(id="admin-reset-password", type="password", autocomplete="new-password"),
                                _("Leave empty to generate one; it is shown once."),
                            ),
                            md=8,
                        ),
                        dbc.Col(
                            dbc.Button(
                                _("Reset password"), id="admin-reset-submit", color="secondary", className="mt-md-4"
                            ),
                            md=4,
                        ),
                    ]
                ),
                html.Div(
                    [
                        dbc.Button(_("Disable"), id="admin-disable-submit", color="outline-danger", className="me-2"),
                        dbc.Button(_("Enable"), id="admin-enable-submit", color="outline-success", className="me-2"),
                        dbc.Button(
                            _("End all sessions"),
                            id="admin-end-sessions-submit",
                            color="outline-danger",
                            className="me-2",
                        ),
                        dbc.Button(_("Revoke all API tokens"), id="admin-revoke-tokens-submit", color="outline-danger"),
                    ],
                    className="mt-2",
                ),
            ]
        ),
        className="mb-3",
    )
    return html.Div(
        [
            html.Div(id="admin-users-feedback", role="status"),
            dbc.Row([dbc.Col(add, lg=6), dbc.Col(change, lg=6)]),
            section(_("Users"), None, users_grid(rows), id="admin-users"),
        ],
        className="pt-3",
    )


@dash.callback(
    Output("admin-users-feedback", "children", allow_duplicate=True),
    Output("admin-refresh", "data", allow_duplicate=True),
    Output("admin-add-password", "value"),
    Output("admin-add-email", "value"),
    Output("admin-add-name", "value"),
    Input("admin-add-submit", "n_clicks"),
    State("admin-add-email", "value"),
    State("admin-add-name", "value"),
    State("admin-add-role", "value"),
    State("admin-add-password", "value"),
    State("admin-refresh", "data"),
    prevent_initial_call=True,
)
@shows_refusal(5)
def _add_user(n, email, name, role, password, version):
    if not n:
        raise PreventUpdate
    outcome = user_actions.add(current_caller(), email, name, role, password)
    return alert(outcome.message), (version or 0) + 1, "", "", ""


@dash.callback(
    Output("admin-users-feedback", "children", allow_duplicate=True),
    Output("admin-refresh", "data", allow_duplicate=True),
    Output("admin-reset-password", "value"),
    Input("admin-role-submit", "n_clicks"),
    Input("admin-reset-submit", "n_clicks"),
    Input("admin-disable-submit", "n_clicks"),
    Input("admin-enable-submit", "n_clicks"),
    Input("admin-end-sessions-submit", "n_clicks"),
    Input("admin-revoke-tokens-submit", "n_clicks"),
    State("admin-user-select", "value"),
    State("admin-role-select", "value"),
    State("admin-reset-password", "value"),
    State("admin-refresh", "data"),
    prevent_initial_call=True,
)
@shows_refusal(3)
def _change_user(_role, _reset, _disable, _enable, _end_sessions, _revoke, email, role, password, version):
    if not ctx.triggered or not ctx.triggered[0]["value"]:
        raise PreventUpdate
    caller = current_caller()
    button = ctx.triggered_id
    if button == "admin-role-submit":
        message = alert(user_actions.change_role(caller, email, role).message)
    elif button == "admin-reset-submit":
        outcome = user_actions.reset_password(caller, email, password)
        shown = [
            outcome.message,
            " ",
            html.Code(outcome.value, id="admin-generated-password", className="user-select-all"),
        ]
        message = alert(shown if outcome.value else outcome.message)
    elif button == "admin-disable-submit":
        message = alert(user_actions.set_disabled(caller, email, True).message)
    elif button == "admin-enable-submit":
        message = alert(user_actions.set_disabled(caller, email, False).message)
    elif button == "admin-end-sessions-submit":
        outcome = session_actions.end_all_of(caller, email, idle_timeout(), current_session_id())
        message = alert(outcome.message)
    elif button == "admin-revoke-tokens-submit":
        message = alert(token_actions.revoke_all(caller, email).message)
    else:
        raise PreventUpdate
    return message, (version or 0) + 1, ""


@dash.callback(
    Output("admin-users-grid", "rowData"),
    Output("admin-user-select", "options"),
    Output("admin-assign-user", "options"),
    Input("admin-refresh", "data"),
    prevent_initial_call=True,
)
def _refresh_users(_version):
    rows = auth_users.list_users(services().state)
    return collated_user_rows(rows), user_options(rows), user_options(rows, assigned_only=True)
