"""The application factory: `create_app()` builds the Flask server in small
steps — the stores, sign-in and the request guard, the HTTP API, the
translation catalogue, the Dash pages, the CLI — in that order, because the
guard must be the first before_request function (ahead of Dash's own). The
root `app.py` re-exports it for `flask --app app` and gunicorn's `app:server`."""

from __future__ import annotations

from pathlib import Path

import dash
from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from partnerhub.data.runtime import EXTENSION, Services
from partnerhub.data.settings import Settings, load_settings

HERE = Path(__file__).resolve().parent


def create_app(settings: Settings | None = None) -> Flask:
    settings = settings or load_settings()
    server = Flask(__name__)
    server.config.update(SECRET_KEY=settings.secret_key, MAX_CONTENT_LENGTH=2 * 1024 * 1024)
    # API answers keep the order the spec lists (Flask 3 reads this, not JSON_SORT_KEYS)
    server.json.sort_keys = False  # type: ignore[attr-defined]
    server.extensions[EXTENSION] = Services.build(settings)

    from partnerhub.api import init_api
    from partnerhub.auth.setup import init_auth
    from partnerhub.cli import register_cli
    from partnerhub.compression import init_compression
    from partnerhub.i18n import init_i18n

    init_auth(server)
    init_api(server)
    init_i18n(server)
    register_pages(server)
    init_compression(server)
    register_cli(server)
    # last, so that it wraps every other middleware: they all see the real client
    trust_proxies(server, settings.trusted_proxies)
    return server


def register_pages(server: Flask) -> dash.Dash:
    from partnerhub.auth.headers import allow_app_scripts
    from partnerhub.components.shell import shell

    # named for the package so that Dash imports the pages as
    # partnerhub.pages.*, the same modules the rest of the code imports
    app = dash.Dash(
        "partnerhub",
        server=server,  # type: ignore[arg-type]  # Dash accepts a Flask app; its stubs say bool
        use_pages=True,
        pages_folder=str(HERE / "pages"),
        assets_folder=str(HERE / "assets"),
        serve_locally=True,
        external_stylesheets=[],
        suppress_callback_exceptions=True,
        title="Partner Hub Analytics",
        update_title=None,  # type: ignore[arg-type]  # None: no "Updating…" title
        enable_mcp=False,
        compress=False,  # ours: partnerhub.compression, which leaves exports alone
    )
    app.layout = shell
    server.extensions["dash"] = app
    # every page and callback is registered by now: the CSP allows their inline scripts, fixed from here on
    allow_app_scripts(server, app)
    return app


def trust_proxies(server: Flask, count: int) -> None:
    """Behind `count` reverse proxies (PARTNERHUB_TRUSTED_PROXIES), the client's
    address, scheme and host are those the proxies put in X-Forwarded-For,
    -Proto and -Host, so that sign-in throttling counts each client apart.
    With 0 the headers are ignored: a client cannot claim another address."""
    if count < 0:
        raise SystemExit(f"setting PARTNERHUB_TRUSTED_PROXIES={count} is below 0")
    if count:
        server.wsgi_app = ProxyFix(server.wsgi_app, x_for=count, x_proto=count, x_host=count)  # type: ignore[method-assign]
