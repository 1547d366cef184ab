"""Saved views through the application layer (services/saved_views.py), on
SQLite and PostgreSQL: private and shared visibility, saving under a name
already used, rename/share/delete rules (someone else's private view answers
like an unknown one; a full administrator may delete a shared one), the
landing view and its address, and each accepted change one transaction with
its audit row, before and after (a refused one writes nothing)."""

from __future__ import annotations

import pytest

from partnerhub.auth.guard import Refused
from partnerhub.auth.roles import ADMIN, FULL, READONLY, SALES
from partnerhub.services import saved_views as view_actions
from partnerhub.services.caller import Caller
from tests.notes_support import person
from tests.services_support import counted
from tests.state_support import audit_rows

NO_VIEW = (404, "That view does not exist (any more).")


def _refusal(action) -> tuple[int, str]:
    with pytest.raises(Refused) as refused:
        action()
    return refused.value.status, refused.value.message


def test_private_views_are_their_owners_and_shared_ones_everyones(state, services):
    ann = person(state, services, ADMIN, [], name="ann")
    bob = person(state, services, READONLY, name="bob")
    with counted(state) as writes:
        gold = view_actions.save(ann, "customers", " Gold trials ", "?status=trial&tag=Gold", shared=False)
    assert (gold.message, gold.changed) == ("Saved the view “Gold trials”.", 1)
    assert (gold.value.name, gold.value.query, gold.value.shared) == ("Gold trials", "status=trial&tag=Gold", False)
    assert writes.transactions == 1
    assert writes.audit == [(ann.actor, "view.save", None, f"view {gold.value.id}")]
    assert audit_rows(state)[-1][4:] == (
        None,
        {
            "id": gold.value.id,
            "owner": ann.actor,
            "page": "customers",
            "name": "Gold trials",
            "query": "status=trial&tag=Gold",
            "shared": False,
        },
    )
    team = view_actions.save(ann, "customers", "Team", "status=active", shared=True)
    assert team.message == "Saved the view “Team”, shared with everyone."
    mine = view_actions.save(bob, "customers", "Alpha", "", shared=False).value
    view_actions.save(ann, "analytics", "Other page", "product=calling", shared=True)

    assert [v.name for v in view_actions.list_views(ann, "customers")] == ["Gold trials", "Team"]
    # own first, then others' shared ones
    assert [(v.name, v.owner) for v in view_actions.list_views(bob, "customers")] == [("Alpha", "Bob"), ("Team", "Ann")]
    assert view_actions.get_view(bob, team.value.id).query == "status=active"
    assert _refusal(lambda: view_actions.get_view(bob, gold.value.id)) == NO_VIEW
    assert _refusal(lambda: view_actions.get_view(ann, mine.id)) == NO_VIEW


def test_saving_under_a_name_already_used_replaces_its_filters(state, services):
    ann = person(state, services, SALES, [], name="ann")
    first = view_actions.save(ann, "home", "Mine", "band=at_risk", shared=False).value
    with counted(state) as writes:
        again = view_actions.save(ann, "home", "Mine", "band=watch&tag=Gold", shared=True)
    assert again.message == "You already had a view named “Mine” on this page: it now holds the current filters."
    assert (again.changed, again.value.id, again.value.query, again.value.shared) == (
        1,
        first.id,
        "band=watch&tag=Gold",
        True,
    )
    assert writes.transactions == 1
    before, after = audit_rows(state)[-1][4:]
    assert (before["query"], before["shared"], after["query"], after["shared"]) == (
        "band=at_risk",
        False,
        "band=watch&tag=Gold",
        True,
    )
    same = view_actions.save(ann, "home", "Mine", "band=watch&tag=Gold", shared=True)
    assert (same.changed, same.message) == (0, "The view “Mine” already holds these filters.")
    # the same name on another page is another view
    assert view_actions.save(ann, "customers", "Mine", "", shared=False).value.id != first.id


