"""Users and roles (roles.md: add users, change roles, reset passwords:
user.manage), and a user's own password (account.manage)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from partnerhub.auth import users as store
from partnerhub.auth.roles import ROLE_LABELS
from partnerhub.i18n import _, n_

from .caller import Caller
from .checks import require
from .outcome import Outcome


@contextmanager
def saving() -> Iterator[None]:
    """The store's refusals (auth/users.py: short clauses, shared with the
    CLI) as whole sentences: "Not saved: a name needs 1-200 characters."."""
    try:
        yield
    except ValueError as err:
        why = str(err).strip().rstrip(".。")
        raise ValueError(_("Not saved: %(why)s.", why=why)) from err


def _user(caller: Caller, email):
    """The users row of `email`, for an action on it."""
    if not email:
        raise ValueError(_("Pick a user first."))
    user = store.get_user_by_email(caller.state, email)
    if user is None:
        raise ValueError(_("No such user."))
    return user


def add(caller: Caller, email, name, role, password=None) -> Outcome[dict]:
    """Adds a new user; one that exists already is refused (change it instead)."""
    require(caller, "user.manage")
    if store.get_user_by_email(caller.state, email or "") is not None:
        raise ValueError(_("%(email)s exists already; change it below.", email=(email or "").strip().lower()))
    with saving():
        result = store.add_or_update_user(
            caller.state, caller.actor, email, name, role, password or None, caller.source
        )
    message = _("Added %(email)s.", email=result["email"])
    if not password:
        message += " " + _("Reset the password to let them sign in.")
    return Outcome(message, 1, result)


def add_or_update(caller: Caller, email, name, role, password=None) -> Outcome[dict]:
    """Adds the user, or changes the name, role (and password, when given)
    of an existing one (one an import created, say); value: {"created",
    "email", "changed"}."""
    require(caller, "user.manage")
    with saving():
        result = store.add_or_update_user(caller.state, caller.actor, email, name, role, password, caller.source)
    if result["created"]:
        message = _("Added %(email)s.", email=result["email"])
    elif result["changed"]:
        message = _("Changed %(email)s: %(fields)s.", email=result["email"], fields=", ".join(result["changed"]))
    else:
        message = _("%(email)s is unchanged.", email=result["email"])
    return Outcome(message, 1 if result["created"] or result["changed"] else 0, result)


def change_role(caller: Caller, email, role) -> Outcome[None]:
    require(caller, "user.manage")
    user = _user(caller, email)
    if not role:
        raise ValueError(_("Pick the new role."))
    with saving():
        store.set_role(caller.state, caller.actor, user.email, role)
    return Outcome(_("%(email)s is now: %(role)s.", email=user.email, role=_(ROLE_LABELS[role])), 1)


def reset_password(caller: Caller, email, password=None) -> Outcome[str]:
    """Sets `password`, or a generated one (value: it, to show once); every
    session of the user ends."""
    require(caller, "user.manage")
    user = _user(caller, email)
    with saving():
        new = store.reset_password(caller.state, caller.actor, user.email, password or None)
    if password:
        return Outcome(_("The password of %(email)s is set; their sessions have ended.", email=user.email), 1)
    return Outcome(_("The new password of %(email)s follows; it is shown only now.", email=user.email), 1, new)


def set_passwords(caller: Caller, passwords: dict[str, str], source: str | None = None) -> Outcome[list[str]]:
    """Sets the passwords of several users at once (the demo sign-ins)."""
    require(caller, "user.manage")
    with saving():
        emails = store.set_passwords(caller.state, caller.actor, passwords, source) if passwords else []
    return Outcome(n_("%(num)s password set.", "%(num)s passwords set.", len(emails)), len(emails), emails)


def set_disabled(caller: Caller, email, disabled: bool) -> Outcome[None]:
    """A disabled user is signed out and their API tokens stop working."""
    require(caller, "user.manage")
    user = _user(caller, email)
    with saving():
        store.set_disabled(caller.state, caller.actor, user.email, disabled)
    if disabled:
        return Outcome(_("%(email)s is disabled: signed out, and their API tokens stop working.", email=user.email), 1)
    return Outcome(_("%(email)s is enabled.", email=user.email), 1)


def change_own_password(caller: Caller, current, new, repeat) -> Outcome[None]:
    """The caller's own password: needs the current one; ends every other
    session of theirs (the caller renews their own)."""
    require(caller, "account.manage")
    if caller.user_id is None:
        raise ValueError(_("Only a signed-in user has a password to change."))
    if not current or not new:
        raise ValueError(_("Enter your current password and a new one."))
    if new != repeat:
        raise ValueError(_("The new password and its repetition differ."))
    with saving():
        store.change_own_password(caller.state, caller.user_id, current, new)
    return Outcome(_("Your password is changed. Your other sessions have ended."), 1)
