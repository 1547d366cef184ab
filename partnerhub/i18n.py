"""The one translation catalogue: every user-facing string goes through `_`.

The catalogues are the .po files under translations/, read once per process
into memory (no compiled .mo is written or tracked; fuzzy entries are left
out, as msgfmt would). Outside a request, as when Dash calls each layout once
at start-up, the English text is returned.

The language of a request, first match wins:
1. `?lang=ja|en` on the URL (a shared link), which also sets VIEW_COOKIE, a
   browser-session cookie, so that the rest of that view (its callbacks, the
   pages it opens) stays in the same language; it never changes what a user
   saved;
2. VIEW_COOKIE;
3. the signed-in user's saved choice (users.language, set by the switch);
4. LANGUAGE_COOKIE, the switch's choice of an anonymous visitor (sign-in page);
5. the browser's Accept-Language (ja-JP -> ja), else English.
A bad `?lang` value is answered 400 with a sentence naming the good ones.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache
from io import BytesIO
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations
from flask import Response, current_app, has_request_context, jsonify, request
from flask_babel import Babel, Domain, get_locale, gettext, ngettext

LANGUAGES = ("en", "ja")
DEFAULT = "en"
LANG_PARAMETER = "lang"
LANGUAGE_COOKIE = "partnerhub_lang"  # the switch's choice, a year
VIEW_COOKIE = "partnerhub_lang_view"  # ?lang's, until the browser closes
COOKIE_MAX_AGE = 365 * 24 * 3600
CATALOGUES = Path(__file__).resolve().parent / "translations"
# the language names as their speakers write them: the switch shows both,
# whatever the current language
LANGUAGE_NAMES = {"ja": "日本語", "en": "English"}
USER_LANGUAGE = "partnerhub.user_language"
# the language of `with language(code):`, which wins over the request's
_CHOSEN: ContextVar[str | None] = ContextVar("partnerhub_language", default=None)


@cache
def catalogue(language: str) -> NullTranslations:
    """translations/<language>/LC_MESSAGES/messages.po, compiled in memory."""
    po = CATALOGUES / language / "LC_MESSAGES" / "messages.po"
    if language == DEFAULT or not po.is_file():
        return NullTranslations()
    with po.open("rb") as f:
        parsed = read_po(f, locale=language)
    mo = BytesIO()
    write_mo(mo, parsed, use_fuzzy=False)
    mo.seek(0)
    return Translations(mo, domain="messages")


class _PoDomain(Domain):
    """Flask-Babel's domain, fed from the .po files instead of .mo files."""

    def get_translations(self):
        if not has_request_context():
            return NullTranslations()
        return catalogue(str(get_locale() or DEFAULT))


class _Babel(Babel):
    @property
    def domain_instance(self):
        return _DOMAIN


_DOMAIN = _PoDomain()


def clean_language(value) -> str | None:
    """'ja' or 'en' for a value naming one of them (case and region ignored:
    ja-JP -> ja); None for anything else."""
    if not isinstance(value, str) or len(value) > 35:
        return None
    base = value.strip().replace("_", "-").split("-")[0].lower()
    return base if base in LANGUAGES else None


def bad_language_message(value) -> str:
    shown = str(value)[:40]
    return _("Unknown language “%(value)s”: use %(languages)s.", value=shown, languages=" / ".join(LANGUAGES))


def _user_language() -> str | None:
    reader = current_app.extensions.get(USER_LANGUAGE)
    return clean_language(reader()) if reader else None


def request_language() -> str:
    """The language of this request (see the module's docstring), or the
    one a `with language(code):` block chose."""
    chosen = _CHOSEN.get()
    if chosen is not None:
        return chosen
    if not has_request_context():
        return DEFAULT
    asked = request.args.get(LANG_PARAMETER)
    return (
        clean_language(asked)
        or clean_language(request.cookies.get(VIEW_COOKIE))
        or _user_language()
        or clean_language(request.cookies.get(LANGUAGE_COOKIE))
        or request.accept_languages.best_match(LANGUAGES)
        or DEFAULT
    )


def init_i18n(server, user_language: Callable[[], str | None] | None = None) -> None:
    """user_language: the signed-in user's saved language (None: not chosen),
    given by the factory so that this module imports nothing of ours."""
    _Babel(server, locale_selector=request_language)
    server.extensions[USER_LANGUAGE] = user_language

    @server.before_request
    def _check_lang():
        asked = request.args.get(LANG_PARAMETER)
        if asked is not None and clean_language(asked) is None:
            return _bad_language(asked)
        return None

    @server.after_request
    def _remember_view(response: Response) -> Response:
        asked = clean_language(request.args.get(LANG_PARAMETER))
        if asked is not None and request.cookies.get(VIEW_COOKIE) != asked:
            remember(response, VIEW_COOKIE, asked, max_age=None)
        return response

    @server.context_processor
    def _language():
        return {"lang": request_language(), "language_names": LANGUAGE_NAMES}


def remember(response: Response, name: str, language: str, max_age: int | None = COOKIE_MAX_AGE) -> None:
    # readable by no script, sent on top-level navigations from elsewhere (Lax)
    secure = bool(current_app.config.get("SESSION_COOKIE_SECURE")) or request.is_secure
    response.set_cookie(name, language, max_age=max_age, httponly=True, samesite="Lax", secure=secure, path="/")


def _bad_language(asked):
    message = bad_language_message(asked)
    path = request.path
    if path.startswith("/api/") or path == "/api" or path.startswith("/_"):
        response = jsonify(error=message)
        response.status_code = 400
        return response
    from markupsafe import escape

    page = f'<!DOCTYPE html><html lang="{request_language()}"><meta charset="utf-8"><p>{escape(message)}</p>'
    return Response(page, 400, mimetype="text/html")


def N_(text: str) -> str:
    """Marks a message kept in a table (role names, metric definitions) for
    extraction; it is translated where it is shown, with `_(table[key])`."""
    return text


@contextmanager
def language(code: str | None) -> Iterator[str]:
    """Messages, and the numbers and dates partnerhub.formatting writes, in
    `code` (ja | en; anything else: English) inside the block, in a request
    or outside one: an e-mail is written in its recipient's language, not in
    the language of whoever caused it. Yields the language used."""
    chosen = clean_language(code) or DEFAULT
    token = _CHOSEN.set(chosen)
    try:
        yield chosen
    finally:
        _CHOSEN.reset(token)


def _(text: str, **values) -> str:
    chosen = _CHOSEN.get()
    if chosen is not None:
        found = catalogue(chosen).gettext(text)
        return found % values if values else found
    if has_request_context():
        return gettext(text, **values)
    return text % values if values else text


def n_(singular: str, plural: str, n: int, **values) -> str:
    chosen = _CHOSEN.get()
    if chosen is not None:
        values.setdefault("num", n)
        return catalogue(chosen).ngettext(singular, plural, n) % values
    if has_request_context():
        return ngettext(singular, plural, n, **values)
    values.setdefault("num", n)
    return (singular if n == 1 else plural) % values