def test_names_pages_and_filters_are_checked(state, services):
    ann = person(state, services, FULL, name="ann")
    assert view_actions.save(ann, "customers", "n" * 80, "a=1").value.name == "n" * 80
    sales = person(state, services, SALES, [], name="sam")
    with counted(state) as writes:
        with pytest.raises(ValueError) as refused:
            view_actions.save(ann, "customers", "n" * 81, "a=1")
        assert str(refused.value) == "A view's name holds at most 80 characters; this one has 81."
        for name in ("", "  ", None, "tab\there"):
            with pytest.raises(ValueError):
                view_actions.save(ann, "customers", name, "a=1")
        for page in ("admin", "customer_detail", None, ""):
            with pytest.raises(ValueError, match="Views cannot be saved on that page"):
                view_actions.save(ann, page, "x", "a=1")
        for query in ("a=1 b=2", "a=\x00", 5, "q=" + "x" * 2000):
            with pytest.raises(ValueError):
                view_actions.save(ann, "customers", "x", query)
        # calling is not a page a sales administrator sees
        status, message = _refusal(lambda: view_actions.save(sales, "calling", "x", "a=1"))
        assert status == 403 and "may not see this page" in message
        assert _refusal(lambda: view_actions.list_views(sales, "calling"))[0] == 403
    assert (writes.transactions, writes.audit) == (0, [])


def test_only_the_owner_renames_or_shares_a_view(state, services):
    ann = person(state, services, ADMIN, [], name="ann")
    bob = person(state, services, FULL, name="bob")
    shared = view_actions.save(ann, "customers", "Shared", "a=1", shared=True).value
    private = view_actions.save(ann, "customers", "Private", "a=2").value
    view_actions.save(ann, "customers", "Taken", "a=3")

    with counted(state) as writes:
        renamed = view_actions.rename(ann, shared.id, "Team view")
    assert (renamed.message, renamed.value.name) == ("Renamed the view “Shared” to “Team view”.", "Team view")
    assert writes.audit == [(ann.actor, "view.rename", None, f"view {shared.id}")]
    assert (audit_rows(state)[-1][4]["name"], audit_rows(state)[-1][5]["name"]) == ("Shared", "Team view")

    with counted(state) as writes:
        with pytest.raises(ValueError) as refused:
            view_actions.rename(ann, private.id, "Taken")
        assert str(refused.value) == "You already have a view named “Taken” on this page; choose another name."
        only_owner = (403, "Only its owner can rename a view or change its sharing.")
        assert _refusal(lambda: view_actions.rename(bob, shared.id, "Bob's now")) == only_owner
        assert _refusal(lambda: view_actions.set_shared(bob, shared.id, False)) == only_owner
        for view_id in (private.id, 987654, "nope", None):
            assert _refusal(lambda i=view_id: view_actions.rename(bob, i, "x")) == NO_VIEW
            assert _refusal(lambda i=view_id: view_actions.set_shared(bob, i, True)) == NO_VIEW
    assert (writes.transactions, writes.audit) == (0, [])

    with counted(state) as writes:
        made_private = view_actions.set_shared(ann, shared.id, False)
    assert (made_private.message, made_private.changed) == ("The view “Team view” is private: only you see it.", 1)
    assert writes.audit == [(ann.actor, "view.share", None, f"view {shared.id}")]
    assert (audit_rows(state)[-1][4]["shared"], audit_rows(state)[-1][5]["shared"]) == (True, False)
    assert view_actions.list_views(bob, "customers") == []
    assert view_actions.set_shared(ann, shared.id, False).changed == 0


