"""Every answer of the API that is an error is JSON {"error": "<a sentence>"}
(interfaces.md), those werkzeug gives before any view runs included: a
method a route does not take (405, with its Allow header), an unknown
address (404), a body it cannot read (400); and a caller signed out (401)."""

from __future__ import annotations

import pytest

from tests.auth_client import api_tokens, new_user

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")


def _api_routes(app) -> dict[str, set[str]]:
    """Each /api/v1 address (a sample file name filled in) -> the methods it takes."""
    routes: dict[str, set[str]] = {}
    for rule in app.url_map.iter_rules():
        path = str(rule)
        if not path.startswith("/api/v1/"):
            continue
        path = path.replace("<string:filename>", "customers.csv").replace("<int:rule_id>", "1")
        path = path.replace("<string:customer_id>", "NO-SUCH-CUSTOMER")
        if "<" in path:  # a converter this test does not know yet: skipped, and said so
            pytest.fail(f"fill in a sample value for {path}")
        routes.setdefault(path, set()).update(rule.methods or ())
    return routes


@pytest.fixture(scope="module")
def bearer(app) -> dict[str, str]:
    email = new_user(app.extensions["partnerhub"], "partner_full_admin", prefix="apierr")
    return {"Authorization": f"Bearer {api_tokens(app, [email])[email]}"}


def _json_error(response) -> str:
    assert response.content_type.startswith("application/json"), response.get_data(as_text=True)[:200]
    message = response.get_json()["error"]
    assert message and message.strip()[-1] in ".。", message
    return message


def test_every_api_route_answers_a_wrong_method_with_json_405(app, bearer):
    client = app.test_client()
    routes = _api_routes(app)
    assert "/api/v1/datasets" in routes and "/api/v1/kpis" in routes
    checked = 0
    for path, allowed in routes.items():
        for method in METHODS:
            if method in allowed:
                continue
            r = client.open(path, method=method, headers=bearer)
            assert r.status_code == 405, (method, path, r.status_code)
            message = _json_error(r)
            assert method in message and path in message
            assert set(r.headers["Allow"].replace(" ", "").split(",")) == allowed, (path, r.headers["Allow"])
            checked += 1
    assert checked >= len(routes) * 2


def test_post_to_the_datasets_list_names_the_method_to_use(app, bearer):
    r = app.test_client().post("/api/v1/datasets", headers=bearer)
    assert r.status_code == 405
    assert r.get_json() == {"error": "POST is not allowed at /api/v1/datasets; use GET, HEAD."}
    assert "GET" in r.headers["Allow"]


def test_an_unknown_api_address_is_json_404_whatever_the_method(app, bearer):
    client = app.test_client()
    for method in ("GET", "POST", "DELETE"):
        for path in ("/api/v2/nothing", "/api/v1/no-such-thing", "/api"):
            r = client.open(path, method=method, headers=bearer)
            assert r.status_code in (404, 405), (method, path, r.status_code)
            _json_error(r)
    r = client.get("/api/v1/no-such-thing", headers=bearer)
    assert r.status_code == 404
    assert r.get_json() == {"error": "There is no such address: /api/v1/no-such-thing."}


def test_signed_out_callers_get_json_401_on_every_route_and_method(app):
    client = app.test_client()
    for path in [*_api_routes(app), "/api/v1/no-such-thing"]:
        for method in METHODS:
            r = client.open(path, method=method)
            assert r.status_code == 401, (method, path, r.status_code)
            _json_error(r)


def test_pages_keep_their_own_error_pages(app):
    # the handler answers JSON under /api/ only
    r = app.test_client().open("/login", method="PUT")
    assert r.status_code == 405
    assert not r.content_type.startswith("application/json")
