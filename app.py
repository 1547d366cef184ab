"""Partner Hub Analytics: the entry point of spec/interfaces.md.

`flask --app app ...` finds `create_app`; gunicorn serves `app:server`.
"""

from __future__ import annotations

from flask import Flask

from partnerhub.factory import create_app

__all__ = ["create_app", "server"]

server: Flask


def __getattr__(name: str) -> Flask:
    # gunicorn's `app:server`; built on first use so that importing this
    # module (tests, the CLI) does not build an app it does not need
    if name == "server":
        global server
        server = create_app()
        return server
    raise AttributeError(name)
