"""Administration (partner full administrators only): users and roles, admin
assignments, audit log.

The request guard already refuses this page and its callbacks to every other
role (area "administration", ids prefixed `admin-`); each write callback
checks again with require_action() and shows the refusal instead of acting.
"""

from __future__ import annotations

from datetime import datetime

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, State, ctx, dcc, html
from dash.exceptions import PreventUpdate
from flask import has_request_context

from partnerhub.auth import tokens as auth_tokens
from partnerhub.auth import users as auth_users
from partnerhub.auth.audit import audit_actions, list_audit
from partnerhub.auth.guard import Refused, area_allowed, require_action
from partnerhub.auth.roles import ASSIGNED_SCOPE, ROLE_LABELS, ROLES
from partnerhub.components.grid import Column, data_grid
from partnerhub.components.i18n import _, n_
from partnerhub.components.layout import section
from partnerhub.data.runtime import current_snapshot, services

dash.register_page(__name__, path="/admin", title="Administration", name="Administration", area="administration")

SEARCH_LIMIT = 50
AUDIT_LIMIT = 500
ANY = "any"  # the audit filter's "any action"
STATUS_LABELS = {"active": "Active", "disabled": "Disabled", "no password": "No password yet"}


# ---- small pieces --------------------------------------------------------------


def _when(value: datetime | None) -> str:
    return f"{value:%Y-%m-%d %H:%M} UTC" if value else "–"


def _alert(message, color: str = "success") -> dbc.Alert:
    return dbc.Alert(message, color=color, dismissable=True, className="mt-2")


def _refusal(err: Exception) -> dbc.Alert:
    message = err.message if isinstance(err, Refused) else str(err)
    return html.Div(_alert(message, "danger"), role="alert")


def _field(label: str, component, help_text: str | None = None) -> html.Div:
    parts = [
        dbc.Label(label, html_for=component.id, id=f"{component.id}-label"),
        component,
        dbc.FormText(help_text) if help_text else None,
    ]
    if isinstance(component, dcc.Dropdown):
        # Dash 4's dropdown names its button after the selected value: the
        # group carries the visible label for assistive technology
        return html.Div(parts, className="mb-2", role="group", **{"aria-labelledby": f"{component.id}-label"})
    return html.Div(parts, className="mb-2")


def _role_options() -> list[dict]:
    return [{"label": _(ROLE_LABELS[r]), "value": r} for r in ROLES]


def _customer_names(ids: list[str]) -> dict[str, str]:
    snap = current_snapshot()
    if snap is None or not ids:
        return {}
    return dict(snap.rows("SELECT customer_id, name FROM customers WHERE customer_id IN (SELECT unnest(?))", [ids]))


# ---- users ------------------------------------------------------------------------

USER_COLUMNS = (
    ("email", "E-mail"),
    ("name", "Name"),
    ("role", "Role"),
    ("status", "Status"),
    ("last_sign_in", "Last sign-in"),
    ("tokens", "API tokens"),
    ("assigned", "Assigned customers"),
)


def user_rows(rows: list[dict]) -> list[dict]:
    return [
        {
            "email": r["email"],
            "name": r["name"],
            "role": _(r["role_label"]),
            "status": _(STATUS_LABELS[r["status"]]),
            "last_sign_in": _when(r["last_sign_in_at"]),
            "tokens": r["tokens"],
            "assigned": str(r["assigned"]) if r["role"] in ASSIGNED_SCOPE else _("all"),
        }
        for r in rows
    ]


def users_grid(rows: list[dict]):
    widths = {"email": 260, "name": 160, "role": 210}
    columns = [
        Column(field, _(header), "int" if field == "tokens" else "text", width=widths.get(field))
        for field, header in USER_COLUMNS
    ]
    return data_grid(
        "admin-users-grid",
        columns,
        user_rows(rows),
        server_side=False,
        page_size=100,
        empty_message=_("No users yet."),
        grid_options={"getRowId": {"function": "params.data.email"}},
    )


def _user_options(rows: list[dict], assigned_only: bool = False) -> list[dict]:
    return [
        {"label": f"{r['name']} <{r['email']}> · {_(r['role_label'])}", "value": r["email"]}
        for r in rows
        if not assigned_only or r["role"] in ASSIGNED_SCOPE
    ]


