"""Partner Hub Analytics: the application factory.

`create_app()` builds the Flask server, attaches the stores, sign-in and the
request guard, the HTTP API and the Dash pages, and registers the CLI.
`flask --app app ...` finds create_app; gunicorn serves `app:server`.
"""
from __future__ import annotations

from pathlib import Path

import dash
import dash_bootstrap_components as dbc
from flask import Flask

from data.cli import data_cli
from data.runtime import EXTENSION, Services
from data.settings import Settings, load_settings

HERE = Path(__file__).resolve().parent


def create_app(settings: Settings | None = None) -> Flask:
    settings = settings or load_settings()
    server = Flask(__name__)
    server.config.update(
        SECRET_KEY=settings.secret_key,
        MAX_CONTENT_LENGTH=2 * 1024 * 1024,
        JSON_SORT_KEYS=False,
    )
    server.extensions[EXTENSION] = Services.build(settings)

    from auth.setup import init_auth
    init_auth(server)
    from api import init_api
    init_api(server)
    from components.i18n import init_i18n
    init_i18n(server)

    app = dash.Dash(
        __name__,
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
    from components.shell import shell
    app.layout = shell
    server.extensions["dash"] = app
    server.cli.add_command(data_cli)
    from auth.cli import users_cli
    server.cli.add_command(users_cli)
    from auth.demo import demo_cli
    server.cli.add_command(demo_cli)
    return server


def __getattr__(name: str):
    # gunicorn's `app:server`; built on first use so that importing this
    # module (tests, the CLI) does not build an app it does not need
    if name == "server":
        global server
        server = create_app()
        return server
    raise AttributeError(name)
