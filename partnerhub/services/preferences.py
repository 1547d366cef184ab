"""A signed-in user's own preferences (roles.md: account.manage, every role):
the interface language (ja | en) and the time zone (an IANA name, such as
Asia/Tokyo). Each is one transaction with its audit row; choosing the value
one has already changes nothing."""

from __future__ import annotations

from partnerhub.data import preferences as store
from partnerhub.formatting import clean_time_zone
from partnerhub.i18n import LANGUAGE_NAMES, _, bad_language_message, clean_language

from .caller import Caller
from .checks import require
from .outcome import Outcome


def _own(caller: Caller) -> int:
    require(caller, "account.manage")
    if caller.user_id is None:
        # the CLI operator has no users row to keep a preference on
        raise ValueError(_("Only a signed-in user has preferences."))
    return caller.user_id


def _set(caller: Caller, field: str, value: str) -> bool:
    user_id = _own(caller)
    try:
        _before, changed = store.set_preference(caller.state, user_id, field, value)
    except ValueError:
        raise ValueError(_("Your user no longer exists.")) from None
    return changed


def set_language(caller: Caller, language) -> Outcome[str]:
    """Saves the caller's interface language; value: "ja" or "en"."""
    chosen = clean_language(language) if isinstance(language, str) and len(language.strip()) == 2 else None
    if chosen is None:
        raise ValueError(bad_language_message(language))
    changed = _set(caller, "language", chosen)
    name = LANGUAGE_NAMES[chosen]
    if not changed:
        return Outcome(_("The language is already %(language)s.", language=name), 0, chosen)
    return Outcome(_("The language is now %(language)s.", language=name), 1, chosen)


def set_time_zone(caller: Caller, time_zone) -> Outcome[str]:
    """Saves the caller's time zone; value: its IANA name."""
    zone = clean_time_zone(time_zone)
    if zone is None:
        raise ValueError(
            _("“%(value)s” is not a time zone: give its IANA name, such as Asia/Tokyo.", value=str(time_zone)[:64])
        )
    changed = _set(caller, "time_zone", zone)
    if not changed:
        return Outcome(_("The time zone is already %(zone)s.", zone=zone), 0, zone)
    return Outcome(_("The time zone is now %(zone)s.", zone=zone), 1, zone)
