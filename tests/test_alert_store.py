"""The alert store (partnerhub/data/alerts.py) on SQLite and PostgreSQL: an
evaluation opens, keeps and resolves alerts and enqueues their messages in
one transaction, once per snapshot; the bell's count and mark-read; a rule's
deletion takes its alerts but leaves the delivery log; the digest opt-in."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import update

from partnerhub.auth.users import add_or_update_user, get_user_by_email
from partnerhub.data import alerts as store
from partnerhub.data.alerts import Firing, NewDelivery
from partnerhub.data.state import users
from tests.state_support import audit_rows

T0 = datetime(2027, 1, 4, 6, 0, tzinfo=UTC)


def _user(state, email: str) -> int:
    add_or_update_user(state, "tests", email, email.split("@")[0], "partner_admin")
    return get_user_by_email(state, email).id


def _rule(state, user_id: int, condition: str = "health_at_risk") -> int:
    return store.create_rule(state, "tests", user_id, condition, {}, {}, ["inbox", "email"])["id"]


def _mails(rule: dict, opened: list[dict], resolved: list[dict]) -> list[NewDelivery]:
    return [
        NewDelivery(
            "email",
            f"alert.{kind}",
            f"alert:{a['id']}:{kind}:email",
            "pm@partner.example",
            {"subject": a["customer_name"], "text": kind},
            user_id=rule["user_id"],
            rule_id=rule["id"],
            alert_id=a["id"],
        )
        for kind, items in (("opened", opened), ("resolved", resolved))
        for a in items
    ]


def test_an_evaluation_opens_keeps_and_resolves_alerts_once_per_snapshot(state):
    owner, other = _user(state, "pm@partner.example"), _user(state, "other@partner.example")
    rule_id, other_rule = _rule(state, owner), _rule(state, other)
    week1 = [Firing("C-1", "東京商事", {"health_score": 35}), Firing("C-2", "Beta", {"health_score": 20})]

    first = store.apply_evaluation(state, rule_id, "snap-1", date(2027, 1, 3), week1, _mails, now=T0)
    assert first is not None
    assert [(a["customer_id"], a["state"], a["values"]) for a in first.opened] == [
        ("C-1", "open", {"health_score": 35}),
        ("C-2", "open", {"health_score": 20}),
    ]
    assert (first.resolved, first.still_open, first.enqueued) == ([], [], 2)
    # the same snapshot again: nothing, not even a message
    assert store.apply_evaluation(state, rule_id, "snap-1", date(2027, 1, 3), week1, _mails, now=T0) is None
    assert store.was_evaluated(state, rule_id, "snap-1")

    week2 = [Firing("C-2", "Beta", {"health_score": 18}), Firing("C-3", "Gamma", {"health_score": 30})]
    second = store.apply_evaluation(
        state, rule_id, "snap-2", date(2027, 1, 10), week2, _mails, now=T0 + timedelta(days=7)
    )
    assert second is not None
    assert [a["customer_id"] for a in second.opened] == ["C-3"]
    assert [(a["customer_id"], a["resolved_snapshot"], a["resolved_as_of"]) for a in second.resolved] == [
        ("C-1", "snap-2", date(2027, 1, 10))
    ]
    assert [a["customer_id"] for a in second.still_open] == ["C-2"]
    assert second.enqueued == 2  # C-3 opened, C-1 resolved
    # newest first: same time, so by id; _mails lists the opened before the resolved
    assert [d["dedupe_key"] for d in store.delivery_log(state)] == [
        f"alert:{second.resolved[0]['id']}:resolved:email",
        f"alert:{second.opened[0]['id']}:opened:email",
        f"alert:{first.opened[1]['id']}:opened:email",
        f"alert:{first.opened[0]['id']}:opened:email",
    ]

    assert [a["customer_id"] for a in store.list_alerts(state, owner, "open")] == ["C-3", "C-2"]
    [gone] = store.list_alerts(state, owner, "resolved")
    assert (gone["customer_name"], gone["opened_snapshot"], gone["resolved_at"]) == (
        "東京商事",
        "snap-1",
        T0 + timedelta(days=7),
    )
    assert len(store.list_alerts(state, owner, "all")) == 3
    assert set(store.open_alerts(state, rule_id)) == {"C-2", "C-3"}
    assert store.last_evaluation(state, rule_id) == {
        "snapshot_id": "snap-2",
        "as_of": date(2027, 1, 10),
        "evaluated_at": T0 + timedelta(days=7),
    }
    # the other person's rule saw nothing
    assert store.list_alerts(state, other, "all") == [] and store.last_evaluation(state, other_rule) is None
    with pytest.raises(ValueError):
        store.list_alerts(state, owner, "closed")


def test_the_bell_counts_unread_and_mark_read_touches_only_ones_own(state):
    owner, other = _user(state, "pm@partner.example"), _user(state, "other@partner.example")
    rule_id, other_rule = _rule(state, owner), _rule(state, other)
    store.apply_evaluation(state, rule_id, "s", date(2027, 1, 3), [Firing(f"C-{i}", f"N{i}") for i in range(3)])
    store.apply_evaluation(state, other_rule, "s", date(2027, 1, 3), [Firing("C-9", "N9")])
    mine = store.list_alerts(state, owner, "all")
    theirs = store.list_alerts(state, other, "all")
    assert (store.unread_count(state, owner), store.unread_count(state, other)) == (3, 1)
    assert store.mark_read(state, owner, [mine[0]["id"], theirs[0]["id"]]) == 1
    assert (store.unread_count(state, owner), store.unread_count(state, other)) == (2, 1)
    assert store.mark_read(state, owner) == 2 and store.mark_read(state, owner) == 0
    assert store.unread_count(state, owner) == 0 and store.unread_count(state, other) == 1


def test_messages_that_cannot_be_made_leave_no_alert_behind(state):
    owner = _user(state, "pm@partner.example")
    rule_id = _rule(state, owner)

    def broken(rule, opened, resolved):
        raise RuntimeError("rendering failed")

    with pytest.raises(RuntimeError):
        store.apply_evaluation(state, rule_id, "s", date(2027, 1, 3), [Firing("C-1", "A")], broken)
    assert store.list_alerts(state, owner, "all") == [] and not store.was_evaluated(state, rule_id, "s")
    assert store.delivery_log(state) == []


def test_deleting_a_rule_takes_its_alerts_and_keeps_the_delivery_log(state):
    owner, other = _user(state, "pm@partner.example"), _user(state, "other@partner.example")
    rule_id = _rule(state, owner, "trial_ending")
    store.apply_evaluation(state, rule_id, "s", date(2027, 1, 3), [Firing("C-1", "A")], _mails)
    assert store.delete_rule(state, "other@partner.example", rule_id, other) is None  # not theirs
    gone = store.delete_rule(state, "pm@partner.example", rule_id, owner)
    assert gone is not None and gone["condition"] == "trial_ending"
    assert store.get_rule(state, rule_id) is None and store.list_alerts(state, owner, "all") == []
    assert [d["kind"] for d in store.delivery_log(state)] == ["alert.opened"]
    assert [(r[0], r[1], r[3]) for r in audit_rows(state) if r[1].startswith("alert_rule")] == [
        ("tests", "alert_rule.create", f"alert rule {rule_id}"),
        ("pm@partner.example", "alert_rule.delete", f"alert rule {rule_id}"),
    ]
    # a rule deleted meanwhile is not evaluated
    assert store.apply_evaluation(state, rule_id, "s2", date(2027, 1, 10), [Firing("C-1", "A")]) is None


def test_the_digest_opt_in(state):
    owner, other = _user(state, "pm@partner.example"), _user(state, "other@partner.example")
    assert store.set_weekly_digest(state, "pm@partner.example", owner, True) is True
    assert store.set_weekly_digest(state, "pm@partner.example", owner, True) is False
    assert store.set_weekly_digest(state, "other@partner.example", other, True) is True
    assert [u["email"] for u in store.digest_subscribers(state)] == ["pm@partner.example", "other@partner.example"]
    with state.write() as conn:
        conn.execute(update(users).where(users.c.id == other).values(disabled=True))
    assert [u["email"] for u in store.digest_subscribers(state)] == ["pm@partner.example"]
    assert store.set_weekly_digest(state, "pm@partner.example", owner, False) is True
    assert store.weekly_digest(state, owner) is False
    assert [r[1] for r in audit_rows(state) if r[1].startswith("digest")] == [
        "digest.subscribe",
        "digest.subscribe",
        "digest.unsubscribe",
    ]
    with pytest.raises(ValueError):
        store.set_weekly_digest(state, "x", 999_999, True)
