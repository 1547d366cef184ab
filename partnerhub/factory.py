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
# Plotly with only the trace types our charts draw (bar, scatter), loaded by dcc.Graph
PLOTLY_BUNDLE = r"^plotly-basic-.*\.js$"  # Dash matches it against file names


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
    from partnerhub.formatting import init_time_zones
    from partnerhub.i18n import init_i18n
    from partnerhub.server_timing import init_server_timing

    init_auth(server)
    init_api(server)
    init_i18n(server, user_language=_saved_language)
    init_time_zones(server, user_time_zone=_saved_time_zone)
    init_language_switch(server)
    register_pages(server)
    init_compression(server)
    init_server_timing(server)  # wraps the layers above: their time counts too
    register_cli(server)
    # last, so that it wraps every other middleware: they all see the real client
    trust_proxies(server, settings.trusted_proxies)
    return server


def register_pages(server: Flask) -> dash.Dash:
    from partnerhub.asset_urls import VersionedBundles, VersionedDash, asset_url, favicon_url
    from partnerhub.auth.headers import allow_app_scripts
    from partnerhub.components.shell import shell

    # named for the package so that Dash imports the pages as
    # partnerhub.pages.*, the same modules the rest of the code imports
    app = VersionedDash(
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
        # fetched only by a page that draws a chart (assets/app.js), not linked on every page
        assets_ignore=PLOTLY_BUNDLE,
    )
    app.layout = shell
    # <html lang> follows each request's language (Dash's own index has none)
    app.interpolate_index = _with_html_lang(app.interpolate_index)  # type: ignore[method-assign]
    server.extensions["dash"] = app
    server.wsgi_app = VersionedBundles(server.wsgi_app)  # type: ignore[method-assign]
    # the sign-in pages link the same URLs as the app, so both share one cached copy
    server.jinja_env.globals.update(asset_url=lambda path: asset_url(app, path), favicon_url=lambda: favicon_url(app))
    # every page and callback is registered by now: the CSP allows their inline scripts, fixed from here on
    allow_app_scripts(server, app)
    return app


def _saved_language() -> str | None:
    from partnerhub.auth.session import current_identity

    return getattr(current_identity(), "language", None)


def _saved_time_zone() -> str | None:
    from partnerhub.auth.session import current_identity

    # read with the session's user row: no query of its own on every request
    return getattr(current_identity(), "time_zone", None)


def init_language_switch(server: Flask) -> None:
    from partnerhub.api.language import bp

    server.register_blueprint(bp)


def _with_html_lang(interpolate):
    from partnerhub.i18n import request_language

    def interpolate_index(**kwargs) -> str:
        page = interpolate(**kwargs)
        return page.replace("<html>", f'<html lang="{request_language()}">', 1)

    return interpolate_index


def trust_proxies(server: Flask, count: int) -> None:
    """Behind `count` reverse proxies (PARTNERHUB_TRUSTED_PROXIES), the client's
    address, scheme and host are those the proxies put in X-Forwarded-For,
    -Proto and -Host, so that sign-in throttling counts each client apart.
    With 0 the headers are ignored: a client cannot claim another address."""
    if count < 0:
        raise SystemExit(f"setting PARTNERHUB_TRUSTED_PROXIES={count} is below 0")
    if count:
        server.wsgi_app = ProxyFix(server.wsgi_app, x_for=count, x_proto=count, x_host=count)  # type: ignore[method-assign]
