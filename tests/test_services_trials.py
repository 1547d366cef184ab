"""The trial actions of the application layer (services/trials.py): refused
for a role without the right, a customer out of scope and an unknown trial
answered like an unknown customer, each accepted action one transaction with
its audit row."""

from __future__ import annotations

import pytest

from partnerhub.auth.guard import Refused
from partnerhub.services import trials as trial_actions
from tests.customer_pages import FULL, READONLY, SALES, free_customer, trial_rows
from tests.services_support import caller, counted


def test_a_role_without_the_right_is_refused(services):
    cid = free_customer(services, FULL)
    with counted(services.state) as writes:
        with pytest.raises(Refused) as refused:
            trial_actions.start(caller(services, READONLY), cid, {"meetings": 5}, 30)
        assert refused.value.status == 403
        with pytest.raises(Refused) as refused:
            trial_actions.extend(caller(services, READONLY), 1)
        assert refused.value.status == 403
    assert (writes.transactions, writes.audit) == (0, [])
    assert trial_rows(services, cid) == []


def test_out_of_scope_and_unknown_answer_alike(services):
    sales = caller(services, SALES)
    outside = free_customer(services, FULL, outside_of=SALES)
    started = trial_actions.start(caller(services, FULL), outside, {"meetings": 5}, 30).value
    answers = []
    with counted(services.state) as writes:
        for action in (
            lambda: trial_actions.start(sales, outside, {"meetings": 5}, 30),
            lambda: trial_actions.start(sales, "NO-SUCH-CUSTOMER", {"meetings": 5}, 30),
            lambda: trial_actions.extend(sales, started.id),  # a trial of a customer out of scope
            lambda: trial_actions.extend(sales, 987654321),  # a trial that does not exist
            lambda: trial_actions.extend(sales, "not a trial"),
        ):
            with pytest.raises(Refused) as refused:
                action()
            answers.append((refused.value.status, refused.value.message))
    assert set(answers) == {(404, "Customer not found.")}
    assert (writes.transactions, writes.audit) == (0, [])
    assert [r.end_date for r in trial_rows(services, outside)] == [started.end_date]


def test_start_and_extend_are_one_transaction_each(services):
    full = caller(services, FULL)
    cid = free_customer(services, FULL)
    with counted(services.state) as writes:
        started = trial_actions.start(full, cid, {"calling": "4", "meetings": None}, 60)
    trial = started.value
    assert (trial.customer_id, trial.licenses, started.changed) == (cid, {"calling": 4}, 1)
    assert "Trial started until" in started.message
    assert (writes.transactions, writes.audit) == (1, [(FULL, "trial.start", cid, f"trial {trial.id}")])

    with counted(services.state) as writes:
        extended = trial_actions.extend(full, trial.id)
    assert "Trial extended by 30 days" in extended.message
    assert (extended.value.end_date - trial.end_date).days == 30
    assert (writes.transactions, writes.audit) == (1, [(FULL, "trial.extend", cid, f"trial {trial.id}")])

    # a second trial while one is ongoing is a bad value, and changes nothing
    with counted(services.state) as writes, pytest.raises(ValueError, match="ongoing trial"):
        trial_actions.start(full, cid, {"calling": 4}, 30)
    assert writes.audit == []
