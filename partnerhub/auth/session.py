"""Who is signed in: the identity of the request, from a session or an API token.

The request guard (auth.guard) decides the identity once per request and keeps
it in flask.g; everything else asks `current_identity()`. A session names its
user as "<id>:<session_version>", so bumping users.session_version (password
reset, role change, disable) ends every session of that user at its next request.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from flask import g, has_request_context, request, session
from flask.sessions import SecureCookieSessionInterface
from flask_login import LoginManager, UserMixin, login_user, logout_user
from sqlalchemy import select

from partnerhub.data.runtime import services
from partnerhub.data.state import users

# flask.session keys of ours
LAST_SEEN = "ph_seen"  # unix seconds of the last request of this session
SIGNED_OUT = "ph_signed_out"  # why the previous session ended, shown once on /login

login_manager = LoginManager()
login_manager.session_protection = "strong"


@dataclass(frozen=True)
class Identity:
    id: int
    email: str
    name: str
    role: str


class SessionUser(UserMixin):
    def __init__(self, row):
        self.identity = Identity(row.id, row.email, row.name, row.role)
        self._session_id = f"{row.id}:{row.session_version}"

    def get_id(self) -> str:
        return self._session_id


class SessionInterface(SecureCookieSessionInterface):
    """The session cookie is Secure whenever the request came over HTTPS (or
    SESSION_COOKIE_SECURE says so). Behind a TLS-terminating proxy, make the
    proxy's scheme visible (werkzeug ProxyFix) for this to apply."""

    def get_cookie_secure(self, app) -> bool:
        return bool(app.config.get("SESSION_COOKIE_SECURE")) or (has_request_context() and request.is_secure)


def identity_of(row) -> Identity:
    return Identity(row.id, row.email, row.name, row.role)


@login_manager.user_loader
def _load_user(session_id: str):
    try:
        user_id, version = (int(part) for part in session_id.split(":"))
    except (ValueError, AttributeError):
        return None
    with services().state.read() as conn:
        row = conn.execute(select(users).where(users.c.id == user_id)).first()
    if row is None or row.disabled or row.session_version != version or not row.password_hash:
        return None
    return SessionUser(row)


def current_identity() -> Identity | None:
    """The signed-in user, or the owner of the API token of this request;
    None when anonymous or outside a request."""
    if not has_request_context():
        return None
    return g.get("identity")


def start_session(row) -> Identity:
    """Signs `row` in: a fresh session (nothing of the anonymous one is kept,
    not even its CSRF token)."""
    session.clear()
    g.pop("csrf_token", None)
    login_user(SessionUser(row))
    session[LAST_SEEN] = int(time.time())
    ident = identity_of(row)
    g.identity = ident
    g.auth_method = "session"
    return ident


def renew_session(row) -> None:
    """After the signed-in user changed their own password: keep this session,
    while the version bump ends every other one."""
    login_user(SessionUser(row))
    session[LAST_SEEN] = int(time.time())


def end_session(reason: str | None = None) -> None:
    logout_user()
    session.clear()
    g.pop("csrf_token", None)
    if reason:
        session[SIGNED_OUT] = reason
    g.identity = None
    g.auth_method = None
    g.signed_out = True
