"""Security headers on every response, and the CSRF cookie Dash reads.

Content-Security-Policy allows this origin only, plus what Dash and Plotly
need:
- scripts: 'self' and the sha256 hashes of the app's own inline scripts,
  fixed once at start-up (`allow_app_scripts`): Dash's (its index inlines
  `var renderer = new DashRenderer();` and any inline clientside callback;
  `Dash.csp_hashes()` lists them) and those written in our templates. Never
  computed from the response being sent: a script injected into a page would
  then be allowed too. No 'unsafe-inline', no 'unsafe-eval' (Dash, dcc, dbc,
  AG Grid and Plotly's SVG charts run without eval; a browser test fails on
  any CSP violation, so an inline script added after start-up shows there).
- styles: 'self' 'unsafe-inline' - Plotly and AG Grid inject <style> elements.
- images: 'self' data: blob: - Bootstrap's inline SVG icons, Plotly's image export.
- fonts: 'self' (bootstrap-icons is vendored under /assets/vendor/fonts).

Cache-Control: no-store on every response but static files: pages, Dash's
layout and callbacks and the API carry customer data that must not stay in
a browser's or a proxy's cache after sign-out. Static files are the same for
everyone (auth.session sets no cookie on them and adds no Vary: Cookie), and
those whose URL changes with their content are kept for a year without
revalidation (`static_caching`): Dash's fingerprinted bundles and the chunks
they load from their fingerprint's folder (partnerhub/asset_urls.py), /assets/
files as Dash's index links them, with ?m=<mtime>, vendored files whose name
carries their version (plotly-basic-4.1.1.min.js) or that a vendored style
sheet links with its content hash (the icon font), and Dash's icon as its
index links it (?v=<Dash's version>). Any other static URL is revalidated
each time, as Flask serves it.

With PARTNERHUB_SECURE_COOKIES on (settings.secure_cookies) the session and
CSRF cookies are always Secure and Strict-Transport-Security is sent.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from flask import Flask, Response, current_app, g, request
from flask_wtf.csrf import generate_csrf

if TYPE_CHECKING:
    from dash import Dash

EXTENSION = "partnerhub.headers"
CSRF_COOKIE = "_csrf_token"  # Dash's default csrf_token_name
TEMPLATES = Path(__file__).resolve().parent / "templates"
INLINE_SCRIPT = re.compile(r"<script(?P<attrs>[^>]*)>(?P<body>.*?)</script>", re.S | re.I)
SRC_ATTR = re.compile(r"\bsrc\s*=", re.I)
DATA_TYPE = re.compile(r"""\btype\s*=\s*["']?application/(?:ld\+)?json""", re.I)
COMMENT = re.compile(r"<!--.*?-->", re.S)
JINJA = re.compile(r"\{\{|\{%")

# served from files that hold no customer data; they keep their own caching
STATIC_PREFIXES = ("/assets/", "/_dash-component-suites/", "/_favicon.ico")
NO_STORE = "no-store"
ASSETS_PREFIX = "/assets/"
ASSET_VERSION = "m"  # Dash's index links /assets/ files as ?m=<mtime>
VENDOR_PREFIX = "/assets/vendor/"
VERSIONED_NAME = re.compile(r"-\d+\.\d+\.\d+[^/]*$")  # plotly-basic-4.1.1.min.js
FAVICON = "/_favicon.ico"
FAVICON_VERSION = "v"  # Dash's index links its icon as ?v=<Dash's version>
# set in the WSGI environ by asset_urls.VersionedBundles for a URL in a fingerprint folder
VERSIONED_URL = "partnerhub.versioned_url"
ONE_YEAR = 31536000
IMMUTABLE = f"public, max-age={ONE_YEAR}, immutable"
# one year; no includeSubDomains: other hosts of the partner's domain are not ours
HSTS = "max-age=31536000"

BASE_POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self' 'unsafe-inline'",
    "img-src": "'self' data: blob:",
    "font-src": "'self'",
    "connect-src": "'self'",
    "worker-src": "'self' blob:",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}

