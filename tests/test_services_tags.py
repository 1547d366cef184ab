"""The tag actions of the application layer (services/tags.py): refused
for a role without the right, out of scope answered like unknown, a missing
tag named, and each accepted action one transaction with its audit rows."""

from __future__ import annotations

import uuid

import pytest

from partnerhub.auth.guard import Refused
from partnerhub.data import tags as T
from partnerhub.services import tags as tag_actions
from tests.customer_pages import ADMIN, FULL, READONLY, expected_list
from tests.services_support import caller, counted


def _name(prefix="Svc"):
    return f"{prefix} {uuid.uuid4().hex[:8]}"


def test_a_role_without_the_right_is_refused_and_nothing_is_written(services):
    tag = T.create_tag(services.state, "tests", _name())
    readonly = caller(services, READONLY)
    cid = expected_list(services, FULL)["customer_id"][0]
    with counted(services.state) as writes:
        for action in (
            lambda: tag_actions.create(readonly, _name()),
            lambda: tag_actions.change(readonly, tag["id"], _name()),
            lambda: tag_actions.delete(readonly, tag["id"]),
            lambda: tag_actions.add_to_customers(readonly, tag["id"], [cid]),
            lambda: tag_actions.remove_from_customers(readonly, tag["id"], [cid]),
        ):
            with pytest.raises(Refused) as refused:
                action()
            assert refused.value.status == 403 and "may not do this" in refused.value.message
    assert (writes.transactions, writes.audit) == (0, [])


def test_out_of_scope_answers_like_unknown(services):
    tag = T.create_tag(services.state, "tests", _name())
    admin = caller(services, ADMIN)
    inside = sorted(admin.scope)[0]
    outside = next(c for c in expected_list(services, FULL)["customer_id"].to_list() if c not in admin.scope)
    answers = []
    with counted(services.state) as writes:
        for cid in (outside, "NO-SUCH-CUSTOMER", None, 7):
            with pytest.raises(Refused) as refused:
                tag_actions.add_to_customers(admin, tag["id"], [inside, cid])
            answers.append((refused.value.status, refused.value.message))
    assert set(answers) == {(404, "Customer not found.")}
    assert (writes.transactions, writes.audit) == (0, [])


def test_a_missing_tag_is_named(services):
    full = caller(services, FULL)
    cid = expected_list(services, FULL)["customer_id"][0]
    gone = T.create_tag(services.state, "tests", _name())
    T.delete_tag(services.state, "tests", gone["id"])
    with counted(services.state) as writes:
        for action in (
            lambda: tag_actions.change(full, gone["id"], _name()),
            lambda: tag_actions.delete(full, gone["id"]),
            lambda: tag_actions.add_to_customers(full, gone["id"], [cid]),
        ):
            with pytest.raises(ValueError, match="does not exist"):
                action()
    assert (writes.transactions, writes.audit) == (0, [])


def test_each_action_is_one_transaction_with_its_audit_rows(services):
    full = caller(services, FULL)
    ids = expected_list(services, FULL)["customer_id"].to_list()[:3]
    name = _name("Gold")
    with counted(services.state) as writes:
        created = tag_actions.create(full, name, "#ffd700")
    tag = created.value
    assert created.message == f"Created the tag “{name}”." and created.changed == 1
    assert (writes.transactions, writes.audit) == (1, [(FULL, "tag.create", None, name)])

    with counted(services.state) as writes:
        added = tag_actions.add_to_customers(full, tag["id"], ids + ids[:1])
    assert added.changed == 3 and "Added “" in added.message
    assert writes.transactions == 1
    assert writes.audit == [(FULL, "tag.add", cid, name) for cid in ids]

    # rename and recolour together: one transaction, one row each
    with counted(services.state) as writes:
        changed = tag_actions.change(full, tag["id"], name + " VIP", "#000000")
    assert "renamed to" in changed.message and "new colour #000000" in changed.message
    assert writes.transactions == 1
    assert [a[1] for a in writes.audit] == ["tag.rename", "tag.recolor"]
    with pytest.raises(ValueError, match="Nothing to save"):
        tag_actions.change(full, tag["id"], name + " VIP", "#000000")

    with counted(services.state) as writes:
        removed = tag_actions.remove_from_customers(full, tag["id"], ids[:1])
    assert removed.changed == 1 and writes.transactions == 1
    assert writes.audit == [(FULL, "tag.remove", ids[0], name + " VIP")]

    with counted(services.state) as writes:
        deleted = tag_actions.delete(full, tag["id"])
    assert "2 customers lost it" in deleted.message
    assert (writes.transactions, [a[1] for a in writes.audit]) == (1, ["tag.delete"])


def test_a_comma_in_a_tag_name_is_refused(services):
    with pytest.raises(ValueError, match="comma"):
        tag_actions.create(caller(services, FULL), "a, b")


def test_the_tag_counts_are_over_the_viewers_scope(services):
    full, admin = caller(services, FULL), caller(services, ADMIN)
    inside = sorted(admin.scope)[:2]
    outside = [c for c in expected_list(services, FULL)["customer_id"].to_list() if c not in admin.scope][:3]
    tag = tag_actions.create(full, _name("Counted")).value
    tag_actions.add_to_customers(full, tag["id"], inside + outside)

    def count(who):
        return next(t["customers"] for t in tag_actions.visible_tags(who) if t["id"] == tag["id"])

    assert (count(full), count(admin)) == (5, 2)
    # deleting tells the partner admin only about their own customers
    assert "2 customers lost it" in tag_actions.delete(admin, tag["id"]).message
