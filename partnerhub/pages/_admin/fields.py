"""What the Administration tabs share: a labelled form field, timestamps,
and the choices of roles and users."""

from __future__ import annotations

from datetime import datetime

import dash_bootstrap_components as dbc
from dash import dcc, html

from partnerhub.auth.roles import ASSIGNED_SCOPE, ROLE_LABELS, ROLES
from partnerhub.components.icons import aria
from partnerhub.formatting import fmt_datetime
from partnerhub.i18n import _


def when(value: datetime | None) -> str:
    """A timestamp in the viewer's time zone, named: 2026-11-30 09:00 JST."""
    return fmt_datetime(value) if value else "–"


def field(label: str, component, help_text: str | None = None) -> html.Div:
    component_id = str(getattr(component, "id", ""))
    parts = [
        dbc.Label(label, html_for=component_id, id=f"{component_id}-label"),
        component,
        dbc.FormText(help_text) if help_text else None,
    ]
    if isinstance(component, dcc.Dropdown):
        # Dash 4's dropdown names its button after the selected value: the
        # group carries the visible label for assistive technology
        return html.Div(parts, className="mb-2", role="group", **aria(labelledby=f"{component_id}-label"))
    return html.Div(parts, className="mb-2")


def role_options() -> list[dict]:
    return [{"label": _(ROLE_LABELS[r]), "value": r} for r in ROLES]


def user_options(rows: list[dict], assigned_only: bool = False) -> list[dict]:
    """Users (auth.users.list_users rows) to pick; assigned_only: those whose
    scope is their assigned customers."""
    return [
        {"label": f"{r['name']} <{r['email']}> · {_(r['role_label'])}", "value": r["email"]}
        for r in rows
        if not assigned_only or r["role"] in ASSIGNED_SCOPE
    ]
