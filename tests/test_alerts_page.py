"""The Alerts page, the bell, the digest switch and the Deliveries tab with
Flask's test client: the layout lists the person's own alerts and rules;
mark read, create and delete act on their own only (another person's alert
or rule sent in a raw callback changes nothing, and a rule answers like an
unknown one); calling conditions only for roles that see calling."""

from __future__ import annotations

import json

import pytest

from partnerhub.auth.users import get_user_by_email
from partnerhub.data import alerts as store
from partnerhub.services import alert_rules
from tests.alerts_ui_support import caller_of, customers, plant
from tests.auth_client import dash_callback, new_user, pattern_prop_id, router, sign_in

FULL = "full.admin@demo.example"


def _text(response) -> str:
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return json.dumps(response.get_json()["response"], ensure_ascii=False)


def _client(app, email: str):
    client = app.test_client()
    assert sign_in(client, email).status_code == 302
    return client


def _unread(services, email: str) -> int:
    return store.unread_count(services.state, get_user_by_email(services.state, email).id)


def _boxes(alerts: list[dict], checked: set[int]) -> list[dict]:
    return [
        {"id": {"type": "alerts-select", "alert": a["id"]}, "property": "value", "value": a["id"] in checked}
        for a in alerts
    ]


def _mark(client, alerts: list[dict], checked: set[int], button: str = "alerts-mark-selected"):
    values = {
        f"{button}.n_clicks": 1,
        "alerts-select.value": _boxes(alerts, checked),
        "alerts-state.value": "all",
        "alerts-condition.value": "any",
    }
    return dash_callback(client, "alerts-feedback.children", values, changed=[f"{button}.n_clicks"])


def _bell(client):
    return dash_callback(
        client,
        "nav-alerts.children",
        {"_pages_location.pathname": "/customers"},
        changed=["_pages_location.pathname"],
        input_id="_pages_location",
    )


@pytest.fixture
def ann(app, services):
    """A partner admin of the test's own with three alerts (one resolved)."""
    email = new_user(services, "partner_admin", prefix="page-ann")
    rule, alerts = plant(services, email, n=3, resolve=1)
    return email, rule, alerts


def test_the_page_lists_the_persons_alerts_and_rules(app, services, ann):
    email, _rule, alerts = ann
    (_first_id, first_name), (second_id, second_name), _third = customers(services, 3)
    text = _text(router(_client(app, email), "/alerts"))
    assert "Your alerts" in text and "Your alert rules" in text
    # each alert: its customer's link, the rule and what fired it in words, its state, unread
    assert f"/customers/{second_id}" in text and second_name in text and first_name in text
    assert "health score 31 (At risk)" in text and "health score 30 (At risk)" in text
    assert text.count("Health becomes at risk") >= 4  # three alerts and the rule
    assert text.count('"Unread"') == 3 and "Resolved" in text
    # ids of the person's own alerts only
    assert {a["id"] for a in alerts} == {
        int(i) for i in __import__("re").findall(r'"type": "alerts-select", "alert": (\d+)', text)
    }


def test_the_bell_counts_unread_alerts_and_mark_read_lowers_it(app, services, ann):
    email, _rule, alerts = ann
    client = _client(app, email)
    bell = _text(_bell(client))
    assert "3 unread alerts" in bell and '"3"' in bell

    newest = alerts[0]
    marked = _text(_mark(client, alerts, {newest["id"]}))
    assert "Marked 1 alert read." in marked and "2 unread alerts" in marked
    assert _unread(services, email) == 2
    assert "2 unread alerts" in _text(_bell(client))

    everything = _text(_mark(client, alerts, set(), "alerts-mark-all"))
    assert "Marked 2 alerts read." in everything and _unread(services, email) == 0
    # at zero the count is hidden: the bell is only "Alerts"
    empty = _text(_bell(client))
    assert "unread" not in empty and "nav-alerts-count" not in empty and '"Alerts"' in empty
    again = _text(_mark(client, alerts, set(), "alerts-mark-all"))
    assert "Nothing to mark" in again


