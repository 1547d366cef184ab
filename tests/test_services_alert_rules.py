"""Alert rules of the application layer (services/alert_rules.py): every role
manages its own rules, with defaults filled in and whole-sentence errors
naming what is wrong; another person's rule answers exactly like none (404);
calling conditions only for roles that see calling; a webhook's secret shown
once; each accepted change one audit row, a refused one none."""

from __future__ import annotations

import pytest

from partnerhub.auth.guard import Refused
from partnerhub.auth.roles import ROLES
from partnerhub.auth.users import add_or_update_user, get_user_by_email
from partnerhub.data import alerts as store
from partnerhub.data import tags as tag_store
from partnerhub.services import alert_rules as rules
from partnerhub.services.caller import Caller
from tests.state_support import audit_rows


@pytest.fixture
def state(new_store_url):
    """SQLite only: these are the service's checks; the store's own tests
    (test_alert_store.py) run on both backends."""
    from partnerhub.data.state import StateStore

    s = StateStore(new_store_url("sqlite"))
    s.init_schema()
    yield s
    s.dispose()


def _caller(state, email: str, role: str = "partner_admin") -> Caller:
    add_or_update_user(state, "tests", email, email.split("@")[0], role)
    user = get_user_by_email(state, email)
    return Caller(user.email, user.role, None, state, None, user.id)


def test_every_role_creates_its_own_rule_with_defaults(state):
    for i, role in enumerate(ROLES):
        me = _caller(state, f"u{i}@partner.example", role)
        made = rules.create(me, "health_drop", channels=["email", "inbox", "email"])
        rule = made.value
        assert rule is not None and made.changed == 1 and made.message == "Created the alert rule."
        assert (rule["condition"], rule["params"], rule["filters"], rule["channels"]) == (
            "health_drop",
            {"points": 15},
            {},
            ["inbox", "email"],
        )
        assert "webhook_secret" not in rule and rules.list_rules(me) == [store.get_rule(state, rule["id"])]
    created = [r for r in audit_rows(state) if r[1] == "alert_rule.create"]
    assert [(r[0], r[4]) for r in created] == [(f"u{i}@partner.example", None) for i in range(len(ROLES))]
    assert created[0][5] == {
        "id": created[0][5]["id"],
        "user_id": created[0][5]["user_id"],
        "condition": "health_drop",
        "params": {"points": 15},
        "filters": {},
        "channels": ["inbox", "email"],
    }


def test_parameters_are_checked_with_sentences_naming_the_rule(state):
    me = _caller(state, "pm@partner.example")
    made = rules.create(me, "poor_call_quality", {"ratio": "0.1", "min_calls": 50.0})
    assert made.value is not None and made.value["params"] == {"ratio": 0.1, "min_calls": 50}
    assert rules.create(me, "usage_trend_low", {"below": 1}).value["params"] == {"below": 1.0}
    before = len(audit_rows(state))
    for condition, params, message in [
        ("health_drop", {"points": 0}, "The parameter “points” of health_drop must be a whole number from 1 to 100."),
        ("health_drop", {"points": 7.5}, "The parameter “points” of health_drop must be a whole number from 1 to 100."),
        ("trial_ending", {"days": True}, "The parameter “days” of trial_ending must be a whole number from 1 to 365."),
        (
            "trial_ending",
            {"days": "soon"},
            "The parameter “days” of trial_ending must be a whole number from 1 to 365.",
        ),
        (
            "poor_call_quality",
            {"ratio": 0},
            "The parameter “ratio” of poor_call_quality must be a number above 0 and at most 1.",
        ),
        (
            "queue_abandonment",
            {"ratio": float("nan")},
            "The parameter “ratio” of queue_abandonment must be a number above 0 and at most 1.",
        ),
        (
            "no_admin_activity",
            {"weeks": 3},
            "no_admin_activity has no parameter “weeks”; it takes days.",
        ),
        ("new_overage", {"days": 3}, "The condition new_overage takes no parameters."),
        ("health_at_risk", [1], "The parameters of an alert rule are a set of names and values."),
    ]:
        with pytest.raises(ValueError) as err:
            rules.create(me, condition, params)
        assert str(err.value) == message
    with pytest.raises(ValueError) as err:
        rules.create(me, "churn")
    assert str(err.value) == (
        "“churn” is not an alert condition: use one of health_at_risk, health_drop, trial_ending, "
        "subscription_expiring, new_overage, new_order_ready_for_setup, new_suspended, usage_trend_low, "
        "poor_call_quality, queue_abandonment, no_admin_activity."
    )
    assert len(audit_rows(state)) == before


def test_filters_and_channels(state):
    me = _caller(state, "pm@partner.example")
    tag_store.create_tag(state, "tests", "Gold")
    rule = rules.create(
        me,
        "health_at_risk",
        filters={"tag": ["gold"], "managed_by": "partner", "health_band": ["watch", "at_risk"]},
    ).value
    assert rule is not None
    assert rule["filters"] == {"tag": ["Gold"], "managed_by": ["partner"], "health_band": ["at_risk", "watch"]}
    for kwargs, message in [
        ({"filters": {"tag": ["Platinum"]}}, "There is no tag named “Platinum”."),
        (
            {"filters": {"managed_by": ["reseller"]}},
            "“reseller” is not a value of the filter managed_by: use partner, external.",
        ),
        (
            {"filters": {"health_band": ["ok"]}},
            "“ok” is not a value of the filter health_band: use at_risk, watch, healthy.",
        ),
        ({"filters": {"region": ["EU"]}}, "“region” is not a filter of alert rules: use tag, managed_by, health_band."),
        ({"channels": []}, "Choose at least one channel for the alert rule: inbox, email, webhook."),
        ({"channels": ["sms"]}, "“sms” is not a channel: use inbox, email, webhook."),
        ({"webhook_url": "https://hooks.example/x"}, "A webhook address or secret needs the webhook channel."),
    ]:
        with pytest.raises(ValueError) as err:
            rules.create(me, "health_at_risk", **kwargs)
        assert str(err.value) == message, kwargs


