"""Security headers on every response, and the CSRF cookie Dash reads.

Content-Security-Policy allows this origin only, plus what Dash and Plotly
need:
- scripts: 'self' and the sha256 hashes of the inline scripts of the page
  being served. Dash's index inlines `var renderer = new DashRenderer();` and
  the registration of clientside callbacks; their hashes are computed from the
  HTML actually sent, so a new clientside callback needs no change here. No
  'unsafe-inline', no 'unsafe-eval' (Dash, dcc, dbc, AG Grid and Plotly's SVG
  charts run without eval; a browser test checks for CSP console errors).
- styles: 'self' 'unsafe-inline' - Plotly and AG Grid inject <style> elements.
- images: 'self' data: blob: - Bootstrap's inline SVG icons, Plotly's image export.
- fonts: 'self' (bootstrap-icons is vendored under /assets/vendor/fonts).
"""

from __future__ import annotations

import base64
import hashlib
import re

from flask import g, request
from flask_wtf.csrf import generate_csrf

CSRF_COOKIE = "_csrf_token"  # Dash's default csrf_token_name
INLINE_SCRIPT = re.compile(r"<script(?P<attrs>[^>]*)>(?P<body>.*?)</script>", re.S | re.I)
SRC_ATTR = re.compile(r"\bsrc\s*=", re.I)
DATA_TYPE = re.compile(r"""\btype\s*=\s*["']?application/(?:ld\+)?json""", re.I)

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


def inline_script_hashes(html: str) -> list[str]:
    hashes = []
    for match in INLINE_SCRIPT.finditer(html):
        attrs = match.group("attrs")
        if SRC_ATTR.search(attrs) or DATA_TYPE.search(attrs):
            continue
        digest = hashlib.sha256(match.group("body").encode("utf-8")).digest()
        hashes.append("'sha256-" + base64.b64encode(digest).decode("ascii") + "'")
    return sorted(set(hashes))


def content_security_policy(script_hashes: list[str] = ()) -> str:
    policy = dict(BASE_POLICY)
    if script_hashes:
        policy["script-src"] = " ".join(["'self'", *script_hashes])
    return "; ".join(f"{k} {v}" for k, v in policy.items())


def add_headers(response):
    hashes = []
    if response.mimetype == "text/html" and not response.direct_passthrough and not response.is_streamed:
        hashes = inline_script_hashes(response.get_data(as_text=True))
    response.headers["Content-Security-Policy"] = content_security_policy(hashes)
    for name, value in STATIC_HEADERS.items():
        response.headers.setdefault(name, value)
    _csrf_cookie(response)
    return response


def _csrf_cookie(response) -> None:
    """Dash's renderer copies this cookie into the X-CSRFToken header of every
    callback. Only for signed-in sessions: an API token request must not get
    a session, and the sign-in form carries its own token."""
    if g.get("auth_method") == "session":
        response.set_cookie(
            CSRF_COOKIE, generate_csrf(), httponly=False, samesite="Lax", secure=request.is_secure, path="/"
        )
    elif g.get("signed_out"):
        response.delete_cookie(CSRF_COOKIE, path="/")
