"""The HTTP API for analysts' scripts (spec/interfaces.md)."""


def init_api(server) -> None:
    from .routes import bp, unknown_address

    server.register_blueprint(bp)
    server.add_url_rule("/api/<path:rest>", "api_unknown", unknown_address)
    server.add_url_rule("/api", "api_root", unknown_address)
