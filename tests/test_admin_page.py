"""The administration and account pages through their Dash callbacks, over
HTTP as the browser sends them: accepted writes are made and audited, refused
ones change nothing."""

from __future__ import annotations

import json
import uuid

import pytest
from sqlalchemy import select

from partnerhub.auth.tokens import create_token, list_tokens
from partnerhub.auth.users import assignments_for_user, get_user_by_email
from partnerhub.data.state import audit_log
from tests.auth_client import dash_callback, new_user, pattern_prop_id, router, sign_in
from tests.conftest import PASSWORD

FULL = "full.admin@demo.example"


def _client(app, email, password=PASSWORD):
    client = app.test_client()
    assert sign_in(client, email, password).status_code == 302
    return client


def _text(response) -> str:
    assert response.status_code == 200, response.get_data(as_text=True)
    return json.dumps(response.get_json()["response"], ensure_ascii=False)


def _component(tree, component_id):
    """The component with this id in a callback's answer (a tree of dicts and lists)."""
    if isinstance(tree, list):
        return next((found for item in tree if (found := _component(item, component_id))), None)
    if not isinstance(tree, dict):
        return None
    if tree.get("props", {}).get("id") == component_id:
        return tree
    return next((found for value in tree.values() if (found := _component(value, component_id))), None)


def _audit(services, **where):
    q = select(audit_log).order_by(audit_log.c.id)
    for column, value in where.items():
        q = q.where(getattr(audit_log.c, column) == value)
    with services.state.read() as conn:
        return conn.execute(q).all()


def _add_user(client, email, role="partner_admin", password=""):
    return dash_callback(
        client,
        "admin-add-password.value",
        {
            "admin-add-submit.n_clicks": 1,
            "admin-add-email.value": email,
            "admin-add-name.value": "New Person",
            "admin-add-role.value": role,
            "admin-add-password.value": password,
            "admin-refresh.data": 0,
        },
        changed=["admin-add-submit.n_clicks"],
    )


def _change_user(client, button, email, role=None, password=None):
    return dash_callback(
        client,
        "admin-reset-password.value",
        {
            f"{button}.n_clicks": 1,
            "admin-user-select.value": email,
            "admin-role-select.value": role,
            "admin-reset-password.value": password,
            "admin-refresh.data": 3,
        },
        changed=[f"{button}.n_clicks"],
    )


def test_the_page_renders_for_the_full_admin(app):
    text = _text(router(_client(app, FULL), "/admin"))
    for component in ("admin-users-grid", "admin-add-submit", "admin-assign-user", "admin-audit-grid"):
        assert component in text
    assert "readonly@demo.example" in text


def test_full_admin_adds_a_user(app, services):
    email = f"added-{uuid.uuid4().hex[:8]}@tests.example"
    text = _text(_add_user(_client(app, FULL), email, "sales_admin", PASSWORD))
    assert f"Added {email}." in text
    row = get_user_by_email(services.state, email)
    assert (row.name, row.role, row.source) == ("New Person", "sales_admin", "app")
    [entry] = _audit(services, target=email)
    assert (entry.actor, entry.action, entry.after["role"]) == (FULL, "user.add", "sales_admin")
    assert sign_in(app.test_client(), email).status_code == 302


def test_bad_input_is_a_message_and_changes_nothing(app, services):
    client = _client(app, FULL)
    before = len(_audit(services))
    assert "not an e-mail address" in _text(_add_user(client, "not an email"))
    assert "at least 10 characters" in _text(_add_user(client, "short@tests.example", password="short"))
    assert "exists already" in _text(_add_user(client, "readonly@demo.example"))
    assert "you cannot disable yourself" in _text(_change_user(client, "admin-disable-submit", FULL))
    assert "Pick a user first" in _text(_change_user(client, "admin-disable-submit", None))
    assert get_user_by_email(services.state, "short@tests.example") is None
    assert not get_user_by_email(services.state, FULL).disabled
    assert len(_audit(services)) == before


@pytest.mark.parametrize("email", ["readonly@demo.example", "admin@demo.example", "sales.full@demo.example"])
def test_other_roles_cannot_add_users(app, services, email):
    target = f"forged-{uuid.uuid4().hex[:8]}@tests.example"
    response = _add_user(_client(app, email), target, "partner_full_admin", PASSWORD)
    assert response.status_code == 403
    assert get_user_by_email(services.state, target) is None
    assert _audit(services, target=target) == []