def test_delete_own_views_and_a_full_administrator_any_shared_one(state, services):
    ann = person(state, services, ADMIN, [], name="ann")
    full = person(state, services, FULL, name="fay")
    other = person(state, services, READONLY, name="ron")
    shared = view_actions.save(ann, "analytics", "Shared", "a=1", shared=True).value
    private = view_actions.save(ann, "analytics", "Private", "a=2").value
    view_actions.set_landing(other, shared.id)

    with counted(state) as writes:
        status, message = _refusal(lambda: view_actions.delete(other, shared.id))
        assert (status, message) == (403, "Only its owner or a partner full administrator can delete a shared view.")
        assert _refusal(lambda: view_actions.delete(full, private.id)) == NO_VIEW
    assert (writes.transactions, writes.audit) == (0, [])

    with counted(state) as writes:
        gone = view_actions.delete(full, shared.id)
    assert (gone.message, gone.changed) == ("Deleted the view “Shared”.", 1)
    assert writes.transactions == 1
    assert writes.audit == [(full.actor, "view.delete", None, f"view {shared.id}")]
    assert audit_rows(state)[-1][4]["landing_for"] == [other.user_id]
    # whoever landed on it lands on the home page now
    assert view_actions.landing_url(other) is None
    assert view_actions.delete(ann, private.id).changed == 1
    assert view_actions.list_views(ann, "analytics") == []


def test_the_landing_view_and_its_address(state, services):
    ann = person(state, services, ADMIN, [], name="ann")
    bob = person(state, services, SALES, [], name="bob")
    team = view_actions.save(ann, "customers", "Gold trials", "status=trial&tag=Gold", shared=True).value
    week = view_actions.save(bob, "home", "My week", "band=at_risk").value
    calls = view_actions.save(ann, "calling", "Queues", "tab=queues", shared=True).value
    assert view_actions.landing_url(bob) is None

    with counted(state) as writes:
        chosen = view_actions.set_landing(bob, team.id)
    assert (chosen.message, chosen.changed) == ("You will land on the view “Gold trials” after signing in.", 1)
    assert writes.audit == [(bob.actor, "view.landing", None, f"view {team.id}")]
    assert audit_rows(state)[-1][4:] == (None, {"view_id": team.id, "name": "Gold trials", "page": "customers"})
    assert view_actions.landing_url(bob) == "/customers?status=trial&tag=Gold"
    assert view_actions.set_landing(bob, team.id).changed == 0

    view_actions.set_landing(bob, week.id)
    assert view_actions.landing_url(bob) == "/?band=at_risk"
    # a shared view of a page the role does not see is not one to land on
    with counted(state) as writes:
        assert _refusal(lambda: view_actions.set_landing(bob, calls.id)) == NO_VIEW
        assert _refusal(lambda: view_actions.set_landing(ann, week.id)) == NO_VIEW  # bob's private view
    assert (writes.transactions, writes.audit) == (0, [])

    view_actions.set_landing(ann, calls.id)
    assert view_actions.landing_url(ann) == "/calling?tab=queues"
    view_actions.set_landing(bob, team.id)
    view_actions.set_shared(ann, team.id, False)  # no longer bob's to open
    assert view_actions.landing_url(bob) is None

    cleared = view_actions.set_landing(ann, None)
    assert (cleared.message, cleared.changed) == ("You will land on This week after signing in.", 1)
    assert audit_rows(state)[-1][4:] == ({"view_id": calls.id, "name": "Queues", "page": "calling"}, None)
    assert view_actions.landing_url(ann) is None
    empty = view_actions.save(ann, "analytics", "Plain", "")
    view_actions.set_landing(ann, empty.value.id)
    assert view_actions.landing_url(ann) == "/analytics"


def test_every_role_may_save_views_and_the_command_line_has_none(state, services):
    for role in (FULL, ADMIN, READONLY, SALES):
        c = person(state, services, role, None if role in (FULL, READONLY) else [])
        assert view_actions.save(c, "customers", "Mine", "a=1").changed == 1
    cli = Caller("cli", FULL, None, state, services.snapshots.current(), source="cli")
    with counted(state) as writes, pytest.raises(ValueError, match="signed-in user"):
        view_actions.save(cli, "customers", "x", "a=1")
    assert writes.transactions == 0
    assert view_actions.landing_url(cli) is None
