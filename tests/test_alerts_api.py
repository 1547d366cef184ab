"""/api/v1/alert-rules and /api/v1/alerts over raw HTTP: each person's own
rules and alerts only (another person's rule answers 404, as an unknown
one), a bad body is a 400 naming the field whatever its JSON shape, and
anonymous or bad-token calls are 401."""

from __future__ import annotations

import json

import pytest

from partnerhub.auth.users import get_user_by_email
from partnerhub.data import alerts as store
from tests.alerts_ui_support import customers, plant
from tests.auth_client import api_tokens, csrf_header, new_user, sign_in

RULES = "/api/v1/alert-rules"
ALERTS = "/api/v1/alerts"


@pytest.fixture(scope="module")
def people(app):
    """Two partner admins and a sales admin of their own, with a token each."""
    svc = app.extensions["partnerhub"]
    emails = {
        "ann": new_user(svc, "partner_admin", prefix="api-ann"),
        "bob": new_user(svc, "partner_admin", prefix="api-bob"),
        "sam": new_user(svc, "sales_admin", prefix="api-sam"),
    }
    tokens = api_tokens(app, emails.values(), "alert api tests")
    return {who: (email, tokens[email]) for who, email in emails.items()}


def auth(people, who: str) -> dict:
    return {"Authorization": f"Bearer {people[who][1]}"}


def post(client, people, who: str, body, raw: bool = False):
    data = body if raw else json.dumps(body)
    return client.post(RULES, data=data, headers={**auth(people, who), "Content-Type": "application/json"})


def test_a_rule_is_created_listed_and_deleted_by_its_owner(client, people):
    assert client.get(RULES, headers=auth(people, "ann")).get_json() == []
    made = post(client, people, "ann", {"condition": "health_drop", "filters": {"health_band": ["watch", "at_risk"]}})
    assert made.status_code == 201, made.get_json()
    rule = made.get_json()
    assert (rule["condition"], rule["params"], rule["filters"], rule["channels"], rule["webhook_url"]) == (
        "health_drop",
        {"points": 15},  # the default filled in
        {"health_band": ["at_risk", "watch"]},  # in the spec's order
        ["inbox"],  # no channels given: the app's inbox
        None,
    )
    assert made.headers["Location"].endswith(f"/api/v1/alert-rules/{rule['id']}")
    assert "webhook_secret" not in rule and isinstance(rule["created_at"], str)
    assert client.get(RULES, headers=auth(people, "ann")).get_json() == [rule]

    gone = client.delete(f"{RULES}/{rule['id']}", headers=auth(people, "ann"))
    assert (gone.status_code, gone.get_data()) == (204, b"")
    assert client.get(RULES, headers=auth(people, "ann")).get_json() == []
    again = client.delete(f"{RULES}/{rule['id']}", headers=auth(people, "ann"))
    assert again.status_code == 404 and again.get_json() == {"error": "Alert rule not found."}


def test_a_webhook_secret_is_shown_once(client, people):
    made = post(
        client,
        people,
        "ann",
        {
            "condition": "trial_ending",
            "params": {"days": 7},
            "channels": ["webhook"],
            "webhook_url": "https://hooks.example/x",
        },
    ).get_json()
    assert made["params"] == {"days": 7} and len(made["webhook_secret"]) >= 16
    listed = [r for r in client.get(RULES, headers=auth(people, "ann")).get_json() if r["id"] == made["id"]]
    assert listed == [{k: v for k, v in made.items() if k != "webhook_secret"}]
    assert client.delete(f"{RULES}/{made['id']}", headers=auth(people, "ann")).status_code == 204