def test_nobody_marks_another_persons_alerts(app, services, ann):
    email, _rule, alerts = ann
    bob = new_user(services, "partner_full_admin", prefix="page-bob")
    answer = _text(_mark(_client(app, bob), alerts, {a["id"] for a in alerts}))
    assert "Nothing to mark" in answer
    assert _unread(services, email) == 3
    _text(_mark(_client(app, bob), alerts, set(), "alerts-mark-all"))
    assert _unread(services, email) == 3


def test_a_crafted_selection_is_refused_or_ignored(app, services, ann):
    email, _rule, alerts = ann
    client = _client(app, email)
    crafted = [{"id": {"type": "alerts-select", "alert": "x1"}, "property": "value", "value": True}]
    values = {
        "alerts-mark-selected.n_clicks": 1,
        "alerts-select.value": crafted,
        "alerts-state.value": "all",
        "alerts-condition.value": "any",
    }
    text = _text(dash_callback(client, "alerts-feedback.children", values, changed=["alerts-mark-selected.n_clicks"]))
    assert "Choose alerts by their numbers." in text and _unread(services, email) == 3
    values["alerts-select.value"] = [{**crafted[0], "value": "yes"}]  # not a checkbox's value
    assert (
        dash_callback(client, "alerts-feedback.children", values, changed=["alerts-mark-selected.n_clicks"]).status_code
        == 400
    )
    values["alerts-state.value"] = "everything"
    values["alerts-select.value"] = _boxes(alerts, set())
    assert (
        dash_callback(client, "alerts-feedback.children", values, changed=["alerts-mark-selected.n_clicks"]).status_code
        == 400
    )


def test_the_filters_narrow_the_list(app, services, ann):
    email, _rule, _alerts = ann
    client = _client(app, email)

    def shown(state: str, condition: str) -> str:
        values = {"alerts-state.value": state, "alerts-condition.value": condition}
        return _text(
            dash_callback(
                client, "alerts-list.children", values, changed=["alerts-state.value"], input_id="alerts-condition"
            )
        )

    resolved = shown("resolved", "any")
    assert "health score 30" in resolved and "health score 31" not in resolved
    opened = shown("open", "health_at_risk")
    assert "health score 31" in opened and "health score 32" in opened and "health score 30" not in opened
    assert "No alerts match these filters." in shown("all", "new_overage")


def _create_values(condition: str, params: dict, **extra) -> dict:
    boxes = [
        {"id": {"type": "alerts-new-param", "name": n}, "property": "value", "value": v} for n, v in params.items()
    ]
    return {
        "alerts-new-create.n_clicks": 1,
        "alerts-new-condition.value": condition,
        "alerts-new-param.value": boxes,
        "alerts-new-tag.value": [],
        "alerts-new-managed-by.value": [],
        "alerts-new-health-band.value": [],
        "alerts-new-channels.value": ["inbox"],
        "alerts-new-webhook-url.value": None,
        "alerts-new-webhook-secret.value": None,
    } | extra


def _create(client, condition: str, params: dict, **extra):
    return dash_callback(
        client,
        "alerts-rule-feedback.children",
        _create_values(condition, params, **extra),
        changed=["alerts-new-create.n_clicks"],
        input_id="alerts-new-create",
    )


def test_a_rule_is_created_from_the_form_with_percentages(app, services):
    email = new_user(services, "partner_admin", prefix="page-form")
    client = _client(app, email)
    text = _text(
        _create(
            client,
            "queue_abandonment",
            {"ratio": 25, "min_offered": 30},
            **{"alerts-new-managed-by.value": ["external"], "alerts-new-health-band.value": ["watch"]},
        )
    )
    assert "Created the alert rule." in text
    [rule] = alert_rules.list_rules(caller_of(services, email))
    assert (rule["params"], rule["filters"]) == (
        {"ratio": 0.25, "min_offered": 30},
        {"managed_by": ["external"], "health_band": ["watch"]},
    )
    # the list shows it in words
    assert "Call-queue abandon ratio at 25.0 % or more, with at least 30 offered calls" in text
    bad = _text(_create(client, "queue_abandonment", {"ratio": 250, "min_offered": 30}))
    assert "Ratio (%): give a number above 0 and at most 100." in bad
    hook = _text(
        _create(
            client,
            "health_at_risk",
            {},
            **{"alerts-new-channels.value": ["webhook"], "alerts-new-webhook-url.value": "https://hooks.example/h"},
        )
    )
    assert "Copy the webhook secret now: it is not shown again." in hook and "Webhook (hooks.example)" in hook
    assert len(alert_rules.list_rules(caller_of(services, email))) == 2


