"""The notice above the Administration tabs when the app does not serve the
snapshot CURRENT names: it was damaged and set aside (data/snapshots.py), and
an older one is served until an import succeeds."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import html

from partnerhub.data.runtime import services
from partnerhub.i18n import _

from .fields import when


def snapshot_notice() -> dbc.Alert | None:
    health = services().snapshots.health()
    if not health.degraded:
        return None
    items = [
        html.Li(
            _(
                "Snapshot %(id)s could not be used (%(reason)s), found %(when)s.",
                id=record.id,
                reason=record.reason,
                when=when(record.found_at),
            )
        )
        for record in health.set_aside
    ]
    if health.pointer_problem:
        items.append(html.Li(_("The pointer to the current snapshot: %(problem)s.", problem=health.pointer_problem)))
    if health.serving is not None:
        serving = _(
            "Serving the previous good snapshot %(id)s (data as of %(as_of)s) instead.",
            id=health.serving.id,
            as_of=f"{health.serving.as_of:%Y-%m-%d}",
        )
    else:
        serving = _("No good snapshot is left: pages show no data.")
    return dbc.Alert(
        [
            html.Strong(_("The current data snapshot is damaged.")),
            html.Ul(items, className="mb-1"),
            html.P(serving, className="mb-1"),
            html.P(
                [
                    _("Import the data again to repair it:"),
                    " ",
                    html.Code("flask --app app data import DIR"),
                    ". ",
                    _("To check every snapshot kept:"),
                    " ",
                    html.Code("flask --app app data verify"),
                ],
                className="mb-0",
            ),
        ],
        color="warning",
        id="admin-snapshot-notice",
    )
