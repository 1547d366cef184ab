"""Signed-in sessions (roles.md: one's own: account.manage; anyone's:
user.manage, with the rest of managing users).

A user sees the sessions of theirs going on and ends one, or every one but
the session they act from; a full admin ends every session of a user. Each
ended session is over on every worker at its next request (data/sessions.py).
"""

from __future__ import annotations

from datetime import timedelta

from partnerhub.auth.users import get_user_by_email
from partnerhub.data import sessions as store
from partnerhub.i18n import _, n_

from .caller import Caller
from .checks import require
from .outcome import Outcome


def _session_id(value) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise ValueError(_("That session has ended already."))
    try:
        return int(value)
    except ValueError:
        raise ValueError(_("That session has ended already.")) from None


def mine(caller: Caller, idle: timedelta) -> list[dict]:
    """The caller's sessions going on now, the most recently used first."""
    require(caller, "account.manage")
    if caller.user_id is None:
        return []
    return store.list_active(caller.state, caller.user_id, idle)


def end_own(caller: Caller, session_id, current: int | None, idle: timedelta) -> Outcome[dict]:
    """Ends one of the caller's other sessions (not `current`, the one they
    act from: signing out does that); another user's is "ended already"."""
    require(caller, "account.manage")
    sid = _session_id(session_id)
    if caller.user_id is None:
        raise ValueError(_("That session has ended already."))
    if current is not None and sid == current:
        raise ValueError(_("This is the session you are using: sign out to end it."))
    try:
        ended = store.end_one(caller.state, caller.actor, caller.user_id, sid, idle)
    except ValueError:
        raise ValueError(_("That session has ended already.")) from None
    return Outcome(_("The session is ended."), 1, ended)


def end_others(caller: Caller, current: int | None, idle: timedelta) -> Outcome[int]:
    """Ends every session of the caller's but `current`."""
    require(caller, "account.manage")
    if caller.user_id is None:
        raise ValueError(_("Only a signed-in user has sessions."))
    n = store.end_all(caller.state, caller.actor, caller.user_id, store.ENDED, idle, keep=current)
    if not n:
        return Outcome(_("You have no other sessions."), 0, 0)
    message = n_("Ended %(num)s other session.", "Ended %(num)s other sessions.", n)
    return Outcome(message, n, n)


def end_all_of(caller: Caller, email, idle: timedelta, current: int | None = None) -> Outcome[int]:
    """Ends every session of a user (the caller's own, when they pick
    themselves, but `current`: the one they act from)."""
    require(caller, "user.manage")
    if not email:
        raise ValueError(_("Pick a user first."))
    user = get_user_by_email(caller.state, email)
    if user is None:
        raise ValueError(_("No such user."))
    keep = current if user.id == caller.user_id else None
    n = store.end_all(caller.state, caller.actor, user.id, store.ENDED_BY_ADMIN, idle, keep=keep)
    message = n_(
        "Ended %(num)s session of %(email)s.",
        "Ended %(num)s sessions of %(email)s.",
        n,
        email=user.email,
    )
    return Outcome(message, n, n)
