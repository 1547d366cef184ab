"""HTTP API (placeholder until it lands)."""


def init_api(server) -> None:
    pass
