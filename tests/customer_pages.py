"""Helpers for the customer pages' tests: a signed-in test client, the
metrics Context and a user's scope, the page the router draws for an
address, and a callback's response as JSON text."""

from __future__ import annotations

import json

from sqlalchemy import select

from partnerhub.auth.scope import scope_for
from partnerhub.auth.users import get_user_by_email
from partnerhub.data.state import trials
from partnerhub.data.trials import ongoing_trial
from partnerhub.metrics.customer_detail import customer_detail
from partnerhub.metrics.customers import customers
from partnerhub.metrics.types import Context, Filters, View
from tests.auth_client import ROUTER, csrf_header, sign_in

FULL = "full.admin@demo.example"
ADMIN = "admin@demo.example"
READONLY = "readonly@demo.example"
SALES_FULL = "sales.full@demo.example"
SALES = "sales@demo.example"
ROLES = [FULL, ADMIN, READONLY, SALES_FULL, SALES]


def signed_in(app, email):
    client = app.test_client()
    assert sign_in(client, email).status_code == 302
    return client


def context(services) -> Context:
    return Context(services.snapshots.current(), services.state, services.settings)


def scope(services, email):
    return scope_for(services.state, email, get_user_by_email(services.state, email).role)


def expected_list(services, email, filters: Filters = Filters()):
    """What metrics.customers lists for this user (the page must show the same)."""
    return customers(context(services), View(scope=scope(services, email), filters=filters)).frame


def text(value) -> str:
    return json.dumps(value, ensure_ascii=False)


def response(r) -> dict:
    assert r.status_code == 200, r.get_data(as_text=True)
    return r.get_json()["response"]


def page(client, path: str, search: str = "") -> dict:
    """The page the router draws for an address (as the browser asks for it)."""
    body = {
        "output": ROUTER,
        "outputs": [{"id": "_pages_content", "property": "children"}, {"id": "_pages_store", "property": "data"}],
        "inputs": [
            {"id": "_pages_location", "property": "pathname", "value": path},
            {"id": "_pages_location", "property": "search", "value": search},
        ],
        "state": [],
        "changedPropIds": ["_pages_location.pathname"],
    }
    return response(client.post("/_dash-update-component", json=body, headers=csrf_header(client)))


def page_text(client, path: str, search: str = "") -> str:
    return text(page(client, path, search))


def trial_rows(services, customer_id):
    with services.state.read() as conn:
        return conn.execute(select(trials).where(trials.c.customer_id == customer_id)).all()


def free_customer(services, email, outside_of: str | None = None) -> str:
    """A customer in `email`'s scope (and outside `outside_of`'s) with no
    ongoing trial and none started in this session."""
    ctx = context(services)
    view = View(scope=scope(services, email))
    excluded = scope(services, outside_of) if outside_of else None
    for cid in expected_list(services, email)["customer_id"].to_list():
        if excluded is not None and cid in excluded:
            continue
        detail = customer_detail(ctx, view, cid)
        assert detail is not None
        if ongoing_trial(services.state, detail.trials, cid, ctx.as_of) is None and not trial_rows(services, cid):
            return cid
    raise AssertionError("no customer without a trial")
