"""Notes on a customer (roles.md: write notes and follow-ups on a customer:
note.write, partner and sales admins in scope only; read by everyone who sees
the customer). A note is plain text: the screens show it as text, never as
markup. Its author may edit or delete it within 24 hours of writing it, a
partner full administrator at any time.

A note of a customer out of scope answers exactly like a note that does not
exist."""

from __future__ import annotations

import unicodedata
from datetime import datetime, timedelta

from partnerhub.auth.guard import Refused
from partnerhub.auth.roles import FULL
from partnerhub.data import notes as store
from partnerhub.data.notes import BODY_MAX, Note
from partnerhub.data.state import utcnow
from partnerhub.formatting import fmt_int
from partnerhub.i18n import _

from .caller import Caller
from .checks import require, require_customers, require_visible
from .outcome import Outcome

EDIT_WINDOW = timedelta(hours=24)
# a note may run over several lines
_ALLOWED_CONTROLS = frozenset("\n\r\t")


def has_control_characters(text: str, allowed: frozenset[str] = frozenset()) -> bool:
    """Whether the text holds a control character (other than `allowed`):
    PostgreSQL refuses NUL, and none of them belongs in what people read."""
    return any(unicodedata.category(ch) == "Cc" and ch not in allowed for ch in text)


def clean_body(value) -> str:
    """The note's text, trimmed: 1-4,000 characters."""
    if not isinstance(value, str):
        raise ValueError(_("A note must be text."))
    body = value.strip()
    if not body:
        raise ValueError(_("The note is empty: write something first."))
    if len(body) > BODY_MAX:
        raise ValueError(
            _(
                "A note holds at most %(max)s characters; this one has %(count)s.",
                max=fmt_int(BODY_MAX),
                count=fmt_int(len(body)),
            )
        )
    if has_control_characters(body, _ALLOWED_CONTROLS):
        raise ValueError(_("A note cannot contain control characters."))
    return body


def _author_id(caller: Caller) -> int:
    if caller.user_id is None:
        # the CLI operator has no users row to sign a note with
        raise ValueError(_("Only a signed-in user can write notes and follow-ups."))
    return caller.user_id


def _unknown_note() -> Refused:
    return Refused(_("That note does not exist (any more)."), 404)


# ---- reads -------------------------------------------------------------------------------------


def list_notes(caller: Caller, customer_id) -> list[Note]:
    """The customer's notes, newest first, for everyone who sees the customer."""
    cid = require_visible(caller, customer_id)
    return store.notes_for(caller.state, cid)


def notes_frame(caller: Caller, customer_id):
    """The customer's notes as a table for the customer page's download
    (customer_id, note_id, author, created_at, updated_at, body)."""
    cid = require_visible(caller, customer_id)
    return store.notes_frame(caller.state, cid)


def may_write(caller: Caller, customer_id) -> bool:
    """Whether the caller may add notes (and follow-ups) on this customer."""
    try:
        require_customers(caller, "note.write", [customer_id])
    except Refused:
        return False
    return caller.user_id is not None


def may_change(caller: Caller, note: Note, now: datetime | None = None) -> bool:
    """Whether the caller may edit or delete this note now: its author
    within 24 hours of writing it, a partner full administrator any time."""
    if caller.role == FULL:
        return True
    return (
        caller.user_id is not None
        and note.author_id == caller.user_id
        and (now or utcnow()) - note.created_at <= EDIT_WINDOW
    )


# ---- writes ------------------------------------------------------------------------------------


def add(caller: Caller, customer_id, body) -> Outcome[Note]:
    require(caller, "note.write")
    [cid] = require_customers(caller, "note.write", [customer_id])
    text = clean_body(body)
    note = store.add_note(caller.state, caller.actor, _author_id(caller), cid, text)
    return Outcome(_("Note added."), 1, note)


def _rule(caller: Caller, now: datetime | None):
    """The check the store runs on the note inside the write transaction."""

    def allow(note: Note | None) -> Note:
        if note is None:
            raise _unknown_note()
        try:
            require_customers(caller, "note.write", [note.customer_id])
        except Refused:
            # out of scope (or gone from the data): as if there were no such note
            raise _unknown_note() from None
        if not may_change(caller, note, now):
            raise Refused(
                _(
                    "A note can be changed by its author within 24 hours of writing it, "
                    "or by a partner full administrator."
                ),
                403,
            )
        return note

    return allow


def edit(caller: Caller, note_id, body, now: datetime | None = None) -> Outcome[Note]:
    """Replaces the note's text. now: the moment judged against the 24 hours
    (the current time unless a test gives one)."""
    require(caller, "note.write")
    text = clean_body(body)
    allow = _rule(caller, now)
    # judged before the write too, so that a refusal never waits for the write lock
    allow(store.get_note(caller.state, note_id))
    before, after = store.edit_note(caller.state, caller.actor, note_id, text, allow)
    if after is before:
        return Outcome(_("Nothing to save: the note is unchanged."), 0, after)
    return Outcome(_("Note saved."), 1, after)


def delete(caller: Caller, note_id, now: datetime | None = None) -> Outcome[Note]:
    require(caller, "note.write")
    allow = _rule(caller, now)
    allow(store.get_note(caller.state, note_id))  # see edit
    gone = store.delete_note(caller.state, caller.actor, note_id, allow)
    return Outcome(_("Note deleted."), 1, gone)
