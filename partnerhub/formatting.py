"""How numbers look on screen. The screen rounds; the data never is.

Every function takes the raw value (None, int, float, date, ISO string) and
returns display text. A missing value (None, NaN, a ratio whose denominator
was 0) is shown as an em dash, never as 0. Negative numbers use the real
minus sign (U+2212), which screen readers announce as "minus".

assets/dashAgGridComponentFunctions.js mirrors these rules for grid cells
(fmtInt, fmtRatio, ...), so a number looks the same in a card and in a table.
Digits and separators follow the request's language through Babel (the same
locale the grid gives Intl.NumberFormat: <html lang>).

Every timestamp (a moment, not a calendar date) is shown by `fmt_datetime`,
in the viewer's time zone and naming it: "2026-11-30 09:00 JST". The zone,
first match wins: the signed-in user's choice (users.time_zone), the
browser's (TIME_ZONE_COOKIE, written by assets/timezone.js), Asia/Tokyo when
the interface is Japanese, else UTC. Calendar dates (as_of, week_start, end
dates) stay dates: `fmt_date`.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from babel.dates import format_datetime
from babel.numbers import format_decimal, get_decimal_symbol, get_group_symbol
from flask import current_app, g, has_request_context, request

from partnerhub.i18n import _, n_, request_language

MISSING = "—"
MINUS = "−"


def is_missing(value) -> bool:
    if value is None:
        return True
    return bool(isinstance(value, float) and not math.isfinite(value))


TIME_ZONE_COOKIE = "partnerhub_tz"  # the browser's IANA zone, from assets/timezone.js
USER_TIME_ZONE = "partnerhub.user_time_zone"  # app extension: the signed-in user's saved zone
JAPAN = "Asia/Tokyo"
TIME_ZONE_MAX = 64  # users.time_zone
_REQUEST_ZONE = "_partnerhub_time_zone"  # flask.g: the zone, worked out once a request


def _locale() -> str:
    return request_language()


def _grouped(number: float, digits: int) -> str:
    # Python rounds (half to even, on the float), Babel only groups: the same
    # digits as ever, with the language's separators
    rounded = Decimal(f"{abs(number):.{digits}f}")
    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    text = format_decimal(rounded, format=pattern, locale=_locale(), decimal_quantization=False)
    if number < 0 and text.strip("0.,") != "":
        return MINUS + text
    return text


def fmt_int(value) -> str:
    """12345 -> "12,345"; -3 -> "−3"; None -> "—". Floats are rounded half
    to even at display time only."""
    if is_missing(value):
        return MISSING
    return _grouped(round(value), 0)


def fmt_number(value, digits: int = 1) -> str:
    """A measured quantity (minutes, seconds): 1234.56 -> "1,234.6"."""
    if is_missing(value):
        return MISSING
    return _grouped(value, digits)


def fmt_ratio(value, digits: int = 1) -> str:
    """A fraction as a percentage: 0.425 -> "42.5 %"; 1.2 -> "120.0 %";
    None (denominator 0) -> "—"."""
    if is_missing(value):
        return MISSING
    return _grouped(value * 100, digits) + " %"


def fmt_change(value) -> str:
    """A signed difference of counts: +3, −2, 0; None -> "—"."""
    if is_missing(value):
        return MISSING
    value = round(value)
    if value > 0:
        return "+" + _grouped(value, 0)
    return _grouped(value, 0)


def fmt_ratio_change(value, digits: int = 1) -> str:
    """A difference of two ratios in percentage points: 0.012 -> "+1.2 pp"."""
    if is_missing(value):
        return MISSING
    text = _grouped(value * 100, digits)
    if value > 0 and text.strip("0.,") != "":
        text = "+" + text
    return text + " " + _("pp")


def fmt_date(value) -> str:
    """ISO date (unambiguous in every language): 2024-05-06; None -> "—"."""
    if is_missing(value) or value == "":
        return MISSING
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value)[:10]


def chart_separators() -> str:
    """Plotly's `separators` (decimal mark, then group mark) for the
    request's language, so that axis ticks read like the cards' numbers."""
    locale = _locale()
    return get_decimal_symbol(locale) + get_group_symbol(locale)


# a week's Sunday on a chart's axis: "Nov 30" / "11月30日" (d3 time format)
WEEK_TICKS = {"en": "%b %d", "ja": "%-m月%-d日"}


def week_tick_format() -> str:
    return WEEK_TICKS.get(_locale(), WEEK_TICKS["en"])


@cache
def _known_zones() -> frozenset[str]:
    return frozenset(available_timezones())


def clean_time_zone(value) -> str | None:
    """The IANA name when `value` is one zoneinfo knows, else None."""
    if not isinstance(value, str):
        return None
    name = value.strip()
    if not name or len(name) > TIME_ZONE_MAX or name.startswith(("/", ".")) or ".." in name:
        return None
    if name not in _known_zones():
        return None
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None
    return name


def time_zone_choices() -> list[str]:
    """Every IANA zone a user may choose, sorted."""
    return sorted(_known_zones())


def init_time_zones(server, user_time_zone: Callable[[], str | None] | None = None) -> None:
    """user_time_zone: the signed-in user's saved zone (None: not chosen),
    given by the factory so that this module imports nothing of ours."""
    server.extensions[USER_TIME_ZONE] = user_time_zone


def browser_time_zone() -> str | None:
    """The zone the browser reported (TIME_ZONE_COOKIE), if it is one."""
    if not has_request_context():
        return None
    return clean_time_zone(request.cookies.get(TIME_ZONE_COOKIE))


def default_time_zone() -> str:
    """The zone of a user who has not chosen one: the browser's, else
    Asia/Tokyo for a Japanese interface, else UTC."""
    return browser_time_zone() or (JAPAN if request_language() == "ja" else "UTC")


def request_time_zone() -> str:
    """The IANA zone this request shows times in (see the module's docstring)."""
    if not has_request_context():
        return "UTC"
    found = g.get(_REQUEST_ZONE)
    if found is None:
        reader = current_app.extensions.get(USER_TIME_ZONE)
        found = clean_time_zone(reader() if reader else None) or default_time_zone()
        setattr(g, _REQUEST_ZONE, found)
    return found


def use_request_time_zone(zone: str) -> None:
    """After the user chose `zone`: the rest of the request shows times in it
    (the identity read at the start of the request still has the old one)."""
    if has_request_context() and clean_time_zone(zone):
        setattr(g, _REQUEST_ZONE, zone)


def zone_name(zone: ZoneInfo, moment: datetime) -> str:
    """The zone's abbreviation at that moment (JST, UTC, CET); "UTC+04" for a
    zone IANA gives only an offset."""
    name = moment.astimezone(zone).tzname() or str(zone)
    return "UTC" + name if name[:1] in "+-" else name


def _aware(value) -> datetime | None:
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None
    if not isinstance(value, datetime):
        return None
    # the stores hand back naive datetimes for what was stored as UTC
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


def fmt_datetime(value, time_zone: str | None = None, seconds: bool = False) -> str:
    """A moment in the viewer's zone (or `time_zone`), naming the zone:
    2026-11-30 09:00 JST; None -> "—". Naive datetimes are taken as UTC."""
    if is_missing(value) or value == "":
        return MISSING
    moment = _aware(value)
    if moment is None:
        return str(value)
    zone = ZoneInfo(clean_time_zone(time_zone) or request_time_zone())
    local = moment.astimezone(zone)
    return f"{local:%Y-%m-%d %H:%M}{f':{local.second:02d}' if seconds else ''} {zone_name(zone, moment)}"


# the snapshot is refreshed every Sunday at 00:00 UTC (data-contract.md)
_A_REFRESH = datetime(2026, 11, 29, 0, 0, tzinfo=UTC)  # a Sunday


def refresh_time(time_zone: str | None = None) -> dict[str, str]:
    """When the weekly refresh happens in the viewer's zone and language:
    {"weekday": "日曜日" | "Sunday", "time": "09:00", "zone": "JST"}."""
    zone = ZoneInfo(clean_time_zone(time_zone) or request_time_zone())
    local = _A_REFRESH.astimezone(zone)
    return {
        "weekday": format_datetime(local, "EEEE", tzinfo=zone, locale=_locale()),
        "time": f"{local:%H:%M}",
        "zone": zone_name(zone, _A_REFRESH),
    }


# the ICU collation names sort in, by interface language: Japanese puts
# hiragana and katakana together in gojūon order, then kanji, after Latin
# (which sorts by letter, accents and case second); English's also puts kana
# after Latin, so a list reads the same way in both languages
COLLATIONS = {"ja": "ja", "en": "en"}


def collation() -> str:
    """The ICU collation (DuckDB's icu extension, built into the duckdb
    wheel: `icu_sort_key(text, collation)`) of the request's language."""
    return COLLATIONS.get(request_language(), "en")


def fmt_days(value) -> str:
    """12 -> "12 days"; 1 -> "1 day"; None -> "—"."""
    if is_missing(value):
        return MISSING
    n = round(value)
    # not %(num)s: Flask-Babel fills that one itself, without thousands separators
    return n_("%(count)s day", "%(count)s days", abs(n), count=_grouped(n, 0))


def fmt_months(value) -> str:
    """5 -> "5 months"; 1 -> "1 month"; None -> "—"."""
    if is_missing(value):
        return MISSING
    n = round(value)
    return n_("%(count)s month", "%(count)s months", abs(n), count=_grouped(n, 0))


def fmt_seconds(value) -> str:
    """A wait time: 42.4 -> "42 s"; 185 -> "3 min 5 s"; None -> "—"."""
    if is_missing(value):
        return MISSING
    total = round(value)
    sign = MINUS if total < 0 else ""
    minutes, seconds = divmod(abs(total), 60)
    if minutes:
        return sign + _("%(m)s min %(s)s s", m=f"{minutes:,}", s=seconds)
    return sign + _("%(s)s s", s=seconds)


def fmt_bool(value) -> str:
    if value is None:
        return MISSING
    return _("Yes") if value else _("No")


FORMATTERS = {
    "int": fmt_int,
    "number": fmt_number,
    "ratio": fmt_ratio,
    "change": fmt_change,
    "ratio_change": fmt_ratio_change,
    "date": fmt_date,
    "datetime": fmt_datetime,
    "days": fmt_days,
    "months": fmt_months,
    "seconds": fmt_seconds,
    "bool": fmt_bool,
}


def fmt(value, kind: str = "int") -> str:
    """Format by kind name (one of FORMATTERS); strings pass through, so a
    caller may hand in text it has already formatted."""
    if isinstance(value, str) and kind not in ("date", "datetime"):
        return value
    if kind == "text":
        return MISSING if value is None else str(value)
    return FORMATTERS[kind](value)
