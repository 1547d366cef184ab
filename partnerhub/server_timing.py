"""`Server-Timing: app;dur=<ms>` on every response: the time the app spent
before its headers left, so that the browser's developer tools and the
benchmark (bench/pages.py sums it over a page view) tell server time apart
from network and rendering.

A WSGI wrapper rather than before/after_request hooks: it also counts the
request guard, Dash's own hooks and the middlewares it wraps, which hooks
registered in between would miss. A streamed body (exports) is timed to its
headers, the moment the client can start reading.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from typing import Any

from flask import Flask

HEADER = "Server-Timing"

StartResponse = Callable[..., Any]


class ServerTiming:
    def __init__(self, app: Callable[[dict, StartResponse], Iterable[bytes]]):
        self.app = app

    def __call__(self, environ: dict, start_response: StartResponse) -> Iterable[bytes]:
        start = time.perf_counter()

        def timed_start_response(status: str, headers: list[tuple[str, str]], exc_info=None):
            ms = (time.perf_counter() - start) * 1000
            headers = [h for h in headers if h[0].lower() != HEADER.lower()]
            headers.append((HEADER, f"app;dur={ms:.1f}"))
            if exc_info is None:
                return start_response(status, headers)
            return start_response(status, headers, exc_info)

        return self.app(environ, timed_start_response)


def init_server_timing(server: Flask) -> None:
    server.wsgi_app = ServerTiming(server.wsgi_app)  # type: ignore[method-assign]
