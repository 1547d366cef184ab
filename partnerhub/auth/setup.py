"""init_auth(server): sign-in, the request guard, CSRF and security headers.

Called by create_app() before Dash attaches to the server, so that the guard
is the first before_request function and runs ahead of Dash's own.
"""

from __future__ import annotations

from flask import render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import BadRequest

from .guard import _error, _wants_json, check_request, csrf
from .headers import init_headers
from .passwords import configure as configure_passwords
from .session import SessionInterface, login_manager
from .views import bp


def init_auth(server) -> None:
    from partnerhub.data.runtime import EXTENSION

    settings = server.extensions[EXTENSION].settings
    server.config.update(
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        # the guard calls csrf.protect() itself, after deciding who is asking
        # (an API token request carries no cookie and needs no CSRF token)
        WTF_CSRF_CHECK_DEFAULT=False,
        # sessions end by the idle timeout; a page left open must keep working
        WTF_CSRF_TIME_LIMIT=None,
    )
    configure_passwords(settings.argon2_profile)
    server.session_interface = SessionInterface()
    server.before_request(check_request)
    login_manager.init_app(server)
    csrf.init_app(server)
    server.register_blueprint(bp)
    init_headers(server, settings.secure_cookies)
    answer_client_errors(server)

    @server.errorhandler(CSRFError)
    def _csrf_refused(err):
        message = _("The request was refused: its CSRF token is missing or not valid. Reload the page.")
        if _wants_json(request.path):
            return _error(400, message)
        return render_template("auth/error.html", title=_("Refused"), message=message), 400


CALLBACK_PATH = "/_dash-update-component"
COMPONENT_SUITES = "/_dash-component-suites/"


def answer_client_errors(server) -> None:
    """What a client can get wrong answers 4xx, never a 500 with a traceback
    in the log. Only these: any other exception stays a 500, so that a
    genuine bug shows in the tests and the log."""
    from dash.exceptions import DependencyException

    @server.errorhandler(BadRequest)
    def _bad_request(err):
        # a callback refusing a value (auth.callback_inputs.BadCallbackInput,
        # components.grid.BadRowRequest) answers JSON like the guard's 400s
        if request.path == CALLBACK_PATH:
            return _error(400, err.description or _("Bad request."))
        if request.path == "/api" or request.path.startswith("/api/"):
            # every API error is JSON (interfaces.md), a body it cannot read included
            return _error(400, _("The request could not be read."))
        return err

    def _unknown_component_file(err):
        # Dash refuses a file of /_dash-component-suites/ it does not serve
        # (DependencyException), or lists one its package does not ship (a
        # source map: FileNotFoundError)
        if request.path.startswith(COMPONENT_SUITES):
            return _error(404, _("No such file."))
        raise err

    server.register_error_handler(DependencyException, _unknown_component_file)
    server.register_error_handler(FileNotFoundError, _unknown_component_file)
