"""The frame around every page: navigation bar (only the areas the signed-in
role may see), account menu, and the page container."""

from __future__ import annotations

from typing import Any

import dash
import dash_bootstrap_components as dbc
from dash import dcc, html
from flask_wtf.csrf import generate_csrf

from partnerhub.auth.roles import may_see
from partnerhub.auth.session import current_identity
from partnerhub.i18n import LANGUAGE_NAMES, _, n_, request_language

from .icons import icon

# (area, path, icon) in menu order
NAV = (
    ("home", "/", "bi-activity"),
    ("customers", "/customers", "bi-buildings"),
    ("analytics", "/analytics", "bi-graph-up"),
    ("calling", "/calling", "bi-telephone"),
    ("resources", "/resources", "bi-journal-text"),
    ("administration", "/admin", "bi-shield-lock"),
)


def _labels() -> dict[str, str]:
    # literal _() calls so that `make messages` finds them
    return {
        "home": _("This week"),
        "customers": _("Customers"),
        "analytics": _("Analytics"),
        "calling": _("Calling"),
        "resources": _("Resources"),
        "administration": _("Administration"),
    }


def nav_items(role: str | None) -> list:
    labels = _labels()
    return [
        dbc.NavItem(
            dbc.NavLink(
                [icon(symbol, "me-1"), labels[area]],
                href=path,
                # "/" is a prefix of every address
                active="exact" if path == "/" else "partial",
                id=f"nav-{area}",
            )
        )
        for area, path, symbol in NAV
        if may_see(role, area)
    ]


BELL_MAX = 99  # a larger count shows as "99+"


def bell_contents(unread: int) -> list:
    """The inside of the alerts bell: the icon, the unread count (none at 0)
    and the words a screen reader says for it ("3 unread alerts"); the
    count itself comes from a callback of the Alerts page on every
    navigation (pages/_alerts/bell.py)."""
    words = n_("%(num)d unread alert", "%(num)d unread alerts", unread) if unread > 0 else _("Alerts")
    badge = None
    if unread > 0:
        badge = html.Span(
            f"{BELL_MAX}+" if unread > BELL_MAX else str(unread),
            id="nav-alerts-count",
            className="badge rounded-pill bg-danger nav-alerts-count",
            **_aria(hidden="true"),
        )
    return [icon("bi-bell"), badge, html.Span(words, className="visually-hidden")]


def alerts_bell(identity) -> list:
    if identity is None or not may_see(identity.role, "alerts"):
        return []
    return [
        dbc.NavItem(
            dbc.NavLink(bell_contents(0), href="/alerts", active="partial", id="nav-alerts"),
            className="nav-alerts",
        )
    ]


def account_menu(identity) -> list:
    if identity is None:
        return []
    return [
        dbc.DropdownMenu(
            label=identity.name,
            nav=True,
            align_end=True,
            id="account-menu",
            children=[
                dbc.DropdownMenuItem(identity.email, header=True),
                dbc.DropdownMenuItem(_("API tokens and password"), href="/account"),
                dbc.DropdownMenuItem(divider=True),
                dbc.DropdownMenuItem(_("Sign out"), href="/logout", external_link=True, id="sign-out"),
            ],
        )
    ]


def _aria(**values: str) -> dict[str, Any]:
    # Dash takes aria-* as keyword arguments its signatures do not list
    return {f"aria-{name}": value for name, value in values.items()}


def language_switch() -> html.Form:
    """日本語 / English: a plain form (api/language.py saves the choice and
    comes back to this page), each language named in itself."""
    current = request_language()
    return html.Form(
        [
            dcc.Input(type="hidden", name="csrf_token", value=generate_csrf(), id="nav-language-csrf"),
            html.Div(
                [
                    html.Button(
                        LANGUAGE_NAMES[code],
                        type="submit",
                        name="language",
                        value=code,
                        lang=code,
                        id=f"nav-language-{code}",
                        className="btn btn-sm " + ("btn-light" if code == current else "btn-outline-light"),
                        **_aria(pressed="true" if code == current else "false"),
                    )
                    for code in ("ja", "en")
                ],
                className="btn-group",
                role="group",
                **_aria(label=_("Language")),
            ),
        ],
        method="post",
        action="/language",
        id="nav-language",
        className="d-flex align-items-center ms-lg-3 my-2 my-lg-0",
    )


def shell():
    identity = current_identity()
    role = identity.role if identity else None
    navbar = dbc.Navbar(
        dbc.Container(
            [
                dbc.NavbarBrand(
                    [
                        icon("bi-bar-chart-line", "me-2"),
                        _("Partner Hub Analytics"),
                    ],
                    href="/",
                ),
                # dbc.NavbarToggler's label is English and fixed
                html.Button(
                    html.Span(className="navbar-toggler-icon"),
                    id="nav-toggler",
                    className="navbar-toggler",
                    type="button",
                    **{"aria-label": _("Show or hide the menu"), "aria-controls": "nav-collapse"},
                ),
                dbc.Collapse(
                    [
                        dbc.Nav(
                            nav_items(role) + alerts_bell(identity) + account_menu(identity),
                            className="ms-auto",
                            navbar=True,
                        ),
                        language_switch(),
                    ],
                    id="nav-collapse",
                    navbar=True,
                    is_open=False,
                ),
            ],
            fluid=True,
        ),
        color="dark",
        dark=True,
        className="mb-3",
        expand="lg",
    )
    return html.Div(
        [
            html.A(_("Skip to content"), href="#main", className="visually-hidden-focusable"),
            navbar,
            html.Main(dbc.Container(dash.page_container, fluid=True), id="main"),
        ]
    )


@dash.callback(
    dash.Output("nav-collapse", "is_open"),
    dash.Input("nav-toggler", "n_clicks"),
    dash.State("nav-collapse", "is_open"),
    prevent_initial_call=True,
)
def _toggle_nav(n, is_open):
    return not is_open
