"""Small helpers for the callbacks of pattern-matching buttons."""

from __future__ import annotations

from dash import ctx
from dash.exceptions import PreventUpdate


def clicked_id() -> dict:
    """The dict id of the pattern-matching button that fired this callback.
    Dash also fires such callbacks when buttons are added or removed (with
    n_clicks None): those are not clicks, so nothing happens."""
    if not ctx.triggered or not ctx.triggered[0]["value"] or not isinstance(ctx.triggered_id, dict):
        raise PreventUpdate
    return ctx.triggered_id