def test_calling_conditions_are_offered_only_to_roles_that_see_calling(app, services):
    sales = new_user(services, "sales_admin", prefix="page-sales")
    client = _client(app, sales)
    page = _text(router(client, "/alerts"))
    assert '"value": "health_drop"' in page and '"value": "poor_call_quality"' not in page
    params = _text(
        dash_callback(
            client,
            "alerts-new-params.children",
            {"alerts-new-condition.value": "poor_call_quality"},
            ["alerts-new-condition.value"],
        )
    )
    # the ratio typed as a percentage, at its default
    assert '"name": "ratio"' in params and '"value": 5.0' in params and "Default 5; above 0 and at most 100." in params
    refused = _text(_create(client, "poor_call_quality", {"ratio": 5, "min_calls": 20}))
    assert "Your role may not see calling data" in refused
    assert alert_rules.list_rules(caller_of(services, sales)) == []
    admin_page = _text(router(_client(app, new_user(services, "partner_admin", prefix="page-pa")), "/alerts"))
    assert '"value": "poor_call_quality"' in admin_page


def test_nobody_deletes_another_persons_rule(app, services, ann):
    email, rule, _alerts = ann
    bob = new_user(services, "partner_full_admin", prefix="page-bob")
    ident = {"type": "alerts-rule-delete", "rule": rule["id"]}

    def delete(client, rule_id):
        ident = {"type": "alerts-rule-delete", "rule": rule_id}
        values = {
            "alerts-rule-delete.n_clicks": [{"id": ident, "property": "n_clicks", "value": 1}],
            "alerts-state.value": "all",
            "alerts-condition.value": "any",
        }
        return dash_callback(
            client,
            "alerts-rule-feedback.children",
            values,
            changed=[pattern_prop_id(ident, "n_clicks")],
            input_id="alerts-rule-delete",
        )

    assert "Alert rule not found." in _text(delete(_client(app, bob), rule["id"]))
    assert store.get_rule(services.state, rule["id"]) is not None and _unread(services, email) == 3
    mine = _text(delete(_client(app, email), ident["rule"]))
    assert "Deleted the alert rule." in mine and "You have no alert rules yet." in mine
    assert "No alerts match these filters." in mine and _unread(services, email) == 0


def test_the_digest_switch_on_the_account_page(app, services):
    email = new_user(services, "sales_admin", prefix="page-digest")
    client = _client(app, email)
    page = _text(router(client, "/account"))
    assert "Weekly digest" in page and "the ten customers with the lowest health" in page

    def switch(on):
        values = {"account-digest-save.n_clicks": 1, "account-digest.value": on}
        return dash_callback(
            client, "account-digest-feedback.children", values, changed=["account-digest-save.n_clicks"]
        )

    assert "You get the weekly digest." in _text(switch(True))
    assert store.weekly_digest(services.state, get_user_by_email(services.state, email).id) is True
    assert "You no longer get the weekly digest." in _text(switch(False))
    assert store.weekly_digest(services.state, get_user_by_email(services.state, email).id) is False
    assert switch("on").status_code == 400
    assert "Choose on or off for the weekly digest." in _text(switch(None))


def test_the_deliveries_tab_shows_the_outbox_to_the_full_admin(app, services):
    email = new_user(services, "partner_admin", prefix="page-deliv")
    user_id = get_user_by_email(services.state, email).id
    store.enqueue(
        services.state,
        [
            store.NewDelivery("email", "digest", f"test:{user_id}:mail", email, {"subject": "s", "text": "t"}, user_id),
            store.NewDelivery(
                "webhook", "alert.opened", f"test:{user_id}:hook", "https://hooks.example/secret-path?t=1", {}, user_id
            ),
        ],
    )
    text = _text(router(_client(app, FULL), "/admin"))
    assert "Deliveries" in text and "admin-deliveries-grid" in text
    assert "Weekly digest" in text and "Alert opened" in text and "Pending" in text
    assert "hooks.example" in text and "secret-path" not in text
    assert router(_client(app, email), "/admin").status_code == 403
