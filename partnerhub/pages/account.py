"""My account: own API tokens (create - shown once -, list, revoke), own
password, own sessions (see them, end the other ones) and own time zone
(every time the app shows is in it; preferences.set_time_zone checks it).

Every role has this page (area "account"); each callback acts only on the
signed-in user's own tokens, password and sessions, identified on the server,
through the application layer (partnerhub/services/tokens.py, users.py and
sessions.py).
"""

from __future__ import annotations

from datetime import datetime

import dash
import dash_bootstrap_components as dbc
from dash import ALL, Input, Output, State, dcc, html
from dash.development.base_component import Component
from dash.exceptions import PreventUpdate
from flask import has_request_context

from partnerhub.auth import tokens as auth_tokens
from partnerhub.auth import users as auth_users
from partnerhub.auth.passwords import MIN_LENGTH
from partnerhub.auth.roles import ROLE_LABELS
from partnerhub.auth.session import current_identity, current_session_id, idle_timeout, renew_session
from partnerhub.components.callbacks import clicked_id
from partnerhub.components.icons import aria
from partnerhub.data.preferences import get_preferences
from partnerhub.data.runtime import services
from partnerhub.formatting import default_time_zone, fmt_datetime, time_zone_choices, use_request_time_zone
from partnerhub.i18n import N_, _
from partnerhub.pages._alerts.digest_card import digest_card
from partnerhub.pages._feedback import alert, shows_refusal
from partnerhub.services import preferences as preference_actions
from partnerhub.services import sessions as session_actions
from partnerhub.services import tokens as token_actions
from partnerhub.services import users as user_actions
from partnerhub.services.caller import current_caller

dash.register_page(__name__, path="/account", title=lambda **_path: _("My account"), name="My account", area="account")


def _when(value: datetime | None) -> str:
    return fmt_datetime(value) if value else "–"


def _field(label: str, component, help_text: str | None = None) -> html.Div:
    return html.Div(
        [dbc.Label(label, html_for=component.id), component, dbc.FormText(help_text) if help_text else None],
        className="mb-2",
    )


def tokens_table(user_id: int | None) -> Component:
    rows = auth_tokens.list_tokens(services().state, user_id) if user_id is not None else []
    if not rows:
        return html.P(_("You have no API tokens."), className="text-muted")
    header = html.Thead(
        html.Tr(
            [
                html.Th(_(h) if h else "", scope="col")
                for h in (N_("Name"), N_("Token"), N_("Created"), N_("Last used"), "")
            ]
        )
    )
    body = html.Tbody(
        [
            html.Tr(
                [
                    html.Td(r["name"]),
                    html.Td(html.Code(r["prefix"] + "…")),
                    html.Td(_when(r["created_at"])),
                    html.Td(_when(r["last_used_at"])),
                    html.Td(
                        html.Button(
                            _("Revoke"),
                            id={"type": "account-token-revoke", "token": r["id"]},
                            type="button",
                            className="btn btn-outline-danger btn-sm",
                            **aria(label=_("Revoke token %(name)s", name=r["name"])),
                        )
                    ),
                ]
            )
            for r in rows
        ]
    )
    return dbc.Table([header, body], striped=True, size="sm", responsive=True, id="account-tokens-grid")


@dash.callback(
    Output("account-token-feedback", "children", allow_duplicate=True),
    Output("account-tokens", "children", allow_duplicate=True),
    Output("account-token-name", "value"),
    Input("account-token-create", "n_clicks"),
    State("account-token-name", "value"),
    prevent_initial_call=True,
)
@shows_refusal(3)
def _create_token(n, name):
    if not n:
        raise PreventUpdate
    caller = current_caller()
    outcome = token_actions.create(caller, name)
    secret = outcome.value
    shown = html.Div(
        [
            html.P(outcome.message, className="mb-1"),
            html.Div(
                [
                    html.Code(secret, id="account-token-secret", className="user-select-all me-2"),
                    dcc.Clipboard(
                        target_id="account-token-secret",
                        title=_("Copy"),
                        className="d-inline-block",
                        id="account-token-copy",
                    ),
                ]
            ),
            html.P(
                [_("Send it with every call to /api/v1/ as this header:"), " ", html.Code("Authorization: Bearer …")],
                className="small mb-0 mt-1",
            ),
        ]
    )
    return alert(shown, "info"), tokens_table(caller.user_id), ""


@dash.callback(
    Output("account-token-feedback", "children", allow_duplicate=True),
    Output("account-tokens", "children", allow_duplicate=True),
    Input({"type": "account-token-revoke", "token": ALL}, "n_clicks"),
    prevent_initial_call=True,
)
@shows_refusal(2)
def _revoke_token(_clicks):
    clicked = clicked_id()
    caller = current_caller()
    outcome = token_actions.revoke_own(caller, clicked.get("token"))
    return alert(outcome.message), tokens_table(caller.user_id)


