"""The data status on the Administration page (moved from the home page):
the snapshot served, its as_of, when it was imported and the row count of
each main table, over HTTP as the browser asks for the page; only the
partner's full administrator gets it."""

from __future__ import annotations

import json

import duckdb
import pytest

from partnerhub.formatting import fmt_datetime
from partnerhub.pages._admin.data_status_tab import COUNTED
from tests.auth_client import router, sign_in

FULL = "full.admin@demo.example"


def _layout(app, email: str):
    client = app.test_client()
    assert sign_in(client, email).status_code == 302
    return router(client, "/admin")


def _component(tree, component_id):
    if isinstance(tree, list):
        return next((found for item in tree if (found := _component(item, component_id))), None)
    if not isinstance(tree, dict):
        return None
    if tree.get("props", {}).get("id") == component_id:
        return tree
    return next((found for value in tree.values() if (found := _component(value, component_id))), None)


def _text(component) -> str:
    children = component["props"]["children"]
    return children if isinstance(children, str) else "".join(c for c in children if isinstance(c, str))


def test_the_full_admin_sees_the_snapshot_and_its_row_counts(app, services):
    response = _layout(app, FULL)
    assert response.status_code == 200
    tree = response.get_json()["response"]
    snap = services.snapshots.current()
    assert _text(_component(tree, "admin-snapshot-id")) == snap.id
    assert f"Data as of {snap.as_of.isoformat()}" in _text(_component(tree, "data-as-of"))
    assert _text(_component(tree, "admin-imported-at")) == f"imported {fmt_datetime(snap.imported_at, 'UTC')}"
    # counted here, straight from the snapshot file, not from its row_counts table
    con = duckdb.connect(str(snap.path), read_only=True)
    try:
        for table, _label in COUNTED:
            (n,) = con.execute(f"SELECT count(*) FROM {table}").fetchone()
            assert n > 0
            assert _text(_component(tree, f"admin-count-{table}")) == f"{n:,}"
    finally:
        con.close()


@pytest.mark.parametrize(
    "email", ["admin@demo.example", "readonly@demo.example", "sales.full@demo.example", "sales@demo.example"]
)
def test_no_other_role_gets_the_data_status(app, email):
    response = _layout(app, email)
    assert response.status_code == 403
    body = json.dumps(response.get_json()) if response.is_json else response.get_data(as_text=True)
    assert "admin-snapshot-id" not in body and "admin-count-" not in body
