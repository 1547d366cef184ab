"""API tokens: shown once, stored hashed, Bearer for /api/* only, with the
owner's role and scope; revoked, unknown or disabled -> 401."""

from __future__ import annotations

import hashlib

import pytest
from sqlalchemy import select

from partnerhub.auth.scope import current_scope
from partnerhub.auth.session import current_identity
from partnerhub.auth.tokens import authenticate_token, create_token, list_tokens, revoke_all_tokens, revoke_token
from partnerhub.auth.users import assign_customers, get_user_by_email, set_disabled
from partnerhub.data.state import api_tokens, audit_log
from tests.auth_client import new_user

API = "/api/v1/datasets"


def _bearer(secret):
    return {"Authorization": f"Bearer {secret}"}


def _token_for(services, role):
    email = new_user(services, role)
    user = get_user_by_email(services.state, email)
    return email, user, create_token(services.state, user.id, "notebook")


def test_token_is_stored_hashed_with_a_prefix(services):
    email, user, secret = _token_for(services, "partner_readonly_admin")
    with services.state.read() as conn:
        row = conn.execute(select(api_tokens).where(api_tokens.c.user_id == user.id)).one()
        audit = conn.execute(
            select(audit_log).where(audit_log.c.target == email, audit_log.c.action == "token.create")
        ).one()
    assert row.token_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in (row.token_hash, row.prefix) and secret.startswith(row.prefix)
    assert audit.after == {"name": "notebook", "prefix": row.prefix}
    assert [t["name"] for t in list_tokens(services.state, user.id)] == ["notebook"]
    with pytest.raises(ValueError):
        create_token(services.state, user.id, "  ")


def test_valid_token_authenticates_api_requests_with_the_owners_role(app, client, services):
    email, user, secret = _token_for(services, "partner_readonly_admin")
    response = client.get(API, headers=_bearer(secret))
    assert response.status_code != 401
    # no session for a token request
    assert not any(c.startswith(("session=", "_csrf_token=")) for c in response.headers.getlist("Set-Cookie"))
    with app.test_request_context(API, headers=_bearer(secret)):
        assert app.preprocess_request() is None
        ident = current_identity()
        assert (ident.email, ident.role) == (email, "partner_readonly_admin")
        assert current_scope() is None
    with services.state.read() as conn:
        assert conn.execute(select(api_tokens.c.last_used_at).where(api_tokens.c.user_id == user.id)).scalar()


def test_token_carries_the_owners_scope(app, services):
    email, _user, secret = _token_for(services, "partner_admin")
    assign_customers(services.state, "tests", email, ["CUST-000002", "CUST-000005"])
    with app.test_request_context(API, headers=_bearer(secret)):
        assert app.preprocess_request() is None
        assert current_scope() == frozenset({"CUST-000002", "CUST-000005"})


def test_token_works_only_for_the_api(client, services):
    _email, _user, secret = _token_for(services, "partner_full_admin")
    assert client.get("/_dash-layout", headers=_bearer(secret)).status_code == 401
    assert client.get("/", headers=_bearer(secret)).status_code == 302


@pytest.mark.parametrize("header", ["Bearer phk_unknown", "Bearer ", "Bearer nonsense", "Basic dXNlcjpwYXNz"])
def test_unknown_or_malformed_token_is_401(client, header):
    response = client.get(API, headers={"Authorization": header})
    assert response.status_code == 401
    assert "error" in response.get_json()


def test_revoked_token_is_401(client, services):
    email, user, secret = _token_for(services, "partner_readonly_admin")
    token_id = list_tokens(services.state, user.id)[0]["id"]
    other = get_user_by_email(services.state, new_user(services, "partner_readonly_admin"))
    with pytest.raises(ValueError):  # not the owner: nothing changes
        revoke_token(services.state, other.email, token_id, other.id)
    assert client.get(API, headers=_bearer(secret)).status_code != 401
    revoke_token(services.state, email, token_id, user.id)
    assert client.get(API, headers=_bearer(secret)).status_code == 401
    assert authenticate_token(services.state, secret) is None
    assert list_tokens(services.state, user.id) == []
    assert len(list_tokens(services.state, user.id, include_revoked=True)) == 1


def test_full_admin_revokes_all_tokens_of_a_user(client, services):
    email, user, first = _token_for(services, "sales_admin")
    second = create_token(services.state, user.id, "second")
    assert revoke_all_tokens(services.state, "full.admin@demo.example", user.id) == 2
    for secret in (first, second):
        assert client.get(API, headers=_bearer(secret)).status_code == 401
    with services.state.read() as conn:
        audit = conn.execute(
            select(audit_log).where(audit_log.c.target == email, audit_log.c.action == "token.revoke_all")
        ).one()
    assert audit.actor == "full.admin@demo.example"


def test_disabled_owners_token_is_401(client, services):
    email, _user, secret = _token_for(services, "partner_readonly_admin")
    set_disabled(services.state, "tests", email, True)
    assert client.get(API, headers=_bearer(secret)).status_code == 401
    set_disabled(services.state, "tests", email, False)
    assert client.get(API, headers=_bearer(secret)).status_code != 401
