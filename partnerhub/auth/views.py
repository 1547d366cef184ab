"""/login and /logout: plain Flask routes (not Dash), so that signing in works
before any of the app's JavaScript is allowed to load.

/logout: POST (with the CSRF token) signs out. A GET signs out only when the
browser says the click came from this site (Sec-Fetch-Site: same-origin, as
for the account menu's "Sign out" link); any other GET (a cross-site link or
image, a typed address, an old browser) gets a page with a sign-out button,
so that another site cannot sign anyone out.
"""

from __future__ import annotations

import math
from urllib.parse import urlsplit

from flask import Blueprint, g, redirect, render_template, request
from flask_wtf import FlaskForm
from sqlalchemy import update
from wtforms import EmailField, PasswordField
from wtforms.validators import DataRequired, Length

from partnerhub.data import sessions
from partnerhub.data.runtime import services
from partnerhub.data.saved_views import PAGE_PATHS, landing_view
from partnerhub.data.state import users, utcnow
from partnerhub.i18n import _, n_

from . import throttle
from .passwords import verify_password
from .roles import may_see
from .session import current_identity, end_session, start_session
from .users import get_user_by_email

bp = Blueprint("auth", __name__, template_folder="templates")


class LoginForm(FlaskForm):
    email = EmailField("E-mail", validators=[DataRequired(), Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=1000)])


class LogoutForm(FlaskForm):
    pass


def safe_next(target: str | None) -> str:
    """Only a relative path on this site; anything else goes to the start page."""
    if not target or not isinstance(target, str) or len(target) > 2000:
        return "/"
    if any(ord(c) < 32 or c == "\\" for c in target):
        return "/"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return "/"
    if parts.path in ("/login", "/logout"):
        return "/"
    return target


def landing_url(user) -> str | None:
    """The address of the view this user chose to land on after signing in,
    while they still see it and its page (services.saved_views.landing_url,
    read from the store here: auth sits below the application layer)."""
    view = landing_view(services().state, user.id)
    if view is None or not may_see(user.role, view.page):
        return None
    path = PAGE_PATHS[view.page]
    return safe_next(f"{path}?{view.query}" if view.query else path)


def _policy() -> throttle.Policy:
    s = services().settings
    return throttle.Policy(max_failures=max(1, s.login_max_failures), lock_seconds=max(1, s.login_lock_seconds))


def _too_many(form: LoginForm, next_url: str, seconds: int):
    """429 with Retry-After: the client waits, not a server thread."""
    minutes = max(1, math.ceil(seconds / 60))
    error = n_(
        "Too many failed sign-ins from your address. Try again in %(num)s minute.",
        "Too many failed sign-ins from your address. Try again in %(num)s minutes.",
        minutes,
    )
    page = render_template("auth/login.html", form=form, next_url=next_url, error=error)
    return page, 429, {"Retry-After": str(seconds)}


def _signed_out_notice(reason: str | None) -> str | None:
    """Why the previous session of this browser ended (data/sessions.py reasons)."""
    if reason is None:
        return None
    return {
        sessions.IDLE: _("You were signed out after a time without activity."),
        sessions.SIGNED_OUT: _("You are signed out."),
        sessions.PASSWORD: _("You were signed out because your password was changed."),
        sessions.ROLE: _("You were signed out because your role was changed."),
    }.get(reason, _("Your session has ended. Please sign in again."))


@bp.route("/login", methods=["GET", "POST"])
def login():
    from .guard import signed_out_reason

    form = LoginForm()
    next_url = safe_next(request.values.get("next"))
    if request.method == "GET":
        if current_identity() is not None:
            return redirect(next_url)
        notice = _signed_out_notice(signed_out_reason())
        return render_template("auth/login.html", form=form, next_url=next_url, notice=notice)
    if not form.validate_on_submit():
        if form.csrf_token.errors:
            error = _("The sign-in form expired. Please try again.")
        else:
            error = _("Enter your e-mail address and password.")
        return render_template("auth/login.html", form=form, next_url=next_url, error=error), 400
    state = services().state
    email = form.email.data.strip().lower()
    address = request.remote_addr
    policy = _policy()
    # refused before the password is checked: a locked guesser costs no hash
    wait = throttle.locked_for(state, email, address)
    if wait:
        return _too_many(form, next_url, wait)
    user = get_user_by_email(state, email)
    profile = services().settings.argon2_profile
    # an unknown user, or one without a password, costs one Argon2 hash too
    # (verify_password hashes the typed password), so that timing does not
    # tell who exists
    ok = verify_password(user.password_hash if user is not None else None, form.password.data, profile)
    if not ok or user is None or user.disabled:
        lock = throttle.record_failure(state, email, address, policy)
        if lock:
            return _too_many(form, next_url, lock)
        error = _("The e-mail address or the password is wrong.")
        return render_template("auth/login.html", form=form, next_url=next_url, error=error), 200
    throttle.record_success(state, email, address)
    with state.write() as conn:
        conn.execute(update(users).where(users.c.id == user.id).values(last_sign_in_at=utcnow()))
    start_session(user)
    if next_url == "/":
        # no page of their own was asked for (the start page is what everyone
        # is sent to): the landing view they chose, if any
        return redirect(landing_url(user) or next_url)
    return redirect(next_url)


@bp.route("/logout", methods=["GET", "POST"])
def logout():
    # the guard has checked the CSRF token of a POST already
    if request.method == "POST" or request.headers.get("Sec-Fetch-Site") == "same-origin":
        end_session("signed_out")
        return redirect("/login")
    return render_template("auth/logout.html", form=LogoutForm(), identity=g.identity)
