"""Trials started in the app (data/trials.py): the ongoing trial among the
imported and the app's own, starting (every rule of roles.md), extending,
and the audit rows of both."""

from __future__ import annotations

from datetime import date, timedelta

import polars as pl
import pytest
from sqlalchemy import select

from partnerhub.auth.scope import scope_for
from partnerhub.auth.users import add_or_update_user, assign_customers
from partnerhub.data import trials as TR
from partnerhub.data.state import trials
from tests.state_support import audit_rows as audit

ACTOR = "sales@demo.example"
TODAY = date(2026, 3, 10)
AS_OF = date(2026, 3, 8)


def imported(*rows) -> pl.DataFrame:
    """Trial rows as metrics.customer_detail returns them."""
    return pl.DataFrame(
        [
            {"subscription_id": sid, "kind": "trial", "status": status, "start_date": start, "end_date": end}
            for sid, status, start, end in rows
        ],
        schema={
            "subscription_id": pl.Utf8,
            "kind": pl.Utf8,
            "status": pl.Utf8,
            "start_date": pl.Date,
            "end_date": pl.Date,
        },
    )


def test_start_a_trial(state):
    t = TR.start_trial(state, ACTOR, "C-1", {"calling": "5", "meetings": 20}, 60, today=TODAY)
    assert (t.source, t.customer_id, t.start_date, t.end_date, t.days_left, t.extensions) == (
        "app",
        "C-1",
        TODAY,
        TODAY + timedelta(days=60),
        60,
        0,
    )
    assert list(t.licenses.items()) == [("meetings", 20), ("calling", 5)]  # the contract's order
    with state.read() as conn:
        row = conn.execute(select(trials)).one()
    assert (row.customer_id, row.licenses, row.days, row.created_by) == (
        "C-1",
        {"meetings": 20, "calling": 5},
        60,
        ACTOR,
    )
    [(actor, action, customer, target, before, after)] = audit(state)
    assert (actor, action, customer, target, before) == (ACTOR, "trial.start", "C-1", f"trial {t.id}", None)
    assert after == {
        "id": t.id,
        "licenses": {"meetings": 20, "calling": 5},
        "start_date": "2026-03-10",
        "end_date": "2026-05-09",
        "days": 60,
        "extensions": 0,
    }


