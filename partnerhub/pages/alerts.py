"""Alerts: the signed-in person's own alerts (open and resolved, mark read)
and alert rules (list, create, delete); every role has this page (roles.md
"Alerts (their own rules and alerts)").

The request guard gives this page and its callbacks (ids prefixed
`alerts-`) to every signed-in role; each callback acts only on the caller's
own rules and alerts, identified on the server, through the application
layer (services/alert_rules.py, services/alert_inbox.py). The parts live in
pages/_alerts/, with the navigation bar's bell.
"""

from __future__ import annotations

import dash
from dash import html
from flask import has_request_context

from partnerhub.auth.session import current_identity
from partnerhub.data import tags as tag_store
from partnerhub.i18n import _
from partnerhub.pages._alerts import bell as _bell  # noqa: F401  (registers the bell's callback)
from partnerhub.pages._alerts.alerts_list import alerts_section
from partnerhub.pages._alerts.rules_ui import rules_section
from partnerhub.services.caller import current_caller

dash.register_page(__name__, path="/alerts", title=lambda **_path: _("Alerts"), name="Alerts", area="alerts")


def layout(**_params):
    if not has_request_context() or current_identity() is None:
        return html.Div(id="alerts-page")
    caller = current_caller()
    tag_names = [t["name"] for t in tag_store.list_tags(caller.state)]
    return html.Div(
        [
            html.H1(_("Alerts"), className="h3"),
            html.P(
                _(
                    "What changed in your customers since the last data import, by the rules you set here. "
                    "The bell at the top counts the alerts you have not read."
                ),
                className="text-muted",
            ),
            alerts_section(caller),
            rules_section(caller, tag_names),
        ],
        id="alerts-page",
    )
