"""What a callback of every page answers with after an action: an alert,
and the one wrapper that turns a refused action or a bad value into it.

The wrapper is the one place that catches auth.guard.Refused (raised by the
application layer, partnerhub/services/) and ValueError; a callback only
says what its other outputs become when that happens. (It lives with the
pages, not in components/, because it knows about auth's refusals.) Dash
does not take this module for a page: its name starts with "_".
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import dash
import dash_bootstrap_components as dbc
from dash import html

from partnerhub.auth.guard import Refused


def alert(message, color: str = "success", id=None) -> html.Div:
    """A dismissable alert inside a live region, so it is announced."""
    props = {"id": id} if id is not None else {}
    return html.Div(
        dbc.Alert(message, color=color, dismissable=True, className="mt-2 mb-2"),
        role="alert" if color == "danger" else "status",
        **props,
    )


def refusal(err: Exception) -> html.Div:
    """A refused or invalid action: its message, nothing else changed."""
    return alert(err.message if isinstance(err, Refused) else str(err), "danger")


def shows_refusal(outputs: int = 1, at: int = 0, also: dict[int, Any] | None = None):
    """Decorates a callback of `outputs` outputs (a tuple when more than one):
    a Refused or ValueError it raises becomes refusal(err) in output `at`;
    every other output is dash.no_update, or what `also` gives by position.

        @dash.callback(Output("x-feedback", "children"), Output("x-panel", "children"), ...)
        @shows_refusal(2)
        def _start(n, ...): ...
    """

    def wrap(callback: Callable) -> Callable:
        @functools.wraps(callback)
        def run(*args, **kwargs):
            try:
                return callback(*args, **kwargs)
            except (Refused, ValueError) as err:
                answer = [dash.no_update] * outputs
                for position, value in (also or {}).items():
                    answer[position] = value
                answer[at] = refusal(err)
                return answer[0] if outputs == 1 else tuple(answer)

        return run

    return wrap
