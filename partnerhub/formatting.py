"""How numbers look on screen. The screen rounds; the data never is.

Every function takes the raw value (None, int, float, date, ISO string) and
returns display text. A missing value (None, NaN, a ratio whose denominator
was 0) is shown as an em dash, never as 0. Negative numbers use the real
minus sign (U+2212), which screen readers announce as "minus".

assets/dashAgGridComponentFunctions.js mirrors these rules for grid cells
(fmtInt, fmtRatio, ...), so a number looks the same in a card and in a table.
"""

from __future__ import annotations

import math
from datetime import date, datetime

from partnerhub.i18n import _, n_

MISSING = "—"
MINUS = "−"


def is_missing(value) -> bool:
    if value is None:
        return True
    return bool(isinstance(value, float) and not math.isfinite(value))


def _grouped(number: float, digits: int) -> str:
    text = f"{abs(number):,.{digits}f}"
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
    "days": fmt_days,
    "months": fmt_months,
    "seconds": fmt_seconds,
    "bool": fmt_bool,
}


def fmt(value, kind: str = "int") -> str:
    """Format by kind name (one of FORMATTERS); strings pass through, so a
    caller may hand in text it has already formatted."""
    if isinstance(value, str) and kind != "date":
        return value
    if kind == "text":
        return MISSING if value is None else str(value)
    return FORMATTERS[kind](value)
