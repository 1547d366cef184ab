"""Custom tags in the app-state store (data/tags.py): every write validated,
every accepted change audited in the same transaction."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from partnerhub.data import tags as T
from partnerhub.data.state import customer_tags
from tests.state_support import audit_rows as audit

ACTOR = "full.admin@demo.example"


def test_create_list_rename_recolor_delete(state):
    gold = T.create_tag(state, ACTOR, "  Gold  ", "#FFD700")
    assert gold == {"id": gold["id"], "name": "Gold", "color": "#ffd700", "customers": 0}
    key = T.create_tag(state, ACTOR, "key account", "#1f77b4")
    assert [t["name"] for t in T.list_tags(state)] == ["Gold", "key account"]
    assert T.rename_tag(state, ACTOR, gold["id"], "Platinum")["name"] == "Platinum"
    assert T.recolor_tag(state, ACTOR, gold["id"], "#E5E4E2")["color"] == "#e5e4e2"
    assert T.list_tags(state) == [
        {"id": key["id"], "name": "key account", "color": "#1f77b4", "customers": 0},
        {"id": gold["id"], "name": "Platinum", "color": "#e5e4e2", "customers": 0},
    ]
    T.add_tag(state, ACTOR, gold["id"], ["C1", "C2"])
    deleted = T.delete_tag(state, ACTOR, gold["id"])
    assert deleted == {"id": gold["id"], "name": "Platinum", "color": "#e5e4e2", "customers": 2}
    assert [t["name"] for t in T.list_tags(state)] == ["key account"]
    with state.read() as conn:
        assert conn.execute(select(customer_tags)).all() == []
    assert audit(state) == [
        (ACTOR, "tag.create", None, "Gold", None, {"id": gold["id"], "name": "Gold", "color": "#ffd700"}),
        (ACTOR, "tag.create", None, "key account", None, {"id": key["id"], "name": "key account", "color": "#1f77b4"}),
        (
            ACTOR,
            "tag.rename",
            None,
            "Platinum",
            {"id": gold["id"], "name": "Gold"},
            {"id": gold["id"], "name": "Platinum"},
        ),
        (
            ACTOR,
            "tag.recolor",
            None,
            "Platinum",
            {"id": gold["id"], "color": "#ffd700"},
            {"id": gold["id"], "color": "#e5e4e2"},
        ),
        (ACTOR, "tag.add", "C1", "Platinum", None, {"tag_id": gold["id"], "tag": "Platinum"}),
        (ACTOR, "tag.add", "C2", "Platinum", None, {"tag_id": gold["id"], "tag": "Platinum"}),
        (
            ACTOR,
            "tag.delete",
            None,
            "Platinum",
            {"id": gold["id"], "name": "Platinum", "color": "#e5e4e2", "customers": ["C1", "C2"]},
            None,
        ),
    ]


def test_assign_and_remove(state):
    gold = T.create_tag(state, ACTOR, "Gold", "#ffd700")
    vip = T.create_tag(state, ACTOR, "VIP", "#ff0000")
    assert T.add_tag(state, ACTOR, gold["id"], ["C1", "C2", "C2"]) == 2
    assert T.add_tag(state, ACTOR, gold["id"], ["C2", "C3"]) == 1  # C2 already has it
    assert T.add_tag(state, ACTOR, vip["id"], ["C3"]) == 1
    frame = T.tags_by_customer(state).sort(["customer_id", "tag"])
    assert [tuple(r) for r in frame.iter_rows()] == [("C1", "Gold"), ("C2", "Gold"), ("C3", "Gold"), ("C3", "VIP")]
    assert [tuple(r) for r in T.tags_by_customer(state, ["C3"]).sort("tag").iter_rows()] == [
        ("C3", "Gold"),
        ("C3", "VIP"),
    ]
    assert T.tags_by_customer(state, []).height == 0
    assert T.customers_with_tags(state, ["gold"]) == {"C1", "C2", "C3"}  # any case
    assert T.customers_with_tags(state, ["VIP", "nope"]) == {"C3"}
    assert T.customers_with_tags(state, []) == set()
    assert {t["name"]: t["customers"] for t in T.list_tags(state)} == {"Gold": 3, "VIP": 1}
    assert T.remove_tag(state, ACTOR, gold["id"], ["C1", "C9"]) == 1
    assert T.customers_with_tags(state, ["Gold"]) == {"C2", "C3"}
    removals = [a for a in audit(state) if a[1] == "tag.remove"]
    assert removals == [(ACTOR, "tag.remove", "C1", "Gold", {"tag_id": gold["id"], "tag": "Gold"}, None)]
    assert len([a for a in audit(state) if a[1] == "tag.add"]) == 4


@pytest.mark.parametrize(
    "name, message",
    [
        ("", "empty"),
        ("   ", "empty"),
        ("x" * 61, "60"),
        ("a;b", "';'"),
        ("tab\there", "control"),
        (None, "text"),
    ],
)
def test_bad_names_are_refused(state, name, message):
    with pytest.raises(ValueError, match=message):
        T.create_tag(state, ACTOR, name, "#000000")
    assert T.list_tags(state) == [] and audit(state) == []


def test_sixty_characters_is_fine(state):
    assert T.create_tag(state, ACTOR, "x" * 60, "#000000")["name"] == "x" * 60


@pytest.mark.parametrize("color", ["red", "#fff", "#12345g", "000000", "", None, "#0000000"])
def test_bad_colors_are_refused(state, color):
    with pytest.raises(ValueError, match="#rrggbb"):
        T.create_tag(state, ACTOR, "Gold", color)
    tag = T.create_tag(state, ACTOR, "Gold", "#000000")
    with pytest.raises(ValueError, match="#rrggbb"):
        T.recolor_tag(state, ACTOR, tag["id"], color)


def test_names_are_unique_whatever_their_case(state):
    gold = T.create_tag(state, ACTOR, "Gold", "#ffd700")
    T.create_tag(state, ACTOR, "Émeraude", "#00ff00")
    for name in ("gold", " GOLD ", "émeraude"):
        with pytest.raises(ValueError, match="already exists"):
            T.create_tag(state, ACTOR, name, "#000000")
    with pytest.raises(ValueError, match="already exists"):
        T.rename_tag(state, ACTOR, gold["id"], "ÉMERAUDE")
    assert T.rename_tag(state, ACTOR, gold["id"], "GOLD")["name"] == "GOLD"  # its own name, other case
    assert len(audit(state)) == 3


def test_unknown_tags_and_bad_customer_lists(state):
    for call in (
        lambda: T.rename_tag(state, ACTOR, 999, "x"),
        lambda: T.recolor_tag(state, ACTOR, 999, "#000000"),
        lambda: T.delete_tag(state, ACTOR, 999),
        lambda: T.add_tag(state, ACTOR, 999, ["C1"]),
        lambda: T.remove_tag(state, ACTOR, "abc", ["C1"]),
    ):
        with pytest.raises(ValueError, match="tag"):
            call()
    tag = T.create_tag(state, ACTOR, "Gold", "#ffd700")
    for ids, message in (([], "at least one"), ("C1", "list"), (["bad id!"], "not a customer ID"), (None, "list")):
        with pytest.raises(ValueError, match=message):
            T.add_tag(state, ACTOR, tag["id"], ids)
    assert [a[1] for a in audit(state)] == ["tag.create"]
