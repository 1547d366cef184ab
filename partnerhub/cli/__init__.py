"""The command line of spec/interfaces.md (`flask --app app data|users|demo|alerts …`):
entry points at the top of the arrows, like pages and the API; every change
they make goes through the application layer (services) as the actor "cli"."""

from __future__ import annotations

from flask import Flask


def register_cli(server: Flask) -> None:
    from .alerts import alerts_cli
    from .data import data_cli
    from .demo import demo_cli
    from .users import users_cli

    for group in (data_cli, users_cli, demo_cli, alerts_cli):
        server.cli.add_command(group)
