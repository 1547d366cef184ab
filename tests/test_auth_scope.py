"""Customer scope per role, computed on the server only; require_action()
checks role and scope; assignments keep tombstones across imports."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import insert, select

from partnerhub.auth.guard import Refused, area_allowed, in_scope, require_action
from partnerhub.auth.scope import current_scope, customer_scope
from partnerhub.auth.session import Identity, current_identity
from partnerhub.auth.users import assign_customers, assignments_for_customer, get_user_by_email, unassign_customer
from partnerhub.data.importer import merge_directory
from partnerhub.data.state import admin_assignments, audit_log, trials, users
from tests.auth_client import csrf_header, new_user, router_body, sign_in


def _identity(services, email):
    row = get_user_by_email(services.state, email)
    return Identity(row.id, row.email, row.name, row.role)


def _scope(app, services, email):
    with app.app_context():
        return customer_scope(_identity(services, email))


def _assigned_in_store(services, email):
    with services.state.read() as conn:
        return frozenset(
            conn.execute(
                select(admin_assignments.c.customer_id)
                .join(users, users.c.id == admin_assignments.c.user_id)
                .where(users.c.email == email, admin_assignments.c.removed_at.is_(None))
            ).scalars()
        )


def test_partner_admin_scope_is_exactly_the_assigned_customers(app, services):
    scope = _scope(app, services, "admin@demo.example")
    assert scope == _assigned_in_store(services, "admin@demo.example")
    assert len(scope) > 0


@pytest.mark.parametrize("email", ["full.admin@demo.example", "readonly@demo.example", "sales.full@demo.example"])
def test_roles_that_see_everything_have_no_scope(app, services, email):
    assert _scope(app, services, email) is None


def test_anonymous_sees_nothing(app):
    with app.app_context():
        assert customer_scope(None) == frozenset()


def test_sales_admin_scope_adds_customers_they_started_a_trial_for(app, services):
    email = new_user(services, "sales_admin")
    assign_customers(services.state, "tests", email, ["CUST-000010"])
    with services.state.write() as conn:
        conn.execute(
            insert(trials).values(
                customer_id="CUST-000011",
                licenses={"meetings": 5},
                start_date=date(2025, 1, 5),
                end_date=date(2025, 2, 4),
                days=30,
                created_by=email,
            )
        )
        conn.execute(
            insert(trials).values(
                customer_id="CUST-000012",
                licenses={"meetings": 5},
                start_date=date(2025, 1, 5),
                end_date=date(2025, 2, 4),
                days=30,
                created_by="someone.else@demo.example",
            )
        )
    assert _scope(app, services, email) == frozenset({"CUST-000010", "CUST-000011"})


def test_a_partner_admin_does_not_get_trial_customers(app, services):
    email = new_user(services, "partner_admin")
    with services.state.write() as conn:
        conn.execute(
            insert(trials).values(
                customer_id="CUST-000013",
                licenses={"meetings": 5},
                start_date=date(2025, 1, 5),
                end_date=date(2025, 2, 4),
                days=30,
                created_by=email,
            )
        )
    assert _scope(app, services, email) == frozenset()


def test_unassigning_leaves_a_tombstone_that_an_import_respects(app, services):
    email = new_user(services, "partner_admin")
    assert assign_customers(services.state, "tests", email, ["CUST-000020", "CUST-000021"]) == [
        "CUST-000020",
        "CUST-000021",
    ]
    assert assign_customers(services.state, "tests", email, ["CUST-000020"]) == []  # already there
    unassign_customer(services.state, "full.admin@demo.example", email, "CUST-000021")
    assert _scope(app, services, email) == frozenset({"CUST-000020"})
    assert email not in [a["email"] for a in assignments_for_customer(services.state, "CUST-000021")]
    merge_directory(services.state, [], [("CUST-000021", email)])
    assert _scope(app, services, email) == frozenset({"CUST-000020"})
    with services.state.read() as conn:
        row = conn.execute(
            select(admin_assignments)
            .join(users, users.c.id == admin_assignments.c.user_id)
            .where(users.c.email == email, admin_assignments.c.customer_id == "CUST-000021")
        ).one()
        actions = conn.execute(
            select(audit_log.c.action, audit_log.c.customer_id, audit_log.c.actor)
            .where(audit_log.c.target == email)
            .order_by(audit_log.c.id)
        ).all()
    assert row.removed_by == "full.admin@demo.example" and row.removed_at is not None
    assert actions[-3:] == [
        ("assignment.add", "CUST-000020", "tests"),
        ("assignment.add", "CUST-000021", "tests"),
        ("assignment.remove", "CUST-000021", "full.admin@demo.example"),
    ]
    # assigning again in the app brings it back
    assign_customers(services.state, "tests", email, ["CUST-000021"])
    assert _scope(app, services, email) == frozenset({"CUST-000020", "CUST-000021"})


def test_assignment_input_is_checked(app, services):
    email = new_user(services, "partner_admin")
    for bad in ([], ["bad id!"], [""]):
        with pytest.raises(ValueError):
            assign_customers(services.state, "tests", email, bad)
    with pytest.raises(ValueError, match="sees every customer"):
        assign_customers(services.state, "tests", "readonly@demo.example", ["CUST-000001"])
    with pytest.raises(ValueError, match="no user"):
        assign_customers(services.state, "tests", "nobody@demo.example", ["CUST-000001"])
    with pytest.raises(ValueError, match="not assigned"):
        unassign_customer(services.state, "tests", email, "CUST-000001")


def _request_as(app, email, path="/_dash-update-component", **kwargs):
    """A request context carrying the session cookie of `email`, run through the guard."""
    client = app.test_client()
    assert sign_in(client, email).status_code == 302
    # the same client address and browser, or strong session protection ends the session
    headers = {
        "Cookie": f"session={client.get_cookie('session').value}",
        **csrf_header(client),
        "User-Agent": client.environ_base["HTTP_USER_AGENT"],
        **kwargs.pop("headers", {}),
    }
    return app.test_request_context(path, headers=headers, environ_base=dict(client.environ_base), **kwargs)


def test_a_forged_callback_body_cannot_widen_the_scope(app, services):
    forged_states = [
        {"id": "scope", "property": "data", "value": None},
        {"id": "role", "property": "data", "value": "partner_full_admin"},
    ]
    # states the callback does not have are refused before it runs (auth/callback_inputs.py)
    with _request_as(app, "admin@demo.example", method="POST", json={**router_body("/"), "state": forged_states}):
        refused = app.preprocess_request()
        assert refused is not None and refused.status_code == 400
    # keys Dash does not read pass, and change nothing
    forged = {
        **router_body("/"),
        "scope": None,
        "role": "partner_full_admin",
        "customer_ids": ["CUST-000001"],
    }
    with _request_as(
        app,
        "admin@demo.example",
        method="POST",
        json=forged,
        headers={"X-Scope": "all", "X-Role": "partner_full_admin"},
        query_string={"scope": "all", "role": "partner_full_admin"},
    ):
        assert app.preprocess_request() is None
        assert current_identity().role == "partner_admin"
        assert current_scope() == _assigned_in_store(services, "admin@demo.example")
        assert not area_allowed("administration")


def test_require_action_checks_role_and_scope(app, services):
    inside = sorted(_assigned_in_store(services, "admin@demo.example"))[0]
    outside = "CUST-999999"
    with _request_as(app, "admin@demo.example", path="/"):
        app.preprocess_request()
        assert require_action("trial.manage", inside).role == "partner_admin"
        assert in_scope(inside) and not in_scope(outside)
        with pytest.raises(Refused) as refused:
            require_action("trial.manage", outside)
        assert refused.value.status == 404 and refused.value.message == "Customer not found."
        with pytest.raises(Refused) as refused:
            require_action("user.manage")
        assert refused.value.status == 403
        assert require_action("tag.manage")
    with _request_as(app, "sales.full@demo.example", path="/"):
        app.preprocess_request()
        assert require_action("trial.manage", outside)  # sales full: any customer
        with pytest.raises(Refused):
            require_action("tag.assign", inside)
    with _request_as(app, "readonly@demo.example", path="/"):
        app.preprocess_request()
        for action in ("trial.manage", "tag.manage", "tag.assign", "assignment.manage", "user.manage"):
            with pytest.raises(Refused):
                require_action(action, inside)
        assert require_action("account.manage")
        with pytest.raises(Refused):
            require_action("no.such.action")
    with app.test_request_context("/"):
        app.preprocess_request()
        with pytest.raises(Refused) as refused:
            require_action("account.manage")
        assert refused.value.status == 401