def test_a_webhook_needs_an_http_address_and_its_secret_is_shown_once(state):
    me = _caller(state, "pm@partner.example")
    made = rules.create(me, "new_suspended", channels=["webhook"], webhook_url=" https://hooks.example/T1/B2 ")
    rule = made.value
    assert rule is not None and rule["webhook_url"] == "https://hooks.example/T1/B2"
    assert len(rule["webhook_secret"]) >= 32
    with state.read() as conn:
        assert store.webhook_secret(conn, rule["id"]) == rule["webhook_secret"]
    assert all("webhook_secret" not in r for r in rules.list_rules(me))
    assert "webhook_secret" not in rules.get_rule(me, rule["id"])
    given = rules.create(
        me, "new_suspended", channels=["webhook", "inbox"], webhook_url="http://10.0.0.5/hook", webhook_secret="x" * 16
    )
    assert given.value is not None and given.value["webhook_secret"] == "x" * 16
    for url in (
        None,
        "",
        "ftp://hooks.example/x",
        "https:///nohost",
        "https://hooks.example/a b",
        "https://h/" + "x" * 2000,
    ):
        with pytest.raises(ValueError) as err:
            rules.create(me, "new_suspended", channels=["webhook"], webhook_url=url)
        assert str(err.value) == "A webhook needs its address: an http:// or https:// URL of at most 2000 characters."
    with pytest.raises(ValueError) as err:
        rules.create(me, "new_suspended", channels=["webhook"], webhook_url="https://h/x", webhook_secret="short")
    assert str(err.value) == "A webhook secret needs 16 to 200 characters (leave it empty to have one made)."
    # the audit row holds neither the secret nor the address (Slack's and Teams' are credentials)
    assert not any(
        "x" * 16 in str(r) or rule["webhook_secret"] in str(r) or "T1/B2" in str(r) for r in audit_rows(state)
    )
    assert [r[5]["webhook_host"] for r in audit_rows(state) if r[1] == "alert_rule.create"] == [
        "hooks.example",
        "10.0.0.5",
    ]


def test_calling_conditions_are_for_roles_that_see_calling(state):
    sales = _caller(state, "sales@partner.example", "sales_admin")
    assert "poor_call_quality" not in rules.conditions_for("sales_admin")
    assert rules.conditions_for("partner_readonly_admin")[-3:] == [
        "poor_call_quality",
        "queue_abandonment",
        "no_admin_activity",
    ]
    for condition in ("poor_call_quality", "queue_abandonment"):
        with pytest.raises(Refused) as refused:
            rules.create(sales, condition)
        assert refused.value.status == 403
    assert rules.list_rules(sales) == []


def test_another_persons_rule_answers_like_none(state):
    owner, other = (
        _caller(state, "owner@partner.example"),
        _caller(state, "other@partner.example", "partner_full_admin"),
    )
    rule = rules.create(owner, "trial_ending", {"days": 7}).value
    assert rule is not None
    before = audit_rows(state)
    answers = set()
    for rule_id in (rule["id"], 999_999, "abc", None, True):
        for action in (rules.get_rule, rules.delete):
            with pytest.raises(Refused) as refused:
                action(other, rule_id)
            answers.add((refused.value.status, refused.value.message))
    assert answers == {(404, "Alert rule not found.")}
    assert rules.list_rules(other) == [] and audit_rows(state) == before
    assert rules.get_rule(owner, str(rule["id"]))["params"] == {"days": 7}

    gone = rules.delete(owner, rule["id"])
    assert (gone.message, gone.changed) == ("Deleted the alert rule.", 1)
    assert audit_rows(state)[-1][:4] == ("owner@partner.example", "alert_rule.delete", None, f"alert rule {rule['id']}")
    with pytest.raises(Refused):
        rules.get_rule(owner, rule["id"])


def test_the_digest_opt_in_and_the_cli_has_no_rules(state):
    me = _caller(state, "pm@partner.example", "sales_admin")
    assert rules.digest(me) is False
    on = rules.set_digest(me, True)
    assert (on.message, on.changed, on.value) == ("You get the weekly digest.", 1, True)
    assert rules.set_digest(me, True).changed == 0
    assert rules.set_digest(me, False).message == "You no longer get the weekly digest."
    assert [r[:2] for r in audit_rows(state) if r[1].startswith("digest")] == [
        ("pm@partner.example", "digest.subscribe"),
        ("pm@partner.example", "digest.unsubscribe"),
    ]
    with pytest.raises(ValueError):
        rules.set_digest(me, "yes")
    cli = Caller("cli", "partner_full_admin", None, state, None)
    for action in (
        lambda: rules.create(cli, "health_at_risk"),
        lambda: rules.list_rules(cli),
        lambda: rules.set_digest(cli, True),
    ):
        with pytest.raises(ValueError, match=r"Only a signed-in user has alert rules\."):
            action()


def test_the_number_of_rules_is_bounded(state, monkeypatch):
    me = _caller(state, "pm@partner.example")
    monkeypatch.setattr(rules, "MAX_RULES", 2)
    rules.create(me, "new_overage")
    rules.create(me, "new_suspended")
    with pytest.raises(ValueError) as err:
        rules.create(me, "health_at_risk")
    assert str(err.value) == "You have 2 alert rules already: delete one before adding another."
