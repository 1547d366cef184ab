"""The bell of the navigation bar: the signed-in person's unread alerts,
counted again on every navigation (the bar itself is drawn once, by
components/shell.py, which reads no store)."""

from __future__ import annotations

import dash
from dash import Input, Output
from dash.exceptions import PreventUpdate

from partnerhub.auth.session import current_identity
from partnerhub.components.shell import bell_contents
from partnerhub.services import alert_inbox
from partnerhub.services.caller import current_caller


@dash.callback(Output("nav-alerts", "children"), Input("_pages_location", "pathname"))
def _count_unread(_pathname):
    if current_identity() is None:
        raise PreventUpdate
    return bell_contents(alert_inbox.unread_count(current_caller()))