def users_tab(rows: list[dict]) -> html.Div:
    add = dbc.Card(
        dbc.CardBody(
            [
                html.H2(_("Add a user"), className="h6"),
                _field(_("E-mail address"), dbc.Input(id="admin-add-email", type="email", maxLength=254)),
                _field(_("Name"), dbc.Input(id="admin-add-name", type="text", maxLength=200)),
                _field(
                    _("Role"), dbc.Select(id="admin-add-role", options=_role_options(), value="partner_readonly_admin")
                ),
                _field(
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
                _field(
                    _("User"),
                    dcc.Dropdown(id="admin-user-select", options=_user_options(rows), placeholder=_("Pick a user")),
                ),
                dbc.Row(
                    [
                        dbc.Col(
                            _field(_("New role"), dbc.Select(id="admin-role-select", options=_role_options())), md=8
                        ),
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
                            _field(
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
def _add_user(n, email, name, role, password, version):
    if not n:
        raise PreventUpdate
    try:
        ident = require_action("user.manage")
        state = services().state
        if auth_users.get_user_by_email(state, email or "") is not None:
            raise ValueError(_("%(email)s exists already; change it below.", email=(email or "").strip().lower()))
        auth_users.add_or_update_user(state, ident.email, email, name, role, password=password or None)
    except (Refused, ValueError) as err:
        return _refusal(err), dash.no_update, dash.no_update, dash.no_update, dash.no_update
    note = "" if password else " " + _("Reset the password to let them sign in.")
    return _alert(_("Added %(email)s.", email=(email or "").strip().lower()) + note), (version or 0) + 1, "", "", ""


@dash.callback(
    Output("admin-users-feedback", "children", allow_duplicate=True),
    Output("admin-refresh", "data", allow_duplicate=True),
    Output("admin-reset-password", "value"),
    Input("admin-role-submit", "n_clicks"),
    Input("admin-reset-submit", "n_clicks"),
    Input("admin-disable-submit", "n_clicks"),
    Input("admin-enable-submit", "n_clicks"),
    Input("admin-revoke-tokens-submit", "n_clicks"),
    State("admin-user-select", "value"),
    State("admin-role-select", "value"),
    State("admin-reset-password", "value"),
    State("admin-refresh", "data"),
    prevent_initial_call=True,
)
def _change_user(_role, _reset, _disable, _enable, _revoke, email, role, password, version):
    action = ctx.triggered_id
    if not ctx.triggered or not ctx.triggered[0]["value"]:
        raise PreventUpdate
    try:
        ident = require_action("user.manage")
        state = services().state
        if not email:
            raise ValueError(_("Pick a user first."))
        user = auth_users.get_user_by_email(state, email)
        if user is None:
            raise ValueError(_("No such user."))
        if action == "admin-role-submit":
            if not role:
                raise ValueError(_("Pick the new role."))
            auth_users.set_role(state, ident.email, email, role)
            message = _alert(_("%(email)s is now: %(role)s.", email=user.email, role=_(ROLE_LABELS[role])))
        elif action == "admin-reset-submit":
            new = auth_users.reset_password(state, ident.email, email, password or None)
            if password:
                message = _alert(_("The password of %(email)s is set; their sessions have ended.", email=user.email))
            else:
                message = _alert(
                    [
                        _("New password for %(email)s (shown only now): ", email=user.email),
                        html.Code(new, id="admin-generated-password", className="user-select-all"),
                    ]
                )
        elif action == "admin-disable-submit":
            auth_users.set_disabled(state, ident.email, email, True)
            message = _alert(
                _("%(email)s is disabled: signed out, and their API tokens stop working.", email=user.email)
            )
        elif action == "admin-enable-submit":
            auth_users.set_disabled(state, ident.email, email, False)
            message = _alert(_("%(email)s is enabled.", email=user.email))
        elif action == "admin-revoke-tokens-submit":
            n = auth_tokens.revoke_all_tokens(state, ident.email, user.id)
            message = _alert(
                n_(
                    "Revoked %(num)s API token of %(email)s.",
                    "Revoked %(num)s API tokens of %(email)s.",
                    n,
                    email=user.email,
                )
            )
        else:
            raise PreventUpdate
    except (Refused, ValueError) as err:
        return _refusal(err), dash.no_update, dash.no_update
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
    return user_rows(rows), _user_options(rows), _user_options(rows, assigned_only=True)


# ---- assignments ------------------------------------------------------------------


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
                        _field(
                            _("Administrator"),
                            dcc.Dropdown(
                                id="admin-assign-user",
                                options=_user_options(rows, True),
                                placeholder=_("Pick a partner or sales administrator"),
                            ),
                        ),
                        _field(
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
                        _field(
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
    found = []
    if search and search.strip():
        needle = "%" + search.strip().lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        found = snap.rows(
            "SELECT customer_id, name FROM customers WHERE lower(customer_id) LIKE ? ESCAPE '\\' "
            "OR lower(name) LIKE ? ESCAPE '\\' ORDER BY name, customer_id LIMIT ?",
            [needle, needle, SEARCH_LIMIT],
        )
    names = _customer_names(list(selected))
    options = {cid: f"{names.get(cid, cid)} ({cid})" for cid in selected}
    for cid, name in found:
        options.setdefault(cid, f"{name} ({cid})")
    return [{"label": label, "value": cid} for cid, label in options.items()]


ASSIGNMENT_COLUMNS = (
    ("name", "Customer"),
    ("customer_id", "Customer id"),
    ("source", "Source"),
    ("assigned_at", "Assigned"),
    ("assigned_by", "By"),
)


def assignment_rows(email: str | None) -> list[dict]:
    if not email:
        return []
    rows = auth_users.assignments_for_user(services().state, email)
    names = _customer_names([r["customer_id"] for r in rows])
    return [
        {
            "name": names.get(r["customer_id"], "–"),
            "customer_id": r["customer_id"],
            "source": r["source"],
            "assigned_at": _when(r["assigned_at"]),
            "assigned_by": r["assigned_by"] or "–",
        }
        for r in rows
    ]


def assignments_grid():
    columns = [(field, _(header), "text") for field, header in ASSIGNMENT_COLUMNS]
    return data_grid(
        "admin-assignments-grid",
        columns,
        [],
        server_side=False,
        page_size=25,
        empty_message=_("Pick an administrator to see their customers."),
        grid_options={"getRowId": {"function": "params.data.customer_id"}},
    )


def _assignment_change(email, customer_ids, nothing_picked: str):
    """Who may change assignments, and that the form names an admin and customers."""
    ident = require_action("assignment.manage")
    if not email:
        raise ValueError(_("Pick an administrator first."))
    if not customer_ids:
        raise ValueError(nothing_picked)
    return ident


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
def _assign(n, email, customer_ids, version):
    if not n:
        raise PreventUpdate
    try:
        ident = _assignment_change(email, customer_ids, _("Pick at least one customer."))
        known = _customer_names(list(customer_ids))
        unknown = [c for c in customer_ids if c not in known]
        if unknown:
            raise ValueError(_("Unknown customer ids: %(ids)s", ids=", ".join(unknown)))
        added = auth_users.assign_customers(services().state, ident.email, email, customer_ids)
    except (Refused, ValueError) as err:
        return _refusal(err), dash.no_update, dash.no_update
    return (
        _alert(
            n_(
                "Assigned %(num)s customer to %(email)s.",
                "Assigned %(num)s customers to %(email)s.",
                len(added),
                email=email,
            )
        ),
        (version or 0) + 1,
        [],
    )


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
def _unassign(n, email, customer_ids, version):
    if not n:
        raise PreventUpdate
    try:
        ident = _assignment_change(email, customer_ids, _("Pick the customers to remove."))
        for customer_id in customer_ids:
            auth_users.unassign_customer(services().state, ident.email, email, customer_id)
    except (Refused, ValueError) as err:
        return _refusal(err), (version or 0) + 1, dash.no_update
    return (
        _alert(
            n_(
                "Removed %(num)s customer from %(email)s.",
                "Removed %(num)s customers from %(email)s.",
                len(customer_ids),
                email=email,
            )
        ),
        (version or 0) + 1,
        [],
    )


@dash.callback(
    Output("admin-assignments-grid", "rowData"),
    Output("admin-unassign-customers", "options"),
    Input("admin-assign-user", "value"),
    Input("admin-assign-refresh", "data"),
    prevent_initial_call=True,
)
def _show_assignments(email, _version):
    rows = assignment_rows(email)
    return rows, [{"label": f"{r['name']} ({r['customer_id']})", "value": r["customer_id"]} for r in rows]


# ---- audit log ----------------------------------------------------------------------

AUDIT_COLUMNS = (
    ("at", "When"),
    ("actor", "Who"),
    ("action", "Action"),
    ("customer_id", "Customer"),
    ("target", "Target"),
    ("before", "Before"),
    ("after", "After"),
)


def _change(value) -> str:
    if value is None:
        return "–"
    if isinstance(value, dict):
        return "; ".join(f"{k}: {v}" for k, v in value.items())
    return str(value)


def audit_rows(rows: list[dict]) -> list[dict]:
    return [
        {
            "id": str(r["id"]),
            "at": _when(r["at"]),
            "actor": r["actor"],
            "action": r["action"],
            "customer_id": r["customer_id"] or "–",
            "target": r["target"] or "–",
            "before": _change(r["before"]),
            "after": _change(r["after"]),
        }
        for r in rows
    ]


def audit_grid(rows: list[dict]):
    columns = [(field, _(header), "text") for field, header in AUDIT_COLUMNS]
    return data_grid(
        "admin-audit-grid",
        columns,
        audit_rows(rows),
        server_side=False,
        page_size=50,
        empty_message=_("No changes match these filters."),
        grid_options={"getRowId": {"function": "params.data.id"}},
    )


def audit_tab(actions: list[str], rows: list[dict]) -> html.Div:
    return html.Div(
        [
            dbc.Row(
                [
                    dbc.Col(
                        _field(
                            _("Who"),
                            dbc.Input(
                                id="admin-audit-who", type="text", debounce=True, placeholder=_("e-mail, import or cli")
                            ),
                        ),
                        md=3,
                    ),
                    dbc.Col(
                        _field(
                            _("Action"),
                            dbc.Select(
                                id="admin-audit-action",
                                value=ANY,
                                options=[{"label": _("any"), "value": ANY}]
                                + [{"label": a, "value": a} for a in actions],
                            ),
                        ),
                        md=3,
                    ),
                    dbc.Col(
                        _field(_("Customer id"), dbc.Input(id="admin-audit-customer", type="text", debounce=True)), md=2
                    ),
                    dbc.Col(_field(_("From"), dbc.Input(id="admin-audit-from", type="date")), md=2),
                    dbc.Col(_field(_("To"), dbc.Input(id="admin-audit-to", type="date")), md=2),
                ]
            ),
            html.Div(id="admin-audit-feedback", role="status"),
            html.P(_("Newest first; at most %(n)s changes are shown.", n=AUDIT_LIMIT), className="small text-muted"),
            audit_grid(rows),
        ],
        className="pt-3",
    )


@dash.callback(
    Output("admin-audit-grid", "rowData"),
    Output("admin-audit-feedback", "children"),
    Input("admin-audit-who", "value"),
    Input("admin-audit-action", "value"),
    Input("admin-audit-customer", "value"),
    Input("admin-audit-from", "value"),
    Input("admin-audit-to", "value"),
    Input("admin-refresh", "data"),
    Input("admin-assign-refresh", "data"),
    prevent_initial_call=True,
)
def _filter_audit(who, action, customer_id, date_from, date_to, _v1, _v2):
    try:
        rows = list_audit(
            services().state,
            who=who,
            action=None if action in (None, "", ANY) else action,
            customer_id=customer_id,
            date_from=date_from or None,
            date_to=date_to or None,
            limit=AUDIT_LIMIT,
        )
    except ValueError as err:
        return [], _refusal(err)
    return audit_rows(rows), None


# ---- the page -------------------------------------------------------------------------


def layout(**_params):
    if not has_request_context():
        return html.Div(id="admin-page")
    if not area_allowed("administration"):
        return html.Div(html.P(_("Your role does not give access to this page.")), id="admin-page")
    state = services().state
    rows = auth_users.list_users(state)
    return html.Div(
        [
            html.H1(_("Administration"), className="h3"),
            dcc.Store(id="admin-refresh", data=0),
            dcc.Store(id="admin-assign-refresh", data=0),
            dbc.Tabs(
                [
                    dbc.Tab(users_tab(rows), label=_("Users and roles"), tab_id="admin-tab-users"),
                    dbc.Tab(assignments_tab(rows), label=_("Admin assignments"), tab_id="admin-tab-assignments"),
                    dbc.Tab(
                        audit_tab(audit_actions(state), list_audit(state, limit=AUDIT_LIMIT)),
                        label=_("Audit log"),
                        tab_id="admin-tab-audit",
                    ),
                ],
                id="admin-tabs",
                active_tab="admin-tab-users",
            ),
        ],
        id="admin-page",
    )