def test_another_persons_rule_answers_like_an_unknown_one(client, people, services):
    bobs = post(client, people, "bob", {"condition": "new_overage"}).get_json()
    for rule_id in (bobs["id"], 987654321, "99999999999999999999999", "0"):
        r = client.delete(f"{RULES}/{rule_id}", headers=auth(people, "ann"))
        assert (r.status_code, r.get_json()) == (404, {"error": "Alert rule not found."}), rule_id
        r = client.get(f"{RULES}/{rule_id}", headers=auth(people, "ann"))
        assert (r.status_code, r.get_json()) == (404, {"error": "Alert rule not found."}), rule_id
    for not_an_id in ("abc", "-1", "1.5"):
        # no rule's address at all: the routing answers, in JSON
        r = client.delete(f"{RULES}/{not_an_id}", headers=auth(people, "ann"))
        assert r.status_code in (404, 405) and r.get_json()["error"], not_an_id
    assert client.get(f"{RULES}/{bobs['id']}", headers=auth(people, "bob")).get_json()["id"] == bobs["id"]
    # Bob's rule is still there, and not in Ann's list
    assert store.get_rule(services.state, bobs["id"]) is not None
    assert bobs["id"] not in [r["id"] for r in client.get(RULES, headers=auth(people, "ann")).get_json()]
    assert client.delete(f"{RULES}/{bobs['id']}", headers=auth(people, "bob")).status_code == 204


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"condition": "nope"}, "condition"),
        ({"condition": ["health_at_risk"]}, "condition"),
        ({"condition": {"a": 1}}, "condition"),
        ({"condition": None}, "condition"),
        ({"condition": "health\u0000_drop"}, "condition"),
        ({"params": {}}, "condition"),
        ({"condition": "health_drop", "params": {"points": 0}}, "params"),
        ({"condition": "health_drop", "params": {"points": "many"}}, "params"),
        ({"condition": "health_drop", "params": {"points": True}}, "params"),
        ({"condition": "health_drop", "params": {"points": 1e308}}, "params"),
        ({"condition": "health_drop", "params": {"days": 3}}, "params"),
        ({"condition": "health_drop", "params": "points=3"}, "params"),
        ({"condition": "health_drop", "params": [1, 2]}, "params"),
        ({"condition": "new_overage", "params": {"x": 1}}, "params"),
        ({"condition": "health_at_risk", "filters": {"health_band": ["grim"]}}, "filters"),
        ({"condition": "health_at_risk", "filters": {"tag": ["no such tag at all"]}}, "filters"),
        ({"condition": "health_at_risk", "filters": {"tag": [{"x": 1}]}}, "filters"),
        ({"condition": "health_at_risk", "filters": {"colour": ["red"]}}, "filters"),
        ({"condition": "health_at_risk", "filters": "at_risk"}, "filters"),
        ({"condition": "health_at_risk", "filters": {"managed_by": 3}}, "filters"),
        ({"condition": "health_at_risk", "channels": []}, "channels"),
        ({"condition": "health_at_risk", "channels": ["pigeon"]}, "channels"),
        ({"condition": "health_at_risk", "channels": {"email": True}}, "channels"),
        ({"condition": "health_at_risk", "channels": ["webhook"]}, "webhook_url"),
        ({"condition": "health_at_risk", "channels": ["webhook"], "webhook_url": "ftp://x.example"}, "webhook_url"),
        ({"condition": "health_at_risk", "channels": ["webhook"], "webhook_url": ["https://x.example"]}, "webhook_url"),
        (
            {
                "condition": "health_at_risk",
                "channels": ["webhook"],
                "webhook_url": "https://x.example",
                "webhook_secret": "short",
            },
            "webhook_secret",
        ),
        (
            {
                "condition": "health_at_risk",
                "channels": ["webhook"],
                "webhook_url": "https://x.example",
                "webhook_secret": 12345678901234567890,
            },
            "webhook_secret",
        ),
        ({"condition": "health_at_risk", "webhook_url": "https://x.example"}, "webhook_url"),
        ({"condition": "health_at_risk", "user_id": 1}, "user_id"),
    ],
)
def test_a_bad_body_is_a_400_naming_the_field(client, people, body, field):
    r = post(client, people, "ann", body)
    assert r.status_code == 400, r.get_json()
    answer = r.get_json()
    assert answer["field"] == field and isinstance(answer["error"], str) and answer["error"], answer


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "not json",
        "null",
        "1",
        '"health_at_risk"',
        "[]",
        '[{"condition": "health_at_risk"}]',
        "{",
        "[" * 100_000 + "]" * 100_000,
        '{"condition": "health_drop", "params": {"points": NaN}}',
        '{"condition": "health_drop", "params": {"points": 1e999}}',
        '{"condition": "health_drop", "params": {"points": -Infinity}}',
        '{"condition": "health_at_risk", "filters": {"tag": "' + "x" * 100_000 + '"}}',
        '{"condition": "\\ud800"}',
    ],
)
def test_no_json_shape_makes_a_500(client, people, services, raw):
    before = len(store.list_rules(services.state, get_user_by_email(services.state, people["ann"][0]).id))
    r = post(client, people, "ann", raw, raw=True)
    assert r.status_code == 400, (raw[:40], r.status_code, r.get_data(as_text=True)[:200])
    assert isinstance(r.get_json()["error"], str)
    assert len(store.list_rules(services.state, get_user_by_email(services.state, people["ann"][0]).id)) == before


