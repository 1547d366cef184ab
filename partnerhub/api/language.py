"""POST /language: the language switch of the navigation bar and of the
sign-in page (a plain form, so that it works before any script runs).

A signed-in user's choice is saved on their users row through the
application layer; everyone's is also kept in a cookie (the sign-in page's
visitor has no row), and a `?lang` view override ends. The answer sends the
browser back to the page it came from, without its `lang` parameter.
"""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit

from flask import Blueprint, redirect, render_template, request
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import Length

from partnerhub.auth.session import current_identity
from partnerhub.auth.views import safe_next
from partnerhub.i18n import (
    LANG_PARAMETER,
    LANGUAGE_COOKIE,
    VIEW_COOKIE,
    _,
    bad_language_message,
    clean_language,
    remember,
)
from partnerhub.services.caller import current_caller
from partnerhub.services.preferences import set_language

bp = Blueprint("language", __name__)
PATH = "/language"


class LanguageForm(FlaskForm):
    language = StringField(validators=[Length(max=35)])
    next = StringField(validators=[Length(max=2000)])


def _refused(message: str):
    return render_template("auth/error.html", title=_("Refused"), message=message), 400


def _back_to() -> str:
    """The page the switch was on (its path and query, this site only), without `lang`."""
    target = request.form.get("next") or ""
    if not target and request.referrer:
        ref = urlsplit(request.referrer)
        if ref.netloc == request.host:
            target = ref.path + (f"?{ref.query}" if ref.query else "")
    parts = urlsplit(target)
    query = urlencode([(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != LANG_PARAMETER])
    target = parts.path + (f"?{query}" if query else "")
    if parts.path == "/login" and not parts.netloc and not parts.scheme:
        # safe_next never sends anyone to /login; the sign-in page checks its own ?next
        return target
    return safe_next(target)


@bp.route(PATH, methods=["POST"])
def choose_language():
    form = LanguageForm()
    if not form.validate_on_submit():
        if form.csrf_token.errors:
            return _refused(_("The request was refused: its CSRF token is missing or not valid. Reload the page."))
        return _refused(bad_language_message(form.language.data or ""))
    chosen = clean_language(form.language.data)
    if chosen is None:
        return _refused(bad_language_message(form.language.data or ""))
    if current_identity() is not None:
        try:
            set_language(current_caller(), chosen)
        except ValueError as e:
            return _refused(str(e))
    response = redirect(_back_to())
    remember(response, LANGUAGE_COOKIE, chosen)
    response.delete_cookie(VIEW_COOKIE, path="/")
    return response
