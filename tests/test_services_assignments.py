"""The admin-assignment actions of the application layer
(services/assignments.py): only a full admin, unknown customers named (or
answered like out of scope on a customer's page), a missing user named, one
transaction per action, and removing several all or nothing."""

from __future__ import annotations

import pytest

from partnerhub.auth.guard import Refused
from partnerhub.auth.users import assignments_for_user
from partnerhub.services import assignments as assignment_actions
from tests.auth_client import new_user
from tests.customer_pages import ADMIN, FULL, SALES_FULL, expected_list
from tests.services_support import caller, counted


def _assigned(services, email):
    return [a["customer_id"] for a in assignments_for_user(services.state, email)]


def test_a_role_without_the_right_is_refused(services):
    email = new_user(services, "partner_admin", prefix="assignee")
    cid = expected_list(services, FULL)["customer_id"][0]
    with counted(services.state) as writes:
        for who in (ADMIN, SALES_FULL):
            for action in (
                lambda c: assignment_actions.assign_customers(c, email, [cid]),
                lambda c: assignment_actions.unassign_customers(c, email, [cid]),
                lambda c: assignment_actions.assign_to_customer(c, cid, email),
                lambda c: assignment_actions.unassign_from_customer(c, cid, email),
            ):
                with pytest.raises(Refused) as refused:
                    action(caller(services, who))
                assert refused.value.status == 403
    assert (writes.transactions, writes.audit) == (0, [])
    assert _assigned(services, email) == []


def test_unknown_customers_and_users(services):
    full = caller(services, FULL)
    email = new_user(services, "partner_admin", prefix="assignee")
    cid = expected_list(services, FULL)["customer_id"][0]
    with counted(services.state) as writes:
        with pytest.raises(assignment_actions.UnknownCustomers) as unknown:
            assignment_actions.assign_customers(full, email, [cid, "NOPE-1", "NOPE-2"])
        assert unknown.value.ids == ["NOPE-1", "NOPE-2"] and "Unknown customer ids: NOPE-1, NOPE-2" in str(
            unknown.value
        )
        with pytest.raises(Refused) as refused:
            assignment_actions.assign_to_customer(full, "NOPE-1", email)
        assert (refused.value.status, refused.value.message) == (404, "Customer not found.")
        with pytest.raises(ValueError, match="no user"):
            assignment_actions.assign_customers(full, "nobody@tests.example", [cid])
        with pytest.raises(ValueError, match="Pick an administrator first"):
            assignment_actions.assign_customers(full, None, [cid])
    assert writes.audit == []
    assert _assigned(services, email) == []


def test_assign_and_remove_several_in_one_transaction_each(services):
    full = caller(services, FULL)
    email = new_user(services, "partner_admin", prefix="assignee")
    ids = expected_list(services, FULL)["customer_id"].to_list()[10:13]
    with counted(services.state) as writes:
        outcome = assignment_actions.assign_customers(full, email, ids)
    assert (outcome.value, outcome.message) == (ids, f"Assigned 3 customers to {email}.")
    assert writes.transactions == 1
    assert writes.audit == [(FULL, "assignment.add", cid, email) for cid in ids]

    with counted(services.state) as writes:
        outcome = assignment_actions.unassign_customers(full, email, ids[:2])
    assert outcome.message == f"Removed 2 customers from {email}."
    assert writes.transactions == 1
    assert writes.audit == [(FULL, "assignment.remove", cid, email) for cid in ids[:2]]
    assert _assigned(services, email) == ids[2:]


def test_removing_several_is_all_or_nothing(services):
    full = caller(services, FULL)
    email = new_user(services, "partner_admin", prefix="assignee")
    ids = expected_list(services, FULL)["customer_id"].to_list()[20:23]
    assignment_actions.assign_customers(full, email, ids[:2])
    with counted(services.state) as writes, pytest.raises(ValueError, match="not assigned"):
        # the third one is not assigned: the first two stay
        assignment_actions.unassign_customers(full, email, ids)
    assert writes.audit == []
    assert _assigned(services, email) == sorted(ids[:2])


def test_from_a_customers_page(services):
    full = caller(services, FULL)
    email = new_user(services, "partner_admin", prefix="assignee")
    cid = expected_list(services, FULL)["customer_id"][30]
    with counted(services.state) as writes:
        assert assignment_actions.assign_to_customer(full, cid, email).message == f"Assigned {email} to this customer."
    assert (writes.transactions, writes.audit) == (1, [(FULL, "assignment.add", cid, email)])
    assert assignment_actions.assign_to_customer(full, cid, email).changed == 0  # assigned already
    with counted(services.state) as writes:
        assignment_actions.unassign_from_customer(full, cid, email)
    assert (writes.transactions, writes.audit) == (1, [(FULL, "assignment.remove", cid, email)])
