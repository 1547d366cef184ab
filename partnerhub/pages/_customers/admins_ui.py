"""The customer page's "Partner administrators" tab: who is assigned to this
customer, and (partner full administrators only) assigning or removing one,
through the application layer (partnerhub/services/assignments.py)."""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import ALL, Input, Output, State, dcc, html
from dash.exceptions import PreventUpdate

from partnerhub.auth import users as auth_users
from partnerhub.auth.roles import ROLE_LABELS
from partnerhub.components import empty_state
from partnerhub.components.callbacks import clicked_id
from partnerhub.components.icons import aria
from partnerhub.data.runtime import services
from partnerhub.i18n import _
from partnerhub.pages._feedback import alert, shows_refusal
from partnerhub.services import assignments as assignment_actions
from partnerhub.services.caller import current_caller


def _source_labels() -> dict[str, str]:
    return {
        "import": _("From the imported data"),
        "app": _("Assigned in the app"),
        "cli": _("Assigned on the command line"),
    }


def _when(value) -> str:
    return f"{value:%Y-%m-%d}" if value is not None else "—"


def admins_panel(customer_id: str, can_manage: bool) -> html.Div:
    state = services().state
    rows = auth_users.assignments_for_customer(state, customer_id)
    sources = _source_labels()
    if rows:
        head = [_("Name"), _("E-mail"), _("Role"), _("How"), _("Assigned")] + ([_("Action")] if can_manage else [])
        body = [
            html.Tr(
                [
                    html.Td(r["name"]),
                    html.Td(r["email"]),
                    html.Td(_(ROLE_LABELS.get(r["role"], r["role"]))),
                    html.Td(sources.get(r["source"], r["source"])),
                    html.Td(_when(r["assigned_at"]) + (f" · {r['assigned_by']}" if r.get("assigned_by") else "")),
                    html.Td(
                        html.Button(
                            _("Remove"),
                            id={"type": "customers-admins-remove", "email": r["email"]},
                            type="button",
                            className="btn btn-outline-danger btn-sm",
                            **aria(label=_("Remove %(email)s from this customer", email=r["email"])),
                        )
                    )
                    if can_manage
                    else None,
                ]
            )
            for r in rows
        ]
        table = dbc.Table(
            [html.Thead(html.Tr([html.Th(h, scope="col") for h in head])), html.Tbody(body)],
            size="sm",
            striped=True,
            responsive=True,
            id="customers-admins-table",
        )
    else:
        table = empty_state(
            _("No partner administrator is assigned to this customer."),
            _(
                "Partner full, read-only and sales full administrators see every customer without "
                "an assignment; partner administrators and sales administrators see only the "
                "customers assigned to them."
            ),
            id="customers-admins-empty",
        )
    add = None
    if can_manage:
        options = [
            {"label": f"{u['name']} <{u['email']}> · {_(u['role_label'])}", "value": u["email"]}
            for u in auth_users.assignable_to_customer(state, customer_id)
        ]
        add = dbc.Card(
            dbc.CardBody(
                [
                    html.H3(_("Assign an administrator"), className="h6"),
                    dbc.Label(
                        _("Partner administrator or sales administrator"),
                        html_for="customers-admins-user",
                        className="form-label filter-label",
                    ),
                    dcc.Dropdown(
                        id="customers-admins-user",
                        options=options,
                        placeholder=_("Choose an administrator"),
                        clearable=True,
                    ),
                    dbc.Button(_("Assign"), id="customers-admins-add", color="primary", size="sm", className="mt-2"),
                ]
            ),
            className="mt-3",
            style={"maxWidth": "36rem"},
        )
    return html.Div(
        [
            html.P(
                _("Partner administrators and sales administrators assigned to this customer, and how."),
                className="small text-muted",
            ),
            table,
            add,
        ]
    )


@dash.callback(
    Output("customers-admins-feedback", "children"),
    Output("customers-admins-panel", "children"),
    Input("customers-admins-add", "n_clicks"),
    State("customers-admins-user", "value"),
    State("customers-detail-id", "data"),
    prevent_initial_call=True,
)
@shows_refusal(2)
def _assign(n, email, customer_id):
    if not n:
        raise PreventUpdate
    outcome = assignment_actions.assign_to_customer(current_caller(), customer_id, email)
    return alert(outcome.message), admins_panel(customer_id, True)


@dash.callback(
    Output("customers-admins-feedback", "children", allow_duplicate=True),
    Output("customers-admins-panel", "children", allow_duplicate=True),
    Input({"type": "customers-admins-remove", "email": ALL}, "n_clicks"),
    State("customers-detail-id", "data"),
    prevent_initial_call=True,
)
@shows_refusal(2)
def _unassign(_clicks, customer_id):
    clicked = clicked_id()
    outcome = assignment_actions.unassign_from_customer(current_caller(), customer_id, clicked.get("email"))
    return alert(outcome.message), admins_panel(customer_id, True)
