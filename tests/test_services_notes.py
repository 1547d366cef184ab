"""Notes through the application layer (services/notes.py), on SQLite and
PostgreSQL: who may write them (roles.md, in scope where it says so), out of
scope answered like unknown, the 4,000-character rule, the author's 24 hours
and the full administrator's any time, the download table, and each accepted
change one transaction with its audit row (a refused one writes nothing)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import update

from partnerhub.auth.guard import Refused
from partnerhub.auth.roles import ADMIN, FULL, READONLY, SALES, SALES_FULL
from partnerhub.data.state import notes, utcnow
from partnerhub.services import notes as note_actions
from tests.notes_support import person, some_customers
from tests.services_support import counted
from tests.state_support import audit_rows

NOT_FOUND = (404, "Customer not found.")
NO_NOTE = (404, "That note does not exist (any more).")


@pytest.fixture
def two(services):
    """Two customers: the first in the scoped roles' scope, the second not."""
    (inside, _), (outside, _) = some_customers(services, 2)
    return inside, outside


def _refusal(action) -> tuple[int, str]:
    with pytest.raises(Refused) as refused:
        action()
    return refused.value.status, refused.value.message


def _written_at(state, note_id, hours_ago: float) -> None:
    """Moves the note's creation back in the store, as if written hours ago."""
    with state.write() as conn:
        conn.execute(
            update(notes).where(notes.c.id == note_id).values(created_at=utcnow() - timedelta(hours=hours_ago))
        )


def test_who_may_write_a_note_and_where(state, services, two):
    inside, outside = two
    for role, scoped in ((FULL, False), (ADMIN, True), (SALES_FULL, False), (SALES, True)):
        caller = person(state, services, role, [inside] if scoped else None)
        added = note_actions.add(caller, inside, f"  call back, {role}  ")
        assert (added.message, added.changed, added.value.body) == ("Note added.", 1, f"call back, {role}")
        with counted(state) as writes:
            if scoped:  # out of scope answers exactly like a customer that does not exist
                assert _refusal(lambda c=caller: note_actions.add(c, outside, "x")) == NOT_FOUND
            else:
                assert note_actions.add(caller, outside, "x").changed == 1
            assert _refusal(lambda c=caller: note_actions.add(c, "NO-SUCH-CUSTOMER", "x")) == NOT_FOUND
        assert writes.transactions == (0 if scoped else 1)
    readonly = person(state, services, READONLY)
    with counted(state) as writes:
        status, message = _refusal(lambda: note_actions.add(readonly, inside, "x"))
    assert status == 403 and "may not do this" in message
    assert (writes.transactions, writes.audit) == (0, [])
    # FULL and SALES_FULL wrote on both customers, the scoped roles only inside
    assert len(note_actions.list_notes(readonly, inside)) == 4
    assert len(note_actions.list_notes(readonly, outside)) == 2


def test_everyone_who_sees_the_customer_reads_its_notes_newest_first(state, services, two):
    inside, outside = two
    full = person(state, services, FULL)
    first = note_actions.add(full, inside, "<b>not markup</b> & kept as written").value
    second = note_actions.add(person(state, services, SALES, [inside]), inside, "second").value
    _written_at(state, first.id, 2)  # the same second otherwise: order by time, then id
    for role in (FULL, ADMIN, READONLY, SALES_FULL, SALES):
        read = note_actions.list_notes(person(state, services, role, [inside]), inside)
        assert [(n.id, n.author, n.author_email, n.body) for n in read] == [
            (second.id, "Sales_Admin", f"{SALES}@notes.example", "second"),
            (first.id, "Partner_Full_Admin", f"{FULL}@notes.example", "<b>not markup</b> & kept as written"),
        ]
    admin = person(state, services, ADMIN, [inside])
    assert _refusal(lambda: note_actions.list_notes(admin, outside)) == NOT_FOUND
    assert _refusal(lambda: note_actions.list_notes(admin, "NO-SUCH-CUSTOMER")) == NOT_FOUND
    assert _refusal(lambda: note_actions.list_notes(full, None)) == NOT_FOUND


def test_a_note_holds_at_most_4000_characters(state, services, two):
    full = person(state, services, FULL)
    cid = two[0]
    assert note_actions.add(full, cid, "あ" * 4000).value.body == "あ" * 4000
    with counted(state) as writes:
        with pytest.raises(ValueError) as refused:
            note_actions.add(full, cid, "x" * 4213)
        assert str(refused.value) == "A note holds at most 4,000 characters; this one has 4,213."
        with pytest.raises(ValueError, match="4,001"):
            note_actions.add(full, cid, "y" * 4001)
        # surrounding spaces do not count; the limit is on the note as kept
        assert len(note_actions.add(full, cid, "  " + "z" * 4000 + "\n").value.body) == 4000
        for bad, why in (("   \n ", "empty"), (None, "must be text"), (42, "must be text"), ("a\x00b", "control")):
            with pytest.raises(ValueError, match=why):
                note_actions.add(full, cid, bad)
    assert writes.transactions == 1  # the one accepted note
    assert note_actions.add(full, cid, "line one\nline two").value.body == "line one\nline two"


