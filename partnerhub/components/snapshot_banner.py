"""'Data as of <date> · refreshed every Sunday 00:00 UTC', shown on every data page."""

from __future__ import annotations

from datetime import date

from dash import html

from partnerhub.i18n import _

from .icons import icon


def data_as_of(as_of: date | None) -> html.Div:
    if as_of is None:
        return html.Div(_("No data has been imported yet."), className="text-muted small", id="data-as-of")
    return html.Div(
        [
            icon("bi-clock-history", "me-1"),
            _("Data as of %(date)s · refreshed every Sunday 00:00 UTC", date=as_of.isoformat()),
        ],
        className="text-muted small mb-2",
        id="data-as-of",
    )