STATIC_HEADERS = {
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


@dataclass(frozen=True)
class ResponseHeaders:
    """What this app adds to its responses, decided once at start-up."""

    content_security_policy: str
    secure_cookies: bool


def script_hash(body: str) -> str:
    digest = hashlib.sha256(body.encode("utf-8")).digest()
    return "'sha256-" + base64.b64encode(digest).decode("ascii") + "'"


def inline_scripts(html: str) -> list[str]:
    """The bodies of the scripts a browser runs inline: neither loaded by src,
    nor data blocks (Dash's config is a JSON <script>), nor in comments (Dash's
    <!--[if IE]> warning)."""
    return [
        match.group("body")
        for match in INLINE_SCRIPT.finditer(COMMENT.sub("", html))
        if not SRC_ATTR.search(match.group("attrs")) and not DATA_TYPE.search(match.group("attrs"))
    ]


def template_script_hashes(folder: Path = TEMPLATES) -> list[str]:
    """The hashes of the inline scripts written in our templates. A script that
    Jinja fills in would differ per response, so its hash could not be fixed
    in advance: refused here rather than allowed by 'unsafe-inline'."""
    hashes = []
    for path in sorted(folder.rglob("*.html")):
        for body in inline_scripts(path.read_text(encoding="utf-8")):
            if JINJA.search(body):
                raise RuntimeError(f"{path}: an inline script must not use template values (CSP hashes are fixed)")
            hashes.append(script_hash(body))
    return hashes


def content_security_policy(script_hashes: Sequence[str] = ()) -> str:
    policy = dict(BASE_POLICY)
    if script_hashes:
        policy["script-src"] = " ".join(["'self'", *script_hashes])
    return "; ".join(f"{k} {v}" for k, v in policy.items())


def init_headers(server: Flask, secure_cookies: bool) -> None:
    """Until `allow_app_scripts` runs, only the templates' scripts are allowed."""
    server.extensions[EXTENSION] = ResponseHeaders(
        content_security_policy(sorted(set(template_script_hashes()))), secure_cookies=False
    )
    use_secure_cookies(server, secure_cookies)
    server.after_request(add_headers)


def use_secure_cookies(server: Flask, on: bool) -> None:
    """PARTNERHUB_SECURE_COOKIES: the session cookie (Flask's setting, read by
    auth.session.SessionInterface) and the CSRF cookie always Secure, and HSTS.
    Off, each cookie is Secure when its request came over HTTPS."""
    server.config.update(SESSION_COOKIE_SECURE=on, REMEMBER_COOKIE_SECURE=on)
    server.extensions[EXTENSION] = replace(server.extensions[EXTENSION], secure_cookies=on)


def allow_app_scripts(server: Flask, dash_app: Dash) -> None:
    """Adds the hashes of the Dash app's inline scripts to the policy; called
    by create_app once every page and callback is registered.

    Dash registers the last of them in the before_request hooks of its first
    request (the pages router adds a clientside callback setting the document
    title): those hooks run here, on a public path, so that the policy is
    complete from the first response on."""
    with server.test_request_context("/_favicon.ico"):
        server.preprocess_request()
    hashes = sorted({*template_script_hashes(), *dash_app.csp_hashes()})
    current = server.extensions[EXTENSION]
    server.extensions[EXTENSION] = replace(current, content_security_policy=content_security_policy(hashes))


def add_headers(response: Response) -> Response:
    headers: ResponseHeaders = current_app.extensions[EXTENSION]
    response.headers["Content-Security-Policy"] = headers.content_security_policy
    for name, value in STATIC_HEADERS.items():
        response.headers.setdefault(name, value)
    if headers.secure_cookies:
        response.headers.setdefault("Strict-Transport-Security", HSTS)
    if is_static_path(request.path):
        static_caching(response)
    else:
        response.headers["Cache-Control"] = NO_STORE
    _csrf_cookie(response, secure=headers.secure_cookies or request.is_secure)
    return response


def is_static_path(path: str) -> bool:
    """Files that hold no customer data and are the same for every visitor."""
    return path.startswith(STATIC_PREFIXES)


def static_caching(response: Response) -> None:
    """A year, never revalidated, for a static URL that names its version:
    Dash gives its fingerprinted bundles max-age of a year (and its others an
    ETag), our /assets/ files are fingerprinted by the ?m= Dash adds."""
    if response.status_code not in (200, 304):
        return
    if names_its_version(response):
        response.headers["Cache-Control"] = IMMUTABLE


def names_its_version(response: Response) -> bool:
    path = request.path
    return (
        response.cache_control.max_age == ONE_YEAR  # a bundle Dash fingerprinted
        or bool(request.environ.get(VERSIONED_URL))
        or (path.startswith(ASSETS_PREFIX) and ASSET_VERSION in request.args)
        or (path.startswith(VENDOR_PREFIX) and (bool(VERSIONED_NAME.search(path)) or bool(request.query_string)))
        or (path == FAVICON and FAVICON_VERSION in request.args)
    )


def _csrf_cookie(response: Response, secure: bool) -> None:
    """Dash's renderer copies this cookie into the X-CSRFToken header of every
    callback. Only for signed-in sessions: an API token request must not get
    a session, and the sign-in form carries its own token."""
    if g.get("auth_method") == "session":
        response.set_cookie(CSRF_COOKIE, generate_csrf(), httponly=False, samesite="Lax", secure=secure, path="/")
    elif g.get("signed_out"):
        response.delete_cookie(CSRF_COOKIE, path="/", secure=secure, samesite="Lax")
