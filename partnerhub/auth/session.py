"""Who is signed in: the identity of the request, from a session or an API token.

The request guard (auth.guard) decides the identity once per request and keeps
it in flask.g; everything else asks `current_identity()`.

A session is a row of the app-state store (partnerhub/data/sessions.py); the
signed session cookie carries only its secret (as Flask-Login's user id).
Every request reads the row, so a session ended anywhere (sign-out, a
password reset, a role change, a disabled user, ended from the Account or
Administration page, idle) is over on every worker at its next request, and
a copy of the cookie taken before answers like no cookie at all.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from flask import g, has_request_context, request, session
from flask.sessions import SecureCookieSessionInterface
from flask_login import LoginManager, UserMixin, login_user, logout_user

from partnerhub.data import sessions as store
from partnerhub.data.runtime import services

from .headers import is_static_path

# flask.session keys of ours
SIGNED_OUT = "ph_signed_out"  # why the previous session ended, shown once on /login
# Flask-Login's key of the user id, here the session's secret
SECRET = "_user_id"

login_manager = LoginManager()
login_manager.session_protection = "strong"


@dataclass(frozen=True)
class Identity:
    id: int
    email: str
    name: str
    role: str
    language: str | None = None  # the interface language they chose; None: the browser's
    time_zone: str | None = None  # the IANA zone they chose; None: the browser's


class SessionUser(UserMixin):
    def __init__(self, row, secret: str, session_id: int):
        self.identity = identity_of(row)
        self.session_id = session_id
        self._secret = secret

    def get_id(self) -> str:
        return self._secret


class SessionInterface(SecureCookieSessionInterface):
    """The session cookie is Secure whenever the request came over HTTPS (or
    SESSION_COOKIE_SECURE says so). Behind a TLS-terminating proxy, make the
    proxy's scheme visible (werkzeug ProxyFix) for this to apply."""

    def get_cookie_secure(self, app) -> bool:
        return bool(app.config.get("SESSION_COOKIE_SECURE")) or (has_request_context() and request.is_secure)

    def save_session(self, app, session, response) -> None:
        """Static files are the same for everyone: no cookie, and no Vary:
        Cookie (which Flask adds once anything reads the session, as
        Flask-Login does after every request), so browsers and proxies reuse
        them across sign-ins. Nothing on these paths changes the session."""
        if has_request_context() and is_static_path(request.path):
            return
        super().save_session(app, session, response)


def identity_of(row) -> Identity:
    return Identity(
        row.id, row.email, row.name, row.role, getattr(row, "language", None), getattr(row, "time_zone", None)
    )


def idle_timeout() -> timedelta:
    return timedelta(minutes=services().settings.idle_timeout_minutes)


@login_manager.user_loader
def _load_user(secret: str):
    found = store.resume(services().state, secret, idle_timeout())
    if found.session_id is None:
        # the guard ends the cookie's session and tells /login why
        g.session_ended = found.ended or store.UNKNOWN
        return None
    return SessionUser(found.user, secret, found.session_id)


def current_identity() -> Identity | None:
    """The signed-in user, or the owner of the API token of this request;
    None when anonymous or outside a request."""
    if not has_request_context():
        return None
    return g.get("identity")


def current_session_id() -> int | None:
    """The sessions row of this request; None for an API token or the anonymous."""
    if not has_request_context():
        return None
    return g.get("session_id")


def _new_record(row) -> SessionUser:
    secret, session_id = store.start(
        services().state, row.id, request.user_agent.string, request.remote_addr, idle_timeout()
    )
    return SessionUser(row, secret, session_id)


def start_session(row) -> Identity:
    """Signs `row` in: a fresh session (nothing of the anonymous one is kept,
    not even its CSRF token)."""
    session.clear()
    g.pop("csrf_token", None)
    user = _new_record(row)
    login_user(user)
    g.identity, g.auth_method, g.session_id = user.identity, "session", user.session_id
    return user.identity


def renew_session(row) -> None:
    """After the signed-in user changed their own password (which ended every
    session of theirs): a new session for this browser, the rest of its
    cookie (the CSRF token) kept."""
    user = _new_record(row)
    login_user(user)
    g.session_id = user.session_id


def end_session(reason: str | None = None, recorded: bool = False) -> None:
    """Signs this browser out; its row ends with `reason` unless the store
    has ended it already (`recorded`)."""
    if not recorded:
        store.end_by_secret(services().state, session.get(SECRET), reason or store.SIGNED_OUT)
    logout_user()
    session.clear()
    g.pop("csrf_token", None)
    if reason:
        session[SIGNED_OUT] = reason
    g.identity = None
    g.auth_method = None
    g.session_id = None
    g.signed_out = True
