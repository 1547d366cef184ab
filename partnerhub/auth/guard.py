"""The one request guard, and the checks pages and the API make on top of it.

`check_request()` runs before every request of the Flask server (Dash's
endpoints included). It decides who is asking (session or, for /api/* only,
an API token; a session only while its row in the store goes on), refuses
the anonymous, checks CSRF for session requests, and for Dash decides from
the server's own callback registry which area a callback belongs to:

- public: /login, /assets/..., /_dash-component-suites/... and /_favicon.ico
- anonymous HTML request -> redirect to /login?next=...; anonymous /_dash-* or
  /api/* -> 401 JSON {"error": ...}
- a page (HTML load or the pages router callback) whose registered `area` the
  role may not see -> 403
- any other callback: the area comes from its output ids' prefix
  (auth.roles.ID_PREFIXES); no known prefix -> 403 (fail closed)
- a callback body not of its registered shape, or a value its component
  cannot hold (auth/callback_inputs.py) -> 400 JSON, before the callback runs;
  an unknown callback, or one that runs in the browser -> 400

Every change then checks again: the application layer (partnerhub/services/)
starts each action with `check_action()`.
"""

from __future__ import annotations

import json

from flask import current_app, g, jsonify, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import CSRFProtect

from partnerhub.data.runtime import services
from partnerhub.i18n import LANG_PARAMETER, clean_language

from . import roles
from .callback_inputs import body_problems
from .session import SIGNED_OUT, Identity, current_identity, end_session, identity_of

csrf = CSRFProtect()

PUBLIC_PREFIXES = ("/assets/", "/_dash-component-suites/")
# /language: the sign-in page's language switch (its form checks the CSRF token)
PUBLIC_PATHS = ("/login", "/language", "/_favicon.ico")
ROUTER_OUTPUT = ".._pages_content.children..._pages_store.data.."
ROUTER_LOCATION = "_pages_location"


class Refused(Exception):
    """An action the current identity may not take. `status` is 403, or 404
    when the customer is out of scope (answered like one that does not exist)."""

    def __init__(self, message: str, status: int = 403):
        super().__init__(message)
        self.message = message
        self.status = status


# ---- checks for pages, callbacks and API routes ----------------------------


def area_allowed(area: str) -> bool:
    ident = current_identity()
    return ident is not None and roles.may_see(ident.role, area)


def in_scope(customer_id: str | None) -> bool:
    from .scope import current_scope

    if current_identity() is None or not customer_id:
        return False
    scope = current_scope()
    return scope is None or customer_id in scope


def check_action(role: str, action: str, scope: frozenset[str] | None = None, customer_ids=None) -> None:
    """Raises Refused unless `role` may take `action` (auth.roles.ACTIONS) on
    every one of `customer_ids` (auth.roles.SCOPED_ACTIONS: in its scope, or
    any customer). A customer out of scope is refused with 404 and the words
    of an unknown one. Whether the customers exist is the caller's to check."""
    if action not in roles.ACTIONS:
        raise Refused(_("Unknown action."))
    if not roles.may(role, action):
        raise Refused(_("Your role (%(role)s) may not do this.", role=_(roles.ROLE_LABELS[role])))
    if customer_ids is None:
        return
    if any(not isinstance(cid, str) or not cid for cid in customer_ids):
        raise Refused(_("Customer not found."), 404)
    if roles.only_in_scope(role, action) and scope is not None and not all(cid in scope for cid in customer_ids):
        raise Refused(_("Customer not found."), 404)


def require_action(action: str, customer_id: str | None = None) -> Identity:
    """The current identity, when it may take `action` (on `customer_id`);
    raises Refused otherwise. Nothing is changed by a refused action."""
    from .scope import current_scope

    ident = current_identity()
    if ident is None:
        raise Refused(_("Sign in first."), 401)
    check_action(ident.role, action, current_scope(), None if customer_id is None else [customer_id])
    return ident


# ---- the request guard ------------------------------------------------------


def _is_public(path: str) -> bool:
    return path in PUBLIC_PATHS or path.startswith(PUBLIC_PREFIXES)


def _wants_json(path: str) -> bool:
    return path.startswith("/api/") or path == "/api" or path.startswith("/_")


def _error(status: int, message: str):
    response = jsonify(error=message)
    response.status_code = status
    return response


def _bearer() -> str | None:
    header = request.headers.get("Authorization")
    if header is None:
        return None
    kind, _sep, secret = header.partition(" ")
    return secret.strip() if kind.lower() == "bearer" else ""


def _identify():
    """Sets g.identity and g.auth_method ("session" | "token" | None); returns
    a response when the request must end here."""
    g.identity, g.auth_method, g.session_id = None, None, None
    path = request.path
    if path.startswith("/api/") or path == "/api":
        secret = _bearer()
        if secret is not None:
            from .tokens import authenticate_token

            owner = authenticate_token(services().state, secret)
            if owner is None:
                return _error(401, _("The API token is not valid."))
            g.identity, g.auth_method = identity_of(owner), "token"
            return None
    # loading the user reads the session's row (auth.session): an ended,
    # idle or unknown one leaves the request anonymous
    if not current_user.is_authenticated:
        ended = g.pop("session_ended", None)
        if ended is not None:
            end_session(ended, recorded=True)
        return None
    g.identity, g.auth_method, g.session_id = current_user.identity, "session", current_user.session_id
    return None


