"""'Data as of <date> · refreshed every Sunday 09:00 JST', shown on every data page:
the weekly refresh (Sunday 00:00 UTC) in the viewer's time zone."""

from __future__ import annotations

from datetime import date

from dash import html

from partnerhub.formatting import refresh_time
from partnerhub.i18n import _

from .icons import icon


def data_as_of(as_of: date | None) -> html.Div:
    if as_of is None:
        return html.Div(_("No data has been imported yet."), className="text-muted small", id="data-as-of")
    return html.Div(
        [
            icon("bi-clock-history", "me-1"),
            _(
                "Data as of %(date)s · refreshed every %(weekday)s %(time)s %(zone)s",
                date=as_of.isoformat(),
                **refresh_time(),
            ),
        ],
        className="text-muted small mb-2",
        id="data-as-of",
    )
