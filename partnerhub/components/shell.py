"""The frame around every page: navigation bar (only the areas the signed-in
role may see), account menu, and the page container."""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import html

from partnerhub.auth.roles import may_see
from partnerhub.auth.session import current_identity
from partnerhub.i18n import _

from .icons import icon

# (area, path, icon) in menu order
NAV = (
    ("customers", "/customers", "bi-buildings"),
    ("analytics", "/analytics", "bi-graph-up"),
    ("calling", "/calling", "bi-telephone"),
    ("resources", "/resources", "bi-journal-text"),
    ("administration", "/admin", "bi-shield-lock"),
)


def _labels() -> dict[str, str]:
    # literal _() calls so that `make messages` finds them
    return {
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
                active="partial",
                id=f"nav-{area}",
            )
        )
        for area, path, symbol in NAV
        if may_see(role, area)
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
                dbc.NavbarToggler(id="nav-toggler"),
                dbc.Collapse(
                    dbc.Nav(nav_items(role) + account_menu(identity), className="ms-auto", navbar=True),
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
