"""The HTTP API for analysts' scripts (spec/interfaces.md)."""


def init_api(server) -> None:
    from .alerts import bp as alerts_bp
    from .notes import bp as notes_bp
    from .routes import bp, unknown_address

    server.register_blueprint(bp)
    server.register_blueprint(notes_bp)
    server.register_blueprint(alerts_bp)
    server.add_url_rule("/api/<path:rest>", "api_unknown", unknown_address)
    server.add_url_rule("/api", "api_root", unknown_address)
