"""Placeholder until sign-in lands: attaches nothing."""


def init_auth(server) -> None:
    pass
