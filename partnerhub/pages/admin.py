"""Administration (partner full administrators only): users and roles, admin
assignments, audit log, data status (pages/_admin holds one module per tab).

The request guard already refuses this page and its callbacks to every other
role (area "administration", ids prefixed `admin-`); every change goes
through the application layer, which checks the role again.
"""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import dcc, html
from flask import has_request_context

from partnerhub.auth import users as auth_users
from partnerhub.auth.audit import audit_actions, list_audit
from partnerhub.auth.guard import area_allowed
from partnerhub.data import alerts as alert_store
from partnerhub.data.runtime import current_snapshot, services
from partnerhub.i18n import _
from partnerhub.pages._admin.assignments_tab import assignments_tab
from partnerhub.pages._admin.audit_tab import AUDIT_LIMIT, audit_tab
from partnerhub.pages._admin.data_status_tab import data_status_tab
from partnerhub.pages._admin.deliveries_tab import DELIVERY_LIMIT, deliveries_tab
from partnerhub.pages._admin.snapshot_notice import snapshot_notice
from partnerhub.pages._admin.users_tab import users_tab

dash.register_page(
    __name__, path="/admin", title=lambda **_path: _("Administration"), name="Administration", area="administration"
)


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
            snapshot_notice(),
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
                    dbc.Tab(data_status_tab(current_snapshot()), label=_("Data status"), tab_id="admin-tab-data"),
                    dbc.Tab(
                        deliveries_tab(alert_store.delivery_log(state, limit=DELIVERY_LIMIT)),
                        label=_("Deliveries"),
                        tab_id="admin-tab-deliveries",
                    ),
                ],
                id="admin-tabs",
                active_tab="admin-tab-users",
            ),
        ],
        id="admin-page",
    )