def test_the_author_edits_or_deletes_within_24_hours(state, services, two):
    cid = two[0]
    author = person(state, services, ADMIN, [cid])
    colleague = person(state, services, SALES, [cid], name="colleague")
    note = note_actions.add(author, cid, "first words").value

    with counted(state) as writes:
        edited = note_actions.edit(author, note.id, "better words")
    assert (edited.message, edited.changed, edited.value.body) == ("Note saved.", 1, "better words")
    assert writes.transactions == 1
    assert audit_rows(state)[-1] == (
        author.actor,
        "note.edit",
        cid,
        f"note {note.id}",
        {"id": note.id, "author": author.actor, "body": "first words"},
        {"id": note.id, "author": author.actor, "body": "better words"},
    )
    unchanged = note_actions.edit(author, note.id, " better words ")
    assert (unchanged.changed, unchanged.message) == (0, "Nothing to save: the note is unchanged.")

    rule = "A note can be changed by its author within 24 hours of writing it, or by a partner full administrator."
    with counted(state) as writes:
        # someone else who may write notes on the customer: not theirs
        assert _refusal(lambda: note_actions.edit(colleague, note.id, "mine now")) == (403, rule)
        assert _refusal(lambda: note_actions.delete(colleague, note.id)) == (403, rule)
        # the author, a day and a minute later
        _written_at(state, note.id, 24 + 1 / 60)
        assert _refusal(lambda: note_actions.edit(author, note.id, "too late")) == (403, rule)
        assert _refusal(lambda: note_actions.delete(author, note.id)) == (403, rule)
    assert writes.transactions == 1  # _written_at's; every refusal wrote nothing
    assert writes.audit == []
    assert [n.body for n in note_actions.list_notes(author, cid)] == ["better words"]

    # the author, 23 hours and 59 minutes after writing it
    _written_at(state, note.id, 24 - 1 / 60)
    assert note_actions.edit(author, note.id, "last change").changed == 1
    with counted(state) as writes:
        deleted = note_actions.delete(author, note.id)
    assert (deleted.message, deleted.value.id) == ("Note deleted.", note.id)
    assert writes.audit == [(author.actor, "note.delete", cid, f"note {note.id}")]
    assert audit_rows(state)[-1][4:] == ({"id": note.id, "author": author.actor, "body": "last change"}, None)
    assert note_actions.list_notes(author, cid) == []


def test_a_full_administrator_changes_any_note_at_any_time(state, services, two):
    cid = two[0]
    author = person(state, services, SALES_FULL)
    full = person(state, services, FULL)
    note = note_actions.add(author, cid, "old").value
    _written_at(state, note.id, 24 * 30)
    assert note_actions.edit(full, note.id, "fixed by the full admin").value.body == "fixed by the full admin"
    # the note keeps its author; the audit row names who changed it
    assert note_actions.list_notes(full, cid)[0].author_email == author.actor
    assert audit_rows(state)[-1][:2] == (full.actor, "note.edit")
    assert note_actions.delete(full, note.id).changed == 1


def test_a_note_out_of_scope_answers_like_one_that_does_not_exist(state, services, two):
    inside, outside = two
    note = note_actions.add(person(state, services, FULL), outside, "elsewhere").value
    admin = person(state, services, ADMIN, [inside])
    readonly = person(state, services, READONLY)
    with counted(state) as writes:
        for note_id in (note.id, 987654, "not a note", None):
            assert _refusal(lambda i=note_id: note_actions.edit(admin, i, "x")) == NO_NOTE
            assert _refusal(lambda i=note_id: note_actions.delete(admin, i)) == NO_NOTE
        # a role that may not write notes is told so before anything is looked up
        assert _refusal(lambda: note_actions.delete(readonly, note.id))[0] == 403
    assert (writes.transactions, writes.audit) == (0, [])


def test_each_accepted_note_is_one_transaction_with_its_audit_row(state, services, two):
    cid = two[0]
    sales = person(state, services, SALES, [cid])
    with counted(state) as writes:
        note = note_actions.add(sales, cid, "renewal talk on Monday").value
    assert writes.transactions == 1
    assert writes.audit == [(sales.actor, "note.add", cid, f"note {note.id}")]
    assert audit_rows(state)[-1][4:] == (
        None,
        {"id": note.id, "author": sales.actor, "body": "renewal talk on Monday"},
    )


def test_the_notes_download_table(state, services, two):
    cid = two[0]
    full = person(state, services, FULL)
    a = note_actions.add(full, cid, "one").value
    b = note_actions.add(full, cid, "two\nlines").value
    _written_at(state, a.id, 1)
    frame = note_actions.notes_frame(person(state, services, READONLY), cid)
    assert frame.columns == ["customer_id", "note_id", "author", "created_at", "updated_at", "body"]
    assert frame.select("customer_id", "note_id", "author", "body").rows() == [
        (cid, b.id, "Partner_Full_Admin", "two\nlines"),
        (cid, a.id, "Partner_Full_Admin", "one"),
    ]
    assert frame["created_at"][0] == b.created_at
    assert _refusal(lambda: note_actions.notes_frame(person(state, services, SALES, []), cid)) == NOT_FOUND


def test_the_command_line_operator_writes_no_notes(state, services, two):
    from partnerhub.services.caller import Caller

    cli = Caller("cli", FULL, None, state, services.snapshots.current(), source="cli")
    with counted(state) as writes, pytest.raises(ValueError, match="signed-in user"):
        note_actions.add(cli, two[0], "x")
    assert writes.transactions == 0