@dash.callback(
    Output("account-password-feedback", "children"),
    Output("account-password-current", "value"),
    Output("account-password-new", "value"),
    Output("account-password-repeat", "value"),
    Input("account-password-submit", "n_clicks"),
    State("account-password-current", "value"),
    State("account-password-new", "value"),
    State("account-password-repeat", "value"),
    prevent_initial_call=True,
)
@shows_refusal(4, also={1: ""})
def _change_password(n, current, new, repeat):
    if not n:
        raise PreventUpdate
    caller = current_caller()
    outcome = user_actions.change_own_password(caller, current, new, repeat)
    # the change ended every session of theirs: this browser goes on in a new one
    renew_session(auth_users.get_user(caller.state, caller.user_id))
    return alert(outcome.message), "", "", ""


# browser and system names found in a User-Agent header, in the order tried
BROWSERS = (("Edg/", "Edge"), ("OPR/", "Opera"), ("Firefox/", "Firefox"), ("Chrome/", "Chrome"), ("Safari/", "Safari"))
SYSTEMS = (
    ("Windows", "Windows"),
    ("iPhone", "iOS"),
    ("iPad", "iPadOS"),
    ("Mac OS X", "macOS"),
    ("Android", "Android"),
    ("Linux", "Linux"),
)


def device(user_agent: str | None) -> str:
    """A short name for the browser a session was signed in from."""
    ua = user_agent or ""
    browser = next((name for key, name in BROWSERS if key in ua), None)
    system = next((name for key, name in SYSTEMS if key in ua), None)
    if browser and system:
        return _("%(browser)s on %(system)s", browser=browser, system=system)
    return browser or system or (ua[:60] if ua else _("Unknown browser"))


def sessions_table(user_id: int | None) -> Component:
    rows = session_actions.mine(current_caller(), idle_timeout()) if user_id is not None else []
    if not rows:
        return html.P(_("You have no sessions."), className="text-muted")
    current = current_session_id()
    header = html.Thead(
        # _("") would be the catalogue's header: the last column has no title
        html.Tr(
            [
                html.Th(_(h) if h else "", scope="col")
                for h in (N_("Browser"), N_("Address"), N_("Signed in"), N_("Last active"), "")
            ]
        )
    )

    def action(r: dict):
        if r["id"] == current:
            return dbc.Badge(_("This session"), color="success")
        return html.Button(
            _("End"),
            id={"type": "account-session-end", "session": r["id"]},
            type="button",
            className="btn btn-outline-danger btn-sm",
            **aria(label=_("End the session of %(device)s", device=device(r["user_agent"]))),
        )

    body = html.Tbody(
        [
            html.Tr(
                [
                    html.Td(device(r["user_agent"]), title=r["user_agent"] or ""),
                    html.Td(r["address"] or "–"),
                    html.Td(_when(r["created_at"])),
                    html.Td(_when(r["last_seen_at"])),
                    html.Td(action(r)),
                ]
            )
            for r in rows
        ]
    )
    return dbc.Table([header, body], striped=True, size="sm", responsive=True, id="account-sessions-grid")


@dash.callback(
    Output("account-session-feedback", "children", allow_duplicate=True),
    Output("account-sessions", "children", allow_duplicate=True),
    Input({"type": "account-session-end", "session": ALL}, "n_clicks"),
    prevent_initial_call=True,
)
@shows_refusal(2)
def _end_session(_clicks):
    clicked = clicked_id()
    caller = current_caller()
    outcome = session_actions.end_own(caller, clicked.get("session"), current_session_id(), idle_timeout())
    return alert(outcome.message), sessions_table(caller.user_id)


@dash.callback(
    Output("account-session-feedback", "children", allow_duplicate=True),
    Output("account-sessions", "children", allow_duplicate=True),
    Input("account-sessions-end-others", "n_clicks"),
    prevent_initial_call=True,
)
@shows_refusal(2)
def _end_other_sessions(n):
    if not n:
        raise PreventUpdate
    caller = current_caller()
    outcome = session_actions.end_others(caller, current_session_id(), idle_timeout())
    return alert(outcome.message), sessions_table(caller.user_id)


@dash.callback(
    Output("account-time-zone-feedback", "children"),
    Output("account-tokens", "children", allow_duplicate=True),
    Output("account-sessions", "children", allow_duplicate=True),
    Input("account-time-zone-save", "n_clicks"),
    State("account-time-zone", "value"),
    prevent_initial_call=True,
)
@shows_refusal(3)
def _save_time_zone(n, zone):
    if not n:
        raise PreventUpdate
    caller = current_caller()
    outcome = preference_actions.set_time_zone(caller, zone)
    use_request_time_zone(outcome.value)
    # the times on this page are redrawn in the new zone
    return alert(outcome.message), tokens_table(caller.user_id), sessions_table(caller.user_id)


