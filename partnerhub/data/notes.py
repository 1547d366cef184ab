"""Notes on a customer: plain text written in the app, with author and time.

Notes live in the app-state store (no import touches them). Each write is one
transaction with its audit row (before and after). Who may write, and which
note they may change, is decided by the application layer
(partnerhub/services/notes.py): it hands its rule to the write as `allow`,
which runs inside the transaction on the row as it is then, so that the check
and the change see the same note.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

import polars as pl
from sqlalchemy import delete, insert, select, update

from .state import StateStore, as_utc, notes, users, utcnow

BODY_MAX = 4000


@dataclass(frozen=True)
class Note:
    id: int
    customer_id: str
    author_id: int
    author_email: str
    author: str  # the author's name now; their e-mail when they have none
    body: str
    created_at: datetime
    updated_at: datetime


def _select():
    return select(notes, users.c.name.label("author_name")).select_from(
        notes.outerjoin(users, users.c.id == notes.c.author_id)
    )


def _note(row) -> Note:
    return Note(
        row.id,
        row.customer_id,
        row.author_id,
        row.author_email,
        row.author_name or row.author_email,
        row.body,
        as_utc(row.created_at),
        as_utc(row.updated_at),
    )


def _audited(note: Note) -> dict:
    return {"id": note.id, "author": note.author_email, "body": note.body}


def _id(note_id) -> int | None:
    if isinstance(note_id, bool):
        return None
    try:
        return int(note_id)
    except (TypeError, ValueError):
        return None


def _get(conn, note_id) -> Note | None:
    nid = _id(note_id)
    if nid is None:
        return None
    row = conn.execute(_select().where(notes.c.id == nid)).first()
    return None if row is None else _note(row)


# ---- reads -------------------------------------------------------------------------------------


def notes_for(state: StateStore, customer_id: str) -> list[Note]:
    """The customer's notes, newest first."""
    with state.read() as conn:
        rows = conn.execute(
            _select().where(notes.c.customer_id == customer_id).order_by(notes.c.created_at.desc(), notes.c.id.desc())
        ).all()
    return [_note(r) for r in rows]


def get_note(state: StateStore, note_id) -> Note | None:
    with state.read() as conn:
        return _get(conn, note_id)


NOTES_SCHEMA: dict[str, pl.DataType | type[pl.DataType]] = {
    "customer_id": pl.Utf8,
    "note_id": pl.Int64,
    "author": pl.Utf8,
    "created_at": pl.Datetime("us", "UTC"),
    "updated_at": pl.Datetime("us", "UTC"),
    "body": pl.Utf8,
}


def notes_frame(state: StateStore, customer_id: str) -> pl.DataFrame:
    """The customer's notes as a table for a download, newest first."""
    rows = [(n.customer_id, n.id, n.author, n.created_at, n.updated_at, n.body) for n in notes_for(state, customer_id)]
    return pl.DataFrame(rows, schema=NOTES_SCHEMA, orient="row")


# ---- writes ------------------------------------------------------------------------------------


def add_note(
    state: StateStore, actor: str, author_id: int, customer_id: str, body: str, now: datetime | None = None
) -> Note:
    now = now or utcnow()
    with state.write() as conn:
        note_id = conn.execute(
            insert(notes).values(
                customer_id=customer_id,
                author_id=author_id,
                author_email=actor,
                body=body,
                created_at=now,
                updated_at=now,
            )
        ).inserted_primary_key[0]
        note = _get(conn, note_id)
        assert note is not None
        state.audit(conn, actor, "note.add", customer_id=customer_id, target=f"note {note_id}", after=_audited(note))
    return note


def edit_note(
    state: StateStore,
    actor: str,
    note_id,
    body: str,
    allow: Callable[[Note | None], Note],
    now: datetime | None = None,
) -> tuple[Note, Note]:
    """Replaces the note's text; returns it before and after. `allow` gets
    the note as it is in the transaction (None when there is none), raises
    when the change is refused and returns the note otherwise. The same text
    again writes nothing (before == after)."""
    with state.write() as conn:
        before = allow(_get(conn, note_id))
        if before.body == body:
            return before, before
        conn.execute(update(notes).where(notes.c.id == before.id).values(body=body, updated_at=now or utcnow()))
        after = _get(conn, before.id)
        assert after is not None
        state.audit(
            conn,
            actor,
            "note.edit",
            customer_id=before.customer_id,
            target=f"note {before.id}",
            before=_audited(before),
            after=_audited(after),
        )
    return before, after


def delete_note(state: StateStore, actor: str, note_id, allow: Callable[[Note | None], Note]) -> Note:
    """Deletes the note (see edit_note for `allow`); returns what it was."""
    with state.write() as conn:
        before = allow(_get(conn, note_id))
        conn.execute(delete(notes).where(notes.c.id == before.id))
        state.audit(
            conn,
            actor,
            "note.delete",
            customer_id=before.customer_id,
            target=f"note {before.id}",
            before=_audited(before),
        )
    return before