def test_reset_password_shows_a_generated_one_once_and_ends_sessions(app, services):
    email = new_user(services, "partner_admin")
    victim = _client(app, email)
    response = _change_user(_client(app, FULL), "admin-reset-submit", email)
    text = _text(response)
    generated = _component(response.get_json()["response"]["admin-users-feedback"], "admin-generated-password")
    new_password = generated["props"]["children"]
    assert len(new_password) >= 10 and "shown only now" in text
    assert victim.get("/_dash-layout").status_code == 401
    assert sign_in(app.test_client(), email).status_code == 200  # the old password is gone
    assert sign_in(app.test_client(), email, new_password).status_code == 302
    [entry] = _audit(services, target=email, action="user.password_reset")
    assert entry.actor == FULL and new_password not in json.dumps([entry.before, entry.after])


def test_role_change_disable_enable_and_token_revocation(app, services):
    email = new_user(services, "partner_admin")
    user = get_user_by_email(services.state, email)
    secret = create_token(services.state, user.id, "script")
    admin = _client(app, FULL)
    assert "is now: Sales administrator" in _text(_change_user(admin, "admin-role-submit", email, "sales_admin"))
    assert get_user_by_email(services.state, email).role == "sales_admin"
    assert "is disabled" in _text(_change_user(admin, "admin-disable-submit", email))
    assert sign_in(app.test_client(), email).status_code == 200
    assert "is enabled" in _text(_change_user(admin, "admin-enable-submit", email))
    assert sign_in(app.test_client(), email).status_code == 302
    assert "Revoked 1 API token of" in _text(_change_user(admin, "admin-revoke-tokens-submit", email))
    assert app.test_client().get("/api/v1/datasets", headers={"Authorization": f"Bearer {secret}"}).status_code == 401
    actions = [(e.actor, e.action) for e in _audit(services, target=email)]
    assert actions[-4:] == [
        (FULL, "user.role"),
        (FULL, "user.disable"),
        (FULL, "user.enable"),
        (FULL, "token.revoke_all"),
    ]


def test_assign_and_unassign_customers(app, services):
    email = new_user(services, "partner_admin")
    admin = _client(app, FULL)
    options = dash_callback(
        admin,
        "admin-assign-customers.options",
        {"admin-assign-customers.search_value": "CUST-00003", "admin-assign-customers.value": []},
    )
    found = [o["value"] for o in options.get_json()["response"]["admin-assign-customers"]["options"]]
    assert "CUST-000030" in found and len(found) <= 50

    def assign(ids):
        return dash_callback(
            admin,
            "admin-assign-customers.value",
            {
                "admin-assign-submit.n_clicks": 1,
                "admin-assign-user.value": email,
                "admin-assign-customers.value": ids,
                "admin-assign-refresh.data": 0,
            },
            changed=["admin-assign-submit.n_clicks"],
        )

    assert "Unknown customer id: NOPE-1." in _text(assign(["CUST-000030", "NOPE-1"]))
    assert assignments_for_user(services.state, email) == []
    assert "Assigned 2 customers" in _text(assign(["CUST-000030", "CUST-000031"]))
    assert [a["customer_id"] for a in assignments_for_user(services.state, email)] == ["CUST-000030", "CUST-000031"]
    response = dash_callback(
        admin,
        "admin-unassign-customers.value",
        {
            "admin-unassign-submit.n_clicks": 1,
            "admin-assign-user.value": email,
            "admin-unassign-customers.value": ["CUST-000030"],
            "admin-assign-refresh.data": 1,
        },
        changed=["admin-unassign-submit.n_clicks"],
    )
    assert "Removed 1 customer from" in _text(response)
    shown = dash_callback(
        admin, "admin-assignments-grid.rowData", {"admin-assign-user.value": email, "admin-assign-refresh.data": 2}
    ).get_json()["response"]
    assert [r["customer_id"] for r in shown["admin-assignments-grid"]["rowData"]] == ["CUST-000031"]
    assert [o["value"] for o in shown["admin-unassign-customers"]["options"]] == ["CUST-000031"]
    assert [a["customer_id"] for a in assignments_for_user(services.state, email)] == ["CUST-000031"]
    actions = [(e.action, e.customer_id, e.actor) for e in _audit(services, target=email)][-3:]
    assert actions == [
        ("assignment.add", "CUST-000030", FULL),
        ("assignment.add", "CUST-000031", FULL),
        ("assignment.remove", "CUST-000030", FULL),
    ]
    # a partner admin cannot assign, not even to themselves
    partner = _client(app, email)
    response = dash_callback(
        partner,
        "admin-assign-customers.value",
        {
            "admin-assign-submit.n_clicks": 1,
            "admin-assign-user.value": email,
            "admin-assign-customers.value": ["CUST-000001"],
            "admin-assign-refresh.data": 0,
        },
        changed=["admin-assign-submit.n_clicks"],
    )
    assert response.status_code == 403
    assert [a["customer_id"] for a in assignments_for_user(services.state, email)] == ["CUST-000031"]


