"""The Administration page's Data status tab: which snapshot the app serves,
its as_of, when it was imported and how many rows each main table holds (the
partner's whole data: only a full administrator sees this page)."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import html

from partnerhub.components.snapshot_banner import data_as_of
from partnerhub.data.snapshots import Snapshot
from partnerhub.formatting import fmt_int
from partnerhub.i18n import N_, _

from .fields import when

# the contract tables whose row counts are shown, with their labels
COUNTED = (
    ("customers", N_("Customers")),
    ("subscriptions", N_("Subscriptions")),
    ("subscription_licenses", N_("Subscription licenses")),
    ("license_usage", N_("License usage")),
    ("calling_usage", N_("Calling usage")),
    ("call_queues", N_("Call queues")),
)


def data_status_tab(snap: Snapshot | None) -> html.Div:
    if snap is None:
        return html.Div(data_as_of(None), className="pt-3", id="admin-data-status")
    info = snap.info()
    counts = dbc.Row(
        [
            dbc.Col(
                dbc.Card(
                    dbc.CardBody(
                        [
                            html.Div(_(label), className="text-muted small"),
                            html.Div(
                                fmt_int(info.row_counts.get(table, 0)), className="fs-4", id=f"admin-count-{table}"
                            ),
                        ]
                    )
                ),
                xs=6,
                md=4,
                lg=2,
                className="mb-2",
            )
            for table, label in COUNTED
        ]
    )
    return html.Div(
        [
            data_as_of(info.as_of),
            html.P(
                [
                    _("Snapshot"),
                    " ",
                    html.Code(info.id, id="admin-snapshot-id"),
                    " · ",
                    html.Span(_("imported %(when)s", when=when(info.imported_at)), id="admin-imported-at"),
                ],
                className="small text-muted",
            ),
            html.H2(_("Rows per table"), className="h6"),
            counts,
        ],
        className="pt-3",
        id="admin-data-status",
    )