def test_calling_conditions_are_refused_to_a_role_without_calling(client, people):
    r = post(client, people, "sam", {"condition": "poor_call_quality"})
    assert r.status_code == 403
    assert r.get_json()["error"] == "Your role may not see calling data, so it cannot have alerts on it."
    assert client.get(RULES, headers=auth(people, "sam")).get_json() == []
    # the same body is fine for a partner admin
    made = post(client, people, "ann", {"condition": "poor_call_quality", "params": {"ratio": 0.1}}).get_json()
    assert made["params"] == {"ratio": 0.1, "min_calls": 20}
    client.delete(f"{RULES}/{made['id']}", headers=auth(people, "ann"))


def test_alerts_list_the_owners_alerts_by_state(client, people, services):
    email = new_user(services, "partner_admin", prefix="api-alerts")
    token = api_tokens(client.application, [email])[email]
    rule, _alerts = plant(services, email, n=3, resolve=1)
    (first_id, first_name), *_rest = customers(services, 3)
    headers = {"Authorization": f"Bearer {token}"}

    def listed(query: str = "") -> list[dict]:
        r = client.get(ALERTS + query, headers=headers)
        assert r.status_code == 200, r.get_json()
        return r.get_json()

    everything = listed("?state=all")
    assert len(everything) == 3 and {a["rule_id"] for a in everything} == {rule["id"]}
    resolved = listed("?state=resolved")
    assert [(a["customer_id"], a["customer_name"], a["state"]) for a in resolved] == [
        (first_id, first_name, "resolved")
    ]
    one = resolved[0]
    assert one["condition"] == "health_at_risk" and one["values"] == {"health_score": 30, "health_band": "at_risk"}
    assert one["opened_snapshot"] == f"plant-{rule['id']}-1" and one["resolved_snapshot"] == f"plant-{rule['id']}-2"
    assert one["opened_as_of"] < one["resolved_as_of"]  # ISO dates compare as text
    assert one["opened_at"] and one["resolved_at"] and one["read"] is False
    assert set(one) == {
        "id",
        "rule_id",
        "condition",
        "customer_id",
        "customer_name",
        "state",
        "values",
        "opened_snapshot",
        "opened_as_of",
        "opened_at",
        "resolved_snapshot",
        "resolved_as_of",
        "resolved_at",
        "read",
    }
    open_now = listed("?state=open")
    assert sorted(a["values"]["health_score"] for a in open_now) == [31, 32]
    assert all(a["resolved_snapshot"] is None and a["resolved_at"] is None for a in open_now)
    assert listed() == open_now  # open by default

    # nobody else sees them
    assert client.get(ALERTS + "?state=all", headers=auth(people, "ann")).get_json() == []


@pytest.mark.parametrize("query", ["?state=closed", "?state=", "?state=open&state=all", "?user_id=1", "?state=OPEN"])
def test_a_bad_alerts_query_is_a_400(client, people, query):
    r = client.get(ALERTS + query, headers=auth(people, "ann"))
    assert r.status_code == 400 and r.get_json()["error"], query


@pytest.mark.parametrize(
    ("method", "url"), [("get", RULES), ("post", RULES), ("delete", f"{RULES}/1"), ("get", ALERTS)]
)
def test_anonymous_and_bad_token_calls_are_401(client, method, url):
    assert getattr(client, method)(url).status_code == 401
    r = getattr(client, method)(url, headers={"Authorization": "Bearer phk_not_a_token"})
    assert r.status_code == 401 and r.get_json()["error"]


def test_a_signed_in_session_uses_the_api_with_its_csrf_token(app, services):
    email = new_user(services, "sales_full_admin", prefix="api-session")
    client = app.test_client()
    assert sign_in(client, email).status_code == 302
    body = {"condition": "no_admin_activity", "params": {"days": 90}}
    assert client.post(RULES, json=body).status_code == 400  # no CSRF token: refused before anything
    assert client.get(RULES).get_json() == []
    made = client.post(RULES, json=body, headers=csrf_header(client))
    assert made.status_code == 201 and made.get_json()["params"] == {"days": 90}
    assert [r["id"] for r in client.get(RULES).get_json()] == [made.get_json()["id"]]
    assert client.delete(f"{RULES}/{made.get_json()['id']}", headers=csrf_header(client)).status_code == 204


def test_openapi_describes_the_alert_routes(client, people):
    doc = client.get("/api/v1/openapi.json", headers=auth(people, "ann")).get_json()
    assert set(doc["paths"]["/api/v1/alert-rules"]) == {"get", "post"}
    assert set(doc["paths"]["/api/v1/alert-rules/{id}"]) == {"get", "delete"}
    assert "get" in doc["paths"]["/api/v1/alerts"]
    new_rule = doc["components"]["schemas"]["NewAlertRule"]
    assert "poor_call_quality" in new_rule["properties"]["condition"]["enum"]
    assert new_rule["properties"]["params"]["properties"]["points"]["default"] == 15