def test_audit_log_filters(app, services):
    email = new_user(services, "partner_admin", prefix="audited")
    admin = _client(app, FULL)

    def audit(**filters):
        values = {
            "admin-audit-who.value": None,
            "admin-audit-action.value": "",
            "admin-audit-customer.value": None,
            "admin-audit-from.value": None,
            "admin-audit-to.value": None,
            "admin-refresh.data": 0,
            "admin-assign-refresh.data": 0,
        }
        values.update({f"admin-audit-{k}.value": v for k, v in filters.items()})
        return _text(dash_callback(admin, "admin-audit-grid.rowData", values))

    assert email in audit(who="tests", action="user.add")
    assert email not in audit(who="import")
    assert '"rowData": []' in audit(action="user.add", **{"from": "2001-01-01", "to": "2001-01-02"})
    assert "ends before it starts" in audit(**{"from": "2001-01-02", "to": "2001-01-01"})


# ---- the account page -----------------------------------------------------------------


def test_account_tokens_create_and_revoke(app, services):
    email = new_user(services, "sales_admin")
    user = get_user_by_email(services.state, email)
    client = _client(app, email)
    assert "account-token-create" in _text(router(client, "/account"))
    response = dash_callback(
        client,
        "account-token-name.value",
        {"account-token-create.n_clicks": 1, "account-token-name.value": "my notebook"},
        changed=["account-token-create.n_clicks"],
    )
    text = _text(response)
    assert "shown only once" in text
    [token] = list_tokens(services.state, user.id)
    secret = next(part for part in text.split('"') if part.startswith(token["prefix"]) and len(part) > 40)
    api = app.test_client()
    assert api.get("/api/v1/datasets", headers={"Authorization": f"Bearer {secret}"}).status_code != 401

    def revoke(client, token_id):
        button = {"token": token_id, "type": "account-token-revoke"}
        return dash_callback(
            client,
            "account-tokens.children",
            {"account-token-revoke.n_clicks": [{"id": button, "property": "n_clicks", "value": 1}]},
            changed=[pattern_prop_id(button, "n_clicks")],
            input_id="account-token-revoke",
        )

    # someone else cannot revoke it by naming its id
    assert "no such token" in _text(revoke(_client(app, "readonly@demo.example"), token["id"]))
    assert api.get("/api/v1/datasets", headers={"Authorization": f"Bearer {secret}"}).status_code != 401
    assert "The token is revoked." in _text(revoke(client, token["id"]))
    assert api.get("/api/v1/datasets", headers={"Authorization": f"Bearer {secret}"}).status_code == 401
    assert [e.action for e in _audit(services, target=email)][-2:] == ["token.create", "token.revoke"]


def test_change_own_password(app, services):
    email = new_user(services, "partner_readonly_admin")
    client, elsewhere = _client(app, email), _client(app, email)
    new = "a brand new password"

    def change(current, new, repeat):
        return _text(
            dash_callback(
                client,
                "account-password-feedback.children",
                {
                    "account-password-submit.n_clicks": 1,
                    "account-password-current.value": current,
                    "account-password-new.value": new,
                    "account-password-repeat.value": repeat,
                },
                changed=["account-password-submit.n_clicks"],
            )
        )

    assert "the current password is wrong" in change("not my password", new, new)
    assert "differ" in change(PASSWORD, new, new + "x")
    assert "at least 10 characters" in change(PASSWORD, "short", "short")
    assert elsewhere.get("/_dash-layout").status_code == 200  # nothing changed yet
    assert "Your password is changed" in change(PASSWORD, new, new)
    assert client.get("/_dash-layout").status_code == 200  # this session goes on
    assert elsewhere.get("/_dash-layout").status_code == 401  # every other one ends
    assert sign_in(app.test_client(), email, new).status_code == 302
    assert [(e.actor, e.action) for e in _audit(services, target=email)][-1] == (email, "user.password_change")


def test_every_role_has_the_account_page_and_only_the_full_admin_the_admin_page(app):
    for email in (
        "full.admin@demo.example",
        "admin@demo.example",
        "readonly@demo.example",
        "sales.full@demo.example",
        "sales@demo.example",
    ):
        client = _client(app, email)
        assert router(client, "/account").status_code == 200
        assert router(client, "/admin").status_code == (200 if email == FULL else 403)
