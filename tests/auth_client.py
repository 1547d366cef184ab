"""Helpers for tests that talk to the app over HTTP with Flask's test client:
sign in through the real form, and call Dash callbacks the way the browser
does (the X-CSRFToken header copied from the _csrf_token cookie).

    from tests.auth_client import sign_in, dash_callback, new_user
    client = app.test_client(); sign_in(client, "admin@demo.example")
    r = dash_callback(client, "customers-table.children", {"customers-search.value": "acme"})
"""

from __future__ import annotations

import json
import re
import uuid

from tests.conftest import PASSWORD

CSRF_FIELD = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
ROUTER = ".._pages_content.children..._pages_store.data.."


def form_token(client, path: str = "/login") -> str:
    page = client.get(path).get_data(as_text=True)
    match = CSRF_FIELD.search(page)
    assert match, f"no CSRF field on {path}"
    return match.group(1)


def sign_in(client, email: str, password: str = PASSWORD, next: str | None = None, **kwargs):
    """Signs in through /login; returns the POST response (302 on success)."""
    data = {"email": email, "password": password, "csrf_token": form_token(client)}
    if next is not None:
        data["next"] = next
    return client.post("/login", data=data, **kwargs)


def csrf_header(client) -> dict:
    cookie = client.get_cookie("_csrf_token")
    return {"X-CSRFToken": cookie.value} if cookie else {}


def dependencies(client) -> list[dict]:
    response = client.get("/_dash-dependencies")
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def find_output(client, fragment: str, input_id: str | None = None) -> dict:
    """The registered callback whose output key contains `fragment` (and,
    when given, one of whose input ids contains `input_id`)."""
    found = [
        d
        for d in dependencies(client)
        if fragment in d["output"] and (input_id is None or any(input_id in str(i["id"]) for i in d["inputs"]))
    ]
    assert len(found) == 1, f"{len(found)} callbacks match {fragment!r}"
    return found[0]


def _outputs(key: str):
    def one(part):
        ident, prop = part.rsplit(".", 1)
        return {"id": ident, "property": prop}

    if key.startswith(".."):
        return [one(p) for p in key[2:-2].split("...")]
    return one(key)


def _prop_id(dep: dict) -> str:
    ident = dep["id"]
    if isinstance(ident, str) and ident.startswith("{"):
        return json.loads(ident).get("type", "")
    return ident if isinstance(ident, str) else ident.get("type", "")


def pattern_prop_id(ident: dict, prop: str) -> str:
    """How Dash names a pattern-matching id in changedPropIds."""
    return "{" + ",".join(f"{json.dumps(k)}:{json.dumps(ident[k])}" for k in sorted(ident)) + "}." + prop


def callback_body(dep: dict, values: dict, changed: list[str] | None = None) -> dict:
    """A body like Dash's renderer sends. values: {"<id>.<property>": value};
    a pattern-matching ALL input takes a list of {"id": {...}, "property": ..., "value": ...}."""

    def fill(items):
        filled = []
        for item in items:
            key = f"{_prop_id(item)}.{item['property']}"
            value = values.get(key)
            if isinstance(item["id"], str) and item["id"].startswith("{"):
                filled.append(value if isinstance(value, list) else [])
            else:
                filled.append({"id": item["id"], "property": item["property"], "value": value})
        return filled

    return {
        "output": dep["output"],
        "outputs": _outputs(dep["output"]),
        "inputs": fill(dep["inputs"]),
        "state": fill(dep["state"]),
        "changedPropIds": changed or [],
    }


def dash_callback(
    client,
    output_fragment: str,
    values: dict,
    changed: list[str] | None = None,
    headers: dict | None = None,
    input_id: str | None = None,
):
    """POSTs the callback whose output key contains `output_fragment` with
    `values` ({"<id>.<property>": value}) for its inputs and states."""
    dep = find_output(client, output_fragment, input_id)
    body = callback_body(dep, values, changed)
    return client.post(
        "/_dash-update-component", json=body, headers=csrf_header(client) if headers is None else headers
    )


def router_body(pathname: str, search: str = "") -> dict:
    """The body of the pages router callback asking for `pathname`."""
    return {
        "output": ROUTER,
        "outputs": [{"id": "_pages_content", "property": "children"}, {"id": "_pages_store", "property": "data"}],
        "inputs": [
            {"id": "_pages_location", "property": "pathname", "value": pathname},
            {"id": "_pages_location", "property": "search", "value": search},
        ],
        "state": [],
        "changedPropIds": ["_pages_location.pathname"],
    }


def router(client, pathname: str, headers: dict | None = None):
    """The pages router callback asking for `pathname`."""
    return client.post(
        "/_dash-update-component",
        json=router_body(pathname),
        headers=csrf_header(client) if headers is None else headers,
    )


def new_user(services, role: str, password: str | None = PASSWORD, prefix: str = "t") -> str:
    """A user of its own for one test (the session app is shared); returns the e-mail."""
    from partnerhub.auth.users import add_or_update_user

    email = f"{prefix}-{uuid.uuid4().hex[:10]}@tests.example"
    add_or_update_user(services.state, "tests", email, f"Test {role}", role, password=password)
    return email


def api_tokens(app, emails, name: str = "tests") -> dict[str, str]:
    """A fresh API token for each of these users, by e-mail."""
    from partnerhub.auth.tokens import create_token
    from partnerhub.auth.users import get_user_by_email

    svc = app.extensions["partnerhub"]
    return {email: create_token(svc.state, get_user_by_email(svc.state, email).id, name) for email in emails}
