"""The page for any unknown address, and for anything out of the viewer's scope."""

from __future__ import annotations

import dash
from dash import html

from partnerhub.i18n import _

dash.register_page(__name__, path="/404", title=lambda **_path: _("Not found"), area="home")


def layout(**_params):
    return html.Div(
        [
            html.H1(_("Not found"), className="h3"),
            html.P(_("There is nothing at this address, or you do not have access to it.")),
            html.A(_("Back to the start page"), href="/"),
        ],
        id="not-found",
    )