@pytest.mark.parametrize(
    "licenses, days, message",
    [
        ({}, 30, "at least one product"),
        ({"meetings": 0}, 30, "from 1 to 100"),
        ({"meetings": 101}, 30, "from 1 to 100"),
        ({"meetings": "many"}, 30, "whole number"),
        ({"meetings": 2.5}, 30, "whole number"),
        ({"meetings": True}, 30, "whole number"),
        ({"meetings": None}, 30, "whole number"),
        ({"video": 5}, 30, "not a product"),
        ({"meetings": 5}, 45, "30, 60 or 90 days"),
        ({"meetings": 5}, "ninety", "30, 60 or 90 days"),
        ({"meetings": 5}, None, "30, 60 or 90 days"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_written(state, licenses, days, message):
    with pytest.raises(ValueError, match=message):
        TR.start_trial(state, ACTOR, "C-1", licenses, days, today=TODAY)
    assert audit(state) == []
    assert TR.app_trials(state, "C-1", TODAY) == []


def test_bad_customer_id_is_refused(state):
    with pytest.raises(ValueError, match="not a customer ID"):
        TR.start_trial(state, ACTOR, "C 1; drop", {"meetings": 1}, 30, today=TODAY)


def test_limits_are_inclusive(state):
    t = TR.start_trial(state, ACTOR, "C-1", {p: n for p, n in zip(("meetings", "calling"), (1, 100))}, 90, today=TODAY)
    assert t.licenses == {"meetings": 1, "calling": 100} and t.end_date == TODAY + timedelta(days=90)


def test_no_second_trial_while_one_is_ongoing(state):
    first = TR.start_trial(state, ACTOR, "C-1", {"meetings": 5}, 30, today=TODAY)
    # still ongoing on its last day
    with pytest.raises(ValueError, match="ongoing trial"):
        TR.start_trial(state, ACTOR, "C-1", {"calling": 5}, 30, today=first.end_date)
    # the day after it ended, a new one may start
    again = TR.start_trial(state, ACTOR, "C-1", {"calling": 5}, 30, today=first.end_date + timedelta(days=1))
    assert again.id != first.id
    # another customer is not affected
    TR.start_trial(state, ACTOR, "C-2", {"calling": 5}, 30, today=TODAY)


def test_an_imported_active_trial_blocks_a_new_one(state):
    running = imported(
        ("T-OLD", "expired", AS_OF - timedelta(days=90), AS_OF + timedelta(days=3)),
        ("T-RUN", "active", AS_OF - timedelta(days=10), AS_OF),
    )
    with pytest.raises(ValueError, match=r"ongoing trial \(T-RUN"):
        TR.start_trial(state, ACTOR, "C-1", {"meetings": 5}, 30, imported=running, as_of=AS_OF, today=TODAY)
    ended = imported(
        ("T-OLD", "expired", AS_OF - timedelta(days=90), AS_OF + timedelta(days=3)),
        ("T-END", "active", AS_OF - timedelta(days=40), AS_OF - timedelta(days=1)),
    )
    assert TR.start_trial(state, ACTOR, "C-1", {"meetings": 5}, 30, imported=ended, as_of=AS_OF, today=TODAY)
    assert len(audit(state)) == 1


def test_extend_by_30_days(state):
    t = TR.start_trial(state, ACTOR, "C-1", {"meetings": 5}, 30, today=TODAY)
    once = TR.extend_trial(state, "full.admin@demo.example", t.id, today=TODAY)
    twice = TR.extend_trial(state, "full.admin@demo.example", t.id, today=TODAY + timedelta(days=5))
    assert (once.end_date, once.extensions) == (t.end_date + timedelta(days=30), 1)
    assert (twice.end_date, twice.extensions) == (t.end_date + timedelta(days=60), 2)
    assert twice.days_left == (twice.end_date - (TODAY + timedelta(days=5))).days
    extend_rows = [a for a in audit(state) if a[1] == "trial.extend"]
    assert extend_rows[0] == (
        "full.admin@demo.example",
        "trial.extend",
        "C-1",
        f"trial {t.id}",
        {"id": t.id, "end_date": "2026-04-09", "extensions": 0},
        {"id": t.id, "end_date": "2026-05-09", "extensions": 1},
    )


def test_an_ended_or_unknown_trial_cannot_be_extended(state):
    t = TR.start_trial(state, ACTOR, "C-1", {"meetings": 5}, 30, today=TODAY)
    with pytest.raises(ValueError, match="ended on 2026-04-09"):
        TR.extend_trial(state, ACTOR, t.id, today=t.end_date + timedelta(days=1))
    for bad in (9999, "x", None):
        with pytest.raises(ValueError):
            TR.extend_trial(state, ACTOR, bad, today=TODAY)
    assert [a[1] for a in audit(state)] == ["trial.start"]


def test_the_ongoing_trial(state):
    none = TR.ongoing_trial(state, imported(), "C-1", AS_OF, TODAY)
    assert none is None
    snap = imported(("T-RUN", "active", AS_OF - timedelta(days=10), AS_OF + timedelta(days=20)))
    lines = pl.DataFrame(
        {
            "subscription_id": ["T-RUN", "T-RUN", "OTHER"],
            "product": ["calling", "meetings", "meetings"],
            "total_licenses": [7, 3, 99],
        }
    )
    t = TR.ongoing_trial(state, snap, "C-1", AS_OF, TODAY, lines=lines)
    assert (t.source, t.id, t.licenses, t.days_left, t.extendable) == (
        "import",
        "T-RUN",
        {"meetings": 3, "calling": 7},
        20,
        False,
    )
    # a trial started in the app comes first: it is the one the app can extend
    app = TR.start_trial(state, ACTOR, "C-1", {"webinars": 2}, 30, today=TODAY - timedelta(days=29))
    found = TR.ongoing_trials(state, snap, "C-1", AS_OF, TODAY, lines=lines)
    assert [(f.source, f.id) for f in found] == [("app", app.id), ("import", "T-RUN")]
    assert found[0].days_left == 1 and found[0].extendable
    # rows may be plain dicts as well
    assert TR.ongoing_trial(state, snap.to_dicts(), "C-2", AS_OF, TODAY).id == "T-RUN"


def test_a_sales_admin_sees_the_customers_they_started_a_trial_for(state):
    add_or_update_user(state, "tests", "seller@tests.example", "Seller", "sales_admin")
    assign_customers(state, "tests", "seller@tests.example", ["C-1"])
    assert scope_for(state, "seller@tests.example", "sales_admin") == frozenset({"C-1"})
    TR.start_trial(state, "seller@tests.example", "C-9", {"meetings": 5}, 30, today=TODAY)
    assert scope_for(state, "seller@tests.example", "sales_admin") == frozenset({"C-1", "C-9"})