def _anonymous(path: str):
    if _wants_json(path):
        return _error(401, _("Sign in first."))
    target = request.full_path if request.query_string else path
    # a shared link's ?lang shows the sign-in page in that language too
    lang = clean_language(request.args.get(LANG_PARAMETER))
    login = url_for("auth.login", next=target)
    return redirect(f"{login}&{LANG_PARAMETER}={lang}" if lang else login)


def _forbidden_page():
    return render_template("auth/forbidden.html"), 403


def page_for_path(pathname: str):
    """The registered Dash page for a browser path (path templates such as
    /customers/<customer_id> included); None for an unknown path."""
    from dash import _pages

    dash_app = current_app.extensions.get("dash")
    stripped = dash_app.strip_relative_path(pathname) if dash_app else pathname.strip("/")
    page, _variables = _pages._path_to_page((stripped or "").strip("/"))
    return page or None


def page_allowed(pathname: str) -> bool:
    page = page_for_path(pathname)
    if page is None:
        return True  # the router answers with the not-found page
    area = page.get("area")
    return area is not None and area_allowed(area)


def _registered_callback(output_key: str) -> dict | None:
    """The server's entry for a callback (Dash's callback_map); None when it
    has no such callback."""
    from dash import _callback

    dash_app = current_app.extensions.get("dash")
    registered = dash_app.callback_map.get(output_key) if dash_app else None
    return registered or _callback.GLOBAL_CALLBACK_MAP.get(output_key)


def _callback_areas(registered: dict) -> list[str | None]:
    """Areas of the components a registered callback writes (its inputs when
    it has no outputs)."""
    outputs = registered.get("output")
    outputs = outputs if isinstance(outputs, (list, tuple)) else [outputs]
    ids = [o.component_id for o in outputs if o is not None]
    if not ids:
        ids = [i.get("id") for i in registered.get("inputs", [])]
        ids = [json.loads(i) if isinstance(i, str) and i.startswith("{") else i for i in ids]
    return [roles.area_of_component(i) for i in ids] or [None]


def _callback_body():
    try:
        return request.get_json(silent=True)
    except RecursionError:  # nested deeper than the JSON parser goes
        return None


def _bad_inputs(problems: list[str]):
    response = jsonify(
        error=_("The request holds values its page cannot send: %(names)s.", names=", ".join(problems[:5])),
        inputs=problems,
    )
    response.status_code = 400
    return response


def _check_callback():
    body = _callback_body()
    if not isinstance(body, dict) or not isinstance(body.get("output"), str):
        return _error(400, _("Not a callback request."))
    output = body["output"]
    registered = _registered_callback(output)
    if registered is None:
        return _error(400, _("Unknown callback."))
    if "callback" not in registered:
        return _error(400, _("This callback runs in the browser."))
    # every value checked against what its component can hold (auth/callback_inputs.py)
    problems = body_problems(body, registered, output)
    if output == ROUTER_OUTPUT:
        if problems:  # the page's address among them
            return _bad_inputs(problems)
        pathname = next(
            (
                i.get("value")
                for i in body.get("inputs", []) or []
                if isinstance(i, dict) and i.get("id") == ROUTER_LOCATION and i.get("property") == "pathname"
            ),
            None,
        )
        if not isinstance(pathname, str):
            return _error(400, _("The page address is missing."))
        if not page_allowed(pathname):
            return _error(403, _("You do not have access to this page."))
    elif any(a is None or not area_allowed(a) for a in _callback_areas(registered)):
        return _error(403, _("You do not have access to this part of the app."))
    return _bad_inputs(problems) if problems else None


def check_request():
    path = request.path
    if request.method == "OPTIONS":
        return None
    if _is_public(path):
        if path in ("/login", "/language"):
            _identify()  # a signed-in visitor is sent on; a language choice is saved
        return None
    refused = _identify()
    if refused is not None:
        return refused
    if g.identity is None:
        return _anonymous(path)
    if g.auth_method == "session":
        csrf.protect()  # raises CSRFError (400) for an unsafe method without a valid token
    if path == "/_dash-update-component":
        return _check_callback()
    if path.startswith("/_") or path == "/api" or path.startswith("/api/"):
        return None
    if request.method in ("GET", "HEAD") and request.endpoint in dash_page_endpoints() and not page_allowed(path):
        return _forbidden_page()
    return None


def dash_page_endpoints() -> frozenset[str]:
    # Dash serves its index under these rules; other Flask routes are ours
    return frozenset({"/", "/<path:path>"})


def signed_out_reason() -> str | None:
    return session.pop(SIGNED_OUT, None)
