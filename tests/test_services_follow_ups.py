"""Follow-ups through the application layer (services/follow_ups.py), on
SQLite and PostgreSQL: who may set them, out of scope answered like unknown,
one per person per customer (setting it again replaces and reopens it), the
due-date and text rules, "My follow-ups" (due within 7 days or overdue, open,
in the current scope), and each accepted change one transaction with its
audit row, before and after."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from partnerhub.auth.guard import Refused
from partnerhub.auth.roles import ADMIN, FULL, READONLY, SALES, SALES_FULL
from partnerhub.data.state import follow_ups
from partnerhub.services import follow_ups as follow_up_actions
from partnerhub.services.follow_ups import DueFollowUp
from tests.notes_support import person, some_customers, with_scope
from tests.services_support import counted
from tests.state_support import audit_rows

TODAY = date(2027, 1, 11)
NOT_FOUND = (404, "Customer not found.")


def _refusal(action) -> tuple[int, str]:
    with pytest.raises(Refused) as refused:
        action()
    return refused.value.status, refused.value.message


def _rows(state) -> int:
    with state.read() as conn:
        return conn.execute(select(func.count()).select_from(follow_ups)).scalar_one()


def test_who_may_set_a_follow_up_and_where(state, services):
    (inside, _), (outside, _) = some_customers(services, 2)
    for role, scoped in ((FULL, False), (ADMIN, True), (SALES_FULL, False), (SALES, True)):
        caller = person(state, services, role, [inside] if scoped else None)
        assert follow_up_actions.set(caller, inside, TODAY, "call", today=TODAY).changed == 1
        with counted(state) as writes:
            if scoped:
                for action in (follow_up_actions.set, follow_up_actions.done, follow_up_actions.clear):
                    args = (TODAY, "call") if action is follow_up_actions.set else ()
                    assert _refusal(lambda a=action, c=caller, x=args: a(c, outside, *x)) == NOT_FOUND
            assert _refusal(lambda c=caller: follow_up_actions.set(c, "NO-SUCH", TODAY, "x", today=TODAY)) == NOT_FOUND
        assert (writes.transactions, writes.audit) == (0, [])
    readonly = person(state, services, READONLY)
    with counted(state) as writes:
        status, message = _refusal(lambda: follow_up_actions.set(readonly, inside, TODAY, "x", today=TODAY))
    assert status == 403 and "may not do this" in message
    assert (writes.transactions, writes.audit) == (0, [])
    assert follow_up_actions.my_follow_up(readonly, inside) is None
    assert _rows(state) == 4  # one per person


def test_one_follow_up_per_person_set_again_replaces_and_reopens_it(state, services):
    [(cid, _)] = some_customers(services, 1)
    me = person(state, services, SALES, [cid])
    other = person(state, services, ADMIN, [cid])
    with counted(state) as writes:
        first = follow_up_actions.set(me, cid, "2027-01-15", "  send the renewal quote ", today=TODAY)
    assert (first.message, first.changed) == ("Follow-up set for 2027-01-15.", 1)
    assert (first.value.due_date, first.value.text, first.value.done) == (
        date(2027, 1, 15),
        "send the renewal quote",
        False,
    )
    assert writes.transactions == 1
    assert writes.audit == [(me.actor, "follow_up.set", cid, f"follow-up {first.value.id}")]
    follow_up_actions.set(other, cid, TODAY, "someone else's", today=TODAY)

    with counted(state) as writes:
        done = follow_up_actions.done(me, cid)
    assert (done.message, done.changed, done.value.done) == ("Follow-up marked done.", 1, True)
    assert audit_rows(state)[-1][1:] == (
        "follow_up.done",
        cid,
        f"follow-up {first.value.id}",
        {"user_id": me.user_id, "due_date": "2027-01-15", "text": "send the renewal quote", "done_at": None},
        {
            "user_id": me.user_id,
            "due_date": "2027-01-15",
            "text": "send the renewal quote",
            "done_at": done.value.done_at.isoformat(),
        },
    )
    assert writes.transactions == 1
    again = follow_up_actions.done(me, cid)
    assert (again.changed, again.message) == (0, "This follow-up was done already.")

    reset = follow_up_actions.set(me, cid, date(2027, 2, 1), "chase the signature", today=TODAY)
    assert (reset.value.id, reset.value.due_date, reset.value.text, reset.value.done) == (
        first.value.id,
        date(2027, 2, 1),
        "chase the signature",
        False,
    )
    assert audit_rows(state)[-1][4]["done_at"] is not None and audit_rows(state)[-1][5]["done_at"] is None
    same = follow_up_actions.set(me, cid, "2027-02-01", "chase the signature", today=TODAY)
    assert same.changed == 0
    assert _rows(state) == 2
    assert follow_up_actions.my_follow_up(other, cid).text == "someone else's"

    with counted(state) as writes:
        cleared = follow_up_actions.clear(me, cid)
    assert (cleared.message, cleared.changed) == ("Follow-up removed.", 1)
    assert writes.audit == [(me.actor, "follow_up.clear", cid, f"follow-up {first.value.id}")]
    assert follow_up_actions.my_follow_up(me, cid) is None
    assert follow_up_actions.clear(me, cid).changed == 0
    with pytest.raises(ValueError, match="no follow-up on this customer"):
        follow_up_actions.done(me, cid)


def test_the_due_date_and_the_text_are_checked(state, services):
    [(cid, _)] = some_customers(services, 1)
    me = person(state, services, FULL)
    for due in (date(2026, 1, 11), date(2028, 1, 11), "2027-06-30"):
        assert follow_up_actions.set(me, cid, due, "ok", today=TODAY).value.due_date.isoformat() == str(due)
    assert follow_up_actions.set(me, cid, TODAY, "t" * 200, today=TODAY).value.text == "t" * 200
    with counted(state) as writes:
        for due in (date(2026, 1, 10), date(2028, 1, 12)):
            with pytest.raises(ValueError) as refused:
                follow_up_actions.set(me, cid, due, "x", today=TODAY)
            assert str(refused.value) == "A follow-up is due within a year of today: from 2026-01-11 to 2028-01-11."
        for due in ("next week", "", None, 20270115, "2027-02-30"):
            with pytest.raises(ValueError, match="Give the due date as a date, such as 2027-01-11"):
                follow_up_actions.set(me, cid, due, "x", today=TODAY)
        with pytest.raises(ValueError) as refused:
            follow_up_actions.set(me, cid, TODAY, "t" * 201, today=TODAY)
        assert str(refused.value) == "A follow-up's text holds at most 200 characters; this one has 201."
        for text in ("", "   ", None, "two\nlines", "nul\x00"):
            with pytest.raises(ValueError):
                follow_up_actions.set(me, cid, TODAY, text, today=TODAY)
    assert (writes.transactions, writes.audit) == (0, [])


def test_my_follow_ups_are_those_due_within_7_days_or_overdue(state, services):
    customers = some_customers(services, 7)
    ids = [c for c, _ in customers]
    names = dict(customers)
    me = person(state, services, SALES, ids)
    someone = person(state, services, SALES_FULL)
    plan = {
        ids[0]: TODAY + timedelta(days=7),  # the last day included
        ids[1]: TODAY + timedelta(days=8),  # a day too late
        ids[2]: TODAY - timedelta(days=3),  # overdue
        ids[3]: TODAY,  # due today, but done
        ids[4]: TODAY + timedelta(days=1),  # out of the scope they have now
        ids[5]: TODAY,  # due today
    }
    for cid, due in plan.items():
        follow_up_actions.set(me, cid, due, f"about {cid}", today=TODAY)
    follow_up_actions.done(me, ids[3])
    follow_up_actions.set(someone, ids[6], TODAY, "not mine", today=TODAY)

    now = with_scope(me, [c for c in ids if c != ids[4]])
    assert follow_up_actions.my_follow_ups_due(now, TODAY) == [
        DueFollowUp(ids[2], names[ids[2]], TODAY - timedelta(days=3), f"about {ids[2]}", -3),
        DueFollowUp(ids[5], names[ids[5]], TODAY, f"about {ids[5]}", 0),
        DueFollowUp(ids[0], names[ids[0]], TODAY + timedelta(days=7), f"about {ids[0]}", 7),
    ]
    # with the full scope the one outside shows again; a wider window takes the +8
    assert [d.customer_id for d in follow_up_actions.my_follow_ups_due(me, TODAY, days=8)] == [
        ids[2],
        ids[5],
        ids[4],
        ids[0],
        ids[1],
    ]
    assert set(follow_up_actions.my_follow_ups(now, ids)) == {ids[0], ids[1], ids[2], ids[5]}
    assert follow_up_actions.my_follow_ups_due(someone, TODAY)[0].text == "not mine"