def time_zone_card(user_id: int) -> Component:
    saved = (get_preferences(services().state, user_id) or {}).get("time_zone")
    current = saved or default_time_zone()
    return dbc.Card(
        dbc.CardBody(
            [
                html.H2(_("Time zone"), className="h5"),
                html.P(
                    _("Every time in the app is shown in this zone, with its name (such as JST)."),
                    className="small text-muted",
                ),
                html.Div(id="account-time-zone-feedback", role="status"),
                dbc.Row(
                    [
                        dbc.Col(
                            html.Div(
                                [
                                    dbc.Label(_("Time zone"), id="account-time-zone-label"),
                                    dcc.Dropdown(
                                        id="account-time-zone",
                                        options=time_zone_choices(),
                                        value=current,
                                        clearable=False,
                                        searchable=True,
                                    ),
                                    dbc.FormText(
                                        _("Chosen by you.") if saved else _("Not chosen yet: your browser's zone.")
                                    ),
                                ],
                                role="group",
                                className="mb-2",
                                **aria(labelledby="account-time-zone-label"),
                            )
                        ),
                        dbc.Col(
                            dbc.Button(_("Save"), id="account-time-zone-save", color="primary", className="mt-4"),
                            width="auto",
                        ),
                    ]
                ),
            ]
        )
    )


def sessions_card(user_id: int) -> Component:
    return dbc.Card(
        dbc.CardBody(
            [
                html.H2(_("Sessions"), className="h5"),
                html.P(
                    _(
                        "Where you are signed in. End a session you do not recognise, "
                        "and change your password if you did not sign in there."
                    ),
                    className="small text-muted",
                ),
                html.Div(id="account-session-feedback", role="status"),
                html.Div(sessions_table(user_id), id="account-sessions", className="mt-2"),
                dbc.Button(
                    _("End all other sessions"),
                    id="account-sessions-end-others",
                    color="outline-danger",
                    className="mt-2",
                ),
            ]
        )
    )


def layout(**_params):
    ident = current_identity() if has_request_context() else None
    if ident is None:
        return html.Div(id="account-page")
    return html.Div(
        [
            html.H1(_("My account"), className="h3"),
            html.P(
                [html.Strong(ident.name), f" · {ident.email} · ", _(ROLE_LABELS[ident.role])], className="text-muted"
            ),
            dbc.Row(
                [
                    dbc.Col(
                        dbc.Card(
                            dbc.CardBody(
                                [
                                    html.H2(_("API tokens"), className="h5"),
                                    html.P(
                                        _(
                                            "A token lets a script or notebook use the HTTP API with your role and customers."
                                        ),
                                        className="small text-muted",
                                    ),
                                    html.Div(id="account-token-feedback", role="status"),
                                    dbc.Row(
                                        [
                                            dbc.Col(
                                                _field(
                                                    _("Token name"),
                                                    dbc.Input(
                                                        id="account-token-name",
                                                        type="text",
                                                        maxLength=100,
                                                        placeholder=_("what it is for"),
                                                    ),
                                                )
                                            ),
                                            dbc.Col(
                                                dbc.Button(
                                                    _("Create token"),
                                                    id="account-token-create",
                                                    color="primary",
                                                    className="mt-4",
                                                ),
                                                width="auto",
                                            ),
                                        ]
                                    ),
                                    html.Div(tokens_table(ident.id), id="account-tokens", className="mt-2"),
                                ]
                            )
                        ),
                        lg=7,
                        className="mb-3",
                    ),
                    dbc.Col(
                        dbc.Card(
                            dbc.CardBody(
                                [
                                    html.H2(_("Change password"), className="h5"),
                                    html.Div(id="account-password-feedback", role="status"),
                                    _field(
                                        _("Current password"),
                                        dbc.Input(
                                            id="account-password-current",
                                            type="password",
                                            autocomplete="current-password",
                                        ),
                                    ),
                                    _field(
                                        _("New password"),
                                        dbc.Input(
                                            id="account-password-new", type="password", autocomplete="new-password"
                                        ),
                                        _("At least %(n)s characters.", n=MIN_LENGTH),
                                    ),
                                    _field(
                                        _("New password again"),
                                        dbc.Input(
                                            id="account-password-repeat", type="password", autocomplete="new-password"
                                        ),
                                    ),
                                    dbc.Button(_("Change password"), id="account-password-submit", color="primary"),
                                ]
                            )
                        ),
                        lg=5,
                        className="mb-3",
                    ),
                ]
            ),
            dbc.Row(dbc.Col(sessions_card(ident.id), className="mb-3")),
            dbc.Row(dbc.Col(time_zone_card(ident.id), lg=7, className="mb-3")),
            dbc.Row(dbc.Col(digest_card(), lg=7, className="mb-3")),
        ],
        id="account-page",
    )
