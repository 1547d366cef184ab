"""Home: what data the app is serving (snapshot, as_of, counts) and where to go."""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import html
from flask import has_request_context

from partnerhub.components.snapshot_banner import data_as_of
from partnerhub.data.runtime import current_snapshot
from partnerhub.formatting import fmt_datetime
from partnerhub.i18n import _

dash.register_page(__name__, path="/", title="Partner Hub Analytics", name="Home", area="home")

COUNTED = ("customers", "subscriptions", "subscription_licenses", "license_usage", "calling_usage", "call_queues")


def layout(**_params):
    snap = current_snapshot() if has_request_context() else None
    if snap is None:
        return html.Div([html.H1(_("Partner Hub Analytics"), className="h3"), data_as_of(None)])
    info = snap.info()
    counts = dbc.Row(
        [
            dbc.Col(
                dbc.Card(
                    dbc.CardBody(
                        [
                            html.Div(table.replace("_", " "), className="text-muted small"),
                            html.Div(f"{info.row_counts.get(table, 0):,}", className="fs-4", id=f"home-count-{table}"),
                        ]
                    )
                ),
                xs=6,
                md=4,
                lg=2,
                className="mb-2",
            )
            for table in COUNTED
        ]
    )
    return html.Div(
        [
            html.H1(_("Partner Hub Analytics"), className="h3"),
            data_as_of(info.as_of),
            html.P(
                [
                    _("Snapshot"),
                    " ",
                    html.Code(info.id, id="home-snapshot-id"),
                    " · ",
                    _("imported %(when)s", when=fmt_datetime(info.imported_at)),
                ],
                className="small text-muted",
            ),
            counts,
        ]
    )
