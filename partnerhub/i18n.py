"""The one translation catalogue: every user-facing string goes through `_`.

Flask-Babel picks the language from the browser (English until a catalogue
for another language is added under translations/). Outside a request, as
when Dash calls each layout once at start-up, the English text is returned.
"""

from __future__ import annotations

from flask import has_request_context, request
from flask_babel import Babel, gettext, ngettext

LANGUAGES = ("en", "ja")


def _select_locale():
    return request.accept_languages.best_match(LANGUAGES) or "en"


def init_i18n(server) -> None:
    Babel(server, locale_selector=_select_locale, default_translation_directories="translations")


def _(text: str, **values) -> str:
    if has_request_context():
        return gettext(text, **values)
    return text % values if values else text


def n_(singular: str, plural: str, n: int, **values) -> str:
    if has_request_context():
        return ngettext(singular, plural, n, **values)
    values.setdefault("num", n)
    return (singular if n == 1 else plural) % values
