"""The HTTP API for analysts' scripts (spec/interfaces.md)."""


def init_api(server) -> None:
    pass  # wired up once metrics/ and auth/ land (api/routes.py)
