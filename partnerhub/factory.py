"""The application factory: `create_app()` builds the Flask server, attaches
the stores, sign-in and the request guard, the HTTP API and the Dash pages,
and registers the CLI. The root `app.py` re-exports it for `flask --app app`
and gunicorn's `app:server`."""

from __future__ import annotations

from pathlib import Path

import dash
from flask import Flask

from partnerhub.data.cli import data_cli
from partnerhub.data.runtime import EXTENSION, Services
from partnerhub.data.settings import Settings, load_settings

HERE = Path(__file__).resolve().parent


def create_app(settings: Settings | None = None) -> Flask:
    settings = settings or load_settings()
    server = Flask(__name__)
    server.config.update(
        SECRET_KEY=settings.secret_key,
        MAX_CONTENT_LENGTH=2 * 1024 * 1024,
    )
    # API answers keep the order the spec lists (Flask 3 reads this, not JSON_SORT_KEYS)
    server.json.sort_keys = False  # type: ignore[attr-defined]
    server.extensions[EXTENSION] = Services.build(settings)

    from partnerhub.auth.setup import init_auth

    init_auth(server)
    from partnerhub.api import init_api

    init_api(server)
    from partnerhub.components.i18n import init_i18n

    init_i18n(server)

    # named for the package so that Dash imports the pages as
    # partnerhub.pages.*, the same modules the rest of the code imports
    app = dash.Dash(
        "partnerhub",
        server=server,
        use_pages=True,
        pages_folder=str(HERE / "pages"),
        assets_folder=str(HERE / "assets"),
        serve_locally=True,
        external_stylesheets=[],
        suppress_callback_exceptions=True,
        title="Partner Hub Analytics",
        update_title=None,
        enable_mcp=False,
        compress=False,
    )
    from partnerhub.components.shell import shell

    app.layout = shell
    server.extensions["dash"] = app
    server.cli.add_command(data_cli)
    from partnerhub.auth.cli import users_cli

    server.cli.add_command(users_cli)
    from partnerhub.auth.demo import demo_cli

    server.cli.add_command(demo_cli)
    return server
