"""Helpers for the analytics, calling and resources page tests: open a page
through the real router (with a query string), call a page callback, find a
component's value in a Dash response, and compute what the page should show
by calling the metrics functions for the same snapshot and scope."""

from __future__ import annotations

import json

from tests.auth_client import csrf_header, dash_callback, sign_in

ROLES = {
    "full.admin@demo.example": "partner_full_admin",
    "admin@demo.example": "partner_admin",
    "readonly@demo.example": "partner_readonly_admin",
    "sales.full@demo.example": "sales_full_admin",
    "sales@demo.example": "sales_admin",
}
CALLING_EMAILS = ("full.admin@demo.example", "admin@demo.example", "readonly@demo.example")
ROUTER = ".._pages_content.children..._pages_store.data.."


def signed_in(app, email: str):
    client = app.test_client()
    assert sign_in(client, email).status_code == 302
    return client


def open_page(client, pathname: str, search: str = ""):
    """The pages router callback for pathname + search, as the browser sends it."""
    body = {
        "output": ROUTER,
        "outputs": [{"id": "_pages_content", "property": "children"}, {"id": "_pages_store", "property": "data"}],
        "inputs": [
            {"id": "_pages_location", "property": "pathname", "value": pathname},
            {"id": "_pages_location", "property": "search", "value": search},
        ],
        "state": [],
        "changedPropIds": ["_pages_location.pathname"],
    }
    return client.post("/_dash-update-component", json=body, headers=csrf_header(client))


def layout_of(response) -> dict:
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return response.get_json()["response"]["_pages_content"]["children"]


def find(tree, component_id: str) -> dict | None:
    """The props of the component with this id in a serialised layout."""
    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, list):
            stack.extend(node)
        elif isinstance(node, dict):
            props = node.get("props")
            if isinstance(props, dict):
                if props.get("id") == component_id:
                    return props
                stack.extend(v for v in props.values() if isinstance(v, (list, dict)))
    return None


def text_of(node) -> str:
    """All text of a serialised component tree, in order."""
    if node is None:
        return ""
    if isinstance(node, str):
        return node
    if isinstance(node, (int, float)):
        return str(node)
    if isinstance(node, list):
        return "".join(text_of(n) for n in node)
    if isinstance(node, dict):
        props = node.get("props", node)
        return text_of(props.get("children"))
    return ""


def call(client, output: str, values: dict, input_id: str | None = None) -> dict:
    """A page callback's response: {component_id: {property: value}}."""
    response = dash_callback(client, output, values, input_id=input_id)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return response.get_json()["response"]


def context(services):
    from partnerhub.metrics.types import Context

    return Context(services.snapshots.current(), services.state, services.settings)


def scope_of(services, email: str):
    from partnerhub.auth.scope import scope_for

    return scope_for(services.state, email, ROLES[email])


def view(services, email: str, product: str = "meetings"):
    from partnerhub.metrics.types import View

    return View(scope=scope_of(services, email), product=product)


def dumps(value) -> str:
    return json.dumps(value, ensure_ascii=False)
