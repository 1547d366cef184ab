"""The weekly digest's switch, on the Account page (pages/account.py): each
person opts in or out for themselves (services/alert_rules.set_digest). Its
ids start with `account-`: it belongs to that page's area."""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, State, html
from dash.development.base_component import Component
from dash.exceptions import PreventUpdate

from partnerhub.i18n import _
from partnerhub.pages._feedback import alert, shows_refusal
from partnerhub.services import alert_rules
from partnerhub.services.caller import current_caller


def digest_card() -> Component:
    on = alert_rules.digest(current_caller())
    return dbc.Card(
        dbc.CardBody(
            [
                html.H2(_("Weekly digest"), className="h5"),
                html.P(
                    _(
                        "After each data import, an e-mail in your language on the customers you see: their health "
                        "and headline numbers with the change since the previous import, the ten customers with the "
                        "lowest health and why, the alerts opened and resolved that week and your follow-ups due, "
                        "with the worklist attached as a CSV file."
                    ),
                    className="small text-muted",
                ),
                html.Div(id="account-digest-feedback", role="status"),
                dbc.Row(
                    [
                        dbc.Col(dbc.Switch(id="account-digest", label=_("Send me the weekly digest"), value=on)),
                        dbc.Col(dbc.Button(_("Save"), id="account-digest-save", color="primary"), width="auto"),
                    ],
                    align="center",
                ),
            ]
        ),
        id="account-digest-card",
    )


@dash.callback(
    Output("account-digest-feedback", "children"),
    Input("account-digest-save", "n_clicks"),
    State("account-digest", "value"),
    prevent_initial_call=True,
)
@shows_refusal(1)
def _set_digest(n, on):
    # saved on a click, as every change of the app: a switch flipped by accident changes nothing yet
    if not n:
        raise PreventUpdate
    outcome = alert_rules.set_digest(current_caller(), on)
    return alert(outcome.message)
