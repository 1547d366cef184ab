"""Sign-in, the request guard, CSRF, sessions and security headers, over raw
HTTP with Flask's test client against the session app (real SQLite state)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from partnerhub.data.state import audit_log, login_attempts, sessions, users, utcnow
from tests.auth_client import ROUTER, csrf_header, form_token, new_user, router, sign_in
from tests.conftest import PASSWORD

DASH_GETS = ("/", "/_dash-layout", "/_dash-dependencies", "/customers", "/admin")


def _client(app, address: str | None = None):
    client = app.test_client()
    if address:
        client.environ_base["REMOTE_ADDR"] = address
    return client


def _signed_in(app, email):
    client = app.test_client()
    response = sign_in(client, email)
    assert response.status_code == 302, response.get_data(as_text=True)
    return client


# ---- anonymous -------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/", "/customers", "/admin", "/calling?x=1"])
def test_anonymous_page_goes_to_sign_in(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


@pytest.mark.parametrize(
    "path", ["/_dash-layout", "/_dash-dependencies", "/api/v1/kpis", "/api/v1/datasets", "/api", "/_reload-hash"]
)
def test_anonymous_dash_and_api_get_401_json(client, path):
    response = client.get(path)
    assert response.status_code == 401
    assert response.get_json() == {"error": "Sign in first."}


def test_anonymous_callback_gets_401(client):
    response = client.post("/_dash-update-component", json={"output": ROUTER})
    assert response.status_code == 401
    assert "error" in response.get_json()


@pytest.mark.parametrize("path", ["/login", "/_favicon.ico", "/assets/vendor/01-bootstrap.min.css"])
def test_public_paths(client, path):
    assert client.get(path).status_code == 200


def test_dash_bundles_are_public(app, client):
    index = _signed_in(app, "readonly@demo.example").get("/").get_data(as_text=True)
    bundle = index.split('src="')[1].split('"')[0]
    assert bundle.startswith("/_dash-component-suites/")
    assert client.get(bundle).status_code == 200


# ---- signing in -------------------------------------------------------------------


def test_sign_in_and_out(app):
    client = app.test_client()
    response = sign_in(client, "Readonly@Demo.Example ")
    assert response.status_code == 302 and response.headers["Location"] == "/"
    cookies = response.headers.getlist("Set-Cookie")
    session_cookie = next(c for c in cookies if c.startswith("session="))
    assert "HttpOnly" in session_cookie and "SameSite=Lax" in session_cookie
    csrf_cookie = next(c for c in cookies if c.startswith("_csrf_token="))
    assert "HttpOnly" not in csrf_cookie and "SameSite=Lax" in csrf_cookie
    assert client.get("/").status_code == 200
    assert client.get("/_dash-layout").status_code == 200
    # sign out needs the CSRF token
    assert client.post("/logout").status_code == 400
    assert client.get("/_dash-layout").status_code == 200
    token = form_token(client, "/logout")
    response = client.post("/logout", data={"csrf_token": token})
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    assert client.get("/_dash-layout").status_code == 401
    assert "You are signed out." in client.get("/login").get_data(as_text=True)


def test_cookies_are_secure_over_https(app):
    from tests.auth_client import CSRF_FIELD

    client = app.test_client()
    https = {"base_url": "https://partnerhub.example"}
    token = CSRF_FIELD.search(client.get("/login", **https).get_data(as_text=True)).group(1)
    response = client.post(
        "/login", data={"email": "readonly@demo.example", "password": PASSWORD, "csrf_token": token}, **https
    )
    assert response.status_code == 302
    cookies = response.headers.getlist("Set-Cookie")
    assert all("Secure" in c for c in cookies) and len(cookies) == 2
    assert client.get("/_dash-layout", **https).status_code == 200


def test_logout_by_get_only_from_this_site(app):
    client = _signed_in(app, "readonly@demo.example")
    page = client.get("/logout")  # a link from another site, a typed address
    assert page.status_code == 200 and 'action="/logout"' in page.get_data(as_text=True)
    assert client.get("/_dash-layout").status_code == 200
    client.get("/logout", headers={"Sec-Fetch-Site": "cross-site"})
    assert client.get("/_dash-layout").status_code == 200
    response = client.get("/logout", headers={"Sec-Fetch-Site": "same-origin"})  # the account menu
    assert response.status_code == 302
    assert client.get("/_dash-layout").status_code == 401


def test_sign_in_updates_last_sign_in(app, services):
    email = new_user(services, "partner_readonly_admin")
    _signed_in(app, email)
    with services.state.read() as conn:
        assert conn.execute(select(users.c.last_sign_in_at).where(users.c.email == email)).scalar() is not None


@pytest.mark.parametrize(
    "target, expected",
    [
        ("/analytics?product=calling", "/analytics?product=calling"),
        ("https://evil.example/", "/"),
        ("//evil.example/x", "/"),
        ("/\\evil.example", "/"),
        ("javascript:alert(1)", "/"),
        ("/logout", "/"),
    ],
)
def test_next_only_to_this_site(app, target, expected):
    response = sign_in(app.test_client(), "readonly@demo.example", next=target)
    assert response.status_code == 302
    assert response.headers["Location"] == expected


def test_signed_in_visitor_of_login_is_sent_on(app):
    client = _signed_in(app, "readonly@demo.example")
    response = client.get("/login?next=/analytics")
    assert response.status_code == 302 and response.headers["Location"] == "/analytics"


def test_sign_in_without_csrf_token_is_refused(app):
    client = app.test_client()
    client.get("/login")
    response = client.post("/login", data={"email": "readonly@demo.example", "password": PASSWORD})
    assert response.status_code == 400
    assert "The sign-in form expired" in response.get_data(as_text=True)
    assert client.get("/_dash-layout").status_code == 401


WRONG = "The e-mail address or the password is wrong."


def test_wrong_password_unknown_user_disabled_user_no_password_all_look_the_same(app, services):
    from partnerhub.auth.users import set_disabled

    disabled = new_user(services, "partner_readonly_admin")
    set_disabled(services.state, "tests", disabled, True)
    no_password = new_user(services, "partner_readonly_admin", password=None)
    for email, password in [
        ("readonly@demo.example", "wrong password!"),
        ("nobody@demo.example", PASSWORD),
        (disabled, PASSWORD),
        (no_password, PASSWORD),
    ]:
        client = _client(app, "10.0.0.9")
        response = sign_in(client, email, password)
        assert response.status_code == 200
        assert WRONG in response.get_data(as_text=True)
        assert client.get("/_dash-layout").status_code == 401


# ---- throttling ---------------------------------------------------------------------


def _unlock(services, key):
    with services.state.write() as conn:
        conn.execute(update(login_attempts).where(login_attempts.c.key == key).values(locked_until=None))


def test_repeated_failures_lock_the_account_at_that_address(app, services):
    from partnerhub.auth.throttle import pair_key

    email = new_user(services, "partner_readonly_admin")
    limit = services.settings.login_max_failures
    client = _client(app, "10.0.1.1")
    for _ in range(limit - 1):
        assert WRONG in sign_in(client, email, "a wrong password").get_data(as_text=True)
    locked = sign_in(client, email, "a wrong password")
    assert locked.status_code == 429
    assert "Too many failed sign-ins" in locked.get_data(as_text=True)
    assert int(locked.headers["Retry-After"]) == services.settings.login_lock_seconds
    # now even the right password is refused from that address...
    response = sign_in(client, email, PASSWORD)
    assert response.status_code == 429
    assert "Too many failed sign-ins" in response.get_data(as_text=True)
    assert client.get("/_dash-layout").status_code == 401
    # ...but not from an address that has not failed: nobody can lock the owner out
    other = _client(app, "10.0.1.2")
    assert sign_in(other, email, PASSWORD).status_code == 302
    assert other.get("/_dash-layout").status_code == 200
    # an unknown account locks the same way, with the same message
    ghost = "ghost-" + email
    elsewhere = _client(app, "10.0.1.3")
    for _ in range(limit):
        sign_in(elsewhere, ghost, "a wrong password")
    refused = sign_in(elsewhere, ghost, PASSWORD)
    assert refused.status_code == 429 and "Too many failed sign-ins" in refused.get_data(as_text=True)
    # when the lock ends, the right password works again from the first address
    _unlock(services, pair_key(email, "10.0.1.1"))
    assert sign_in(client, email, PASSWORD).status_code == 302
    assert client.get("/_dash-layout").status_code == 200


def test_repeated_failures_lock_the_client_address(app, services):
    from partnerhub.auth.throttle import ADDRESS_FACTOR

    email = new_user(services, "partner_readonly_admin")
    limit = services.settings.login_max_failures * ADDRESS_FACTOR
    guesser = _client(app, "10.0.2.1")
    for i in range(limit):  # a different account each time: no (account, address) lock
        sign_in(guesser, f"spray-{i}-{email}", "a wrong password")
    response = sign_in(guesser, email, PASSWORD)
    assert response.status_code == 429
    assert int(response.headers["Retry-After"]) > 0
    elsewhere = _client(app, "10.0.2.2")
    assert sign_in(elsewhere, email, PASSWORD).status_code == 302


# ---- sessions ----------------------------------------------------------------------------


def _last_seen(services, email, ago: timedelta) -> None:
    """Moves the last request of every session of `email` `ago` into the past."""
    user_id = select(users.c.id).where(users.c.email == email).scalar_subquery()
    with services.state.write() as conn:
        conn.execute(update(sessions).where(sessions.c.user_id == user_id).values(last_seen_at=utcnow() - ago))


def test_idle_session_is_signed_out(app, services):
    email = new_user(services, "partner_readonly_admin")
    client = _signed_in(app, email)
    idle = timedelta(minutes=services.settings.idle_timeout_minutes)
    _last_seen(services, email, idle - timedelta(minutes=2))
    assert client.get("/_dash-layout").status_code == 200  # not idle long enough
    _last_seen(services, email, idle + timedelta(seconds=1))
    response = client.get("/customers")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    assert client.get("/_dash-layout").status_code == 401
    assert "signed out after a time without activity" in client.get("/login").get_data(as_text=True)


def test_password_reset_role_change_and_disable_end_sessions(app, services):
    from partnerhub.auth.users import reset_password, set_disabled, set_role

    email = new_user(services, "partner_admin")
    for change in (
        lambda: reset_password(services.state, "tests", email, PASSWORD),
        lambda: set_role(services.state, "tests", email, "partner_readonly_admin"),
        lambda: set_disabled(services.state, "tests", email, True),
    ):
        client = _signed_in(app, email)
        assert client.get("/_dash-layout").status_code == 200
        change()
        assert client.get("/_dash-layout").status_code == 401
    assert sign_in(app.test_client(), email).status_code == 200  # disabled: cannot sign in again


def test_a_tampered_session_cookie_is_anonymous(app):
    client = _signed_in(app, "readonly@demo.example")
    value = client.get_cookie("session").value
    client.set_cookie("session", value[:-3] + ("abc" if not value.endswith("abc") else "xyz"))
    assert client.get("/_dash-layout").status_code == 401


# ---- CSRF ----------------------------------------------------------------------------------


def test_callback_without_or_with_a_wrong_csrf_token_is_refused(app):
    client = _signed_in(app, "readonly@demo.example")
    assert router(client, "/").status_code == 200
    assert router(client, "/", headers={}).status_code == 400
    assert router(client, "/", headers={"X-CSRFToken": "forged"}).status_code == 400
    other = _signed_in(app, "sales@demo.example")
    assert router(client, "/", headers=csrf_header(other)).status_code == 400  # another session's token


# ---- pages and callbacks by role -------------------------------------------------------------


def _ensure_page(path, area):
    """A stand-in page at `path` when the real one is not there yet (pages are
    written in parallel); removed by the caller."""
    import dash
    from dash import html

    from partnerhub.auth.guard import page_for_path

    if page_for_path(path) is not None:
        return None
    module = f"tests.stand_in{path.replace('/', '_')}"
    dash.register_page(module, path=path, area=area, layout=html.Div("stand-in", id=f"{area}-stand-in"))
    return module


@pytest.fixture
def calling_page(app):
    import dash

    with app.app_context():
        module = _ensure_page("/calling", "calling")
    yield "/calling"
    if module:
        dash.page_registry.pop(module, None)


@pytest.mark.parametrize(
    "email, path, status",
    [
        ("readonly@demo.example", "/admin", 403),
        ("admin@demo.example", "/admin", 403),
        ("sales.full@demo.example", "/admin", 403),
        ("sales@demo.example", "/admin", 403),
        ("full.admin@demo.example", "/admin", 200),
        ("sales@demo.example", "/calling", 403),
        ("sales.full@demo.example", "/calling", 403),
        ("readonly@demo.example", "/calling", 200),
        ("sales@demo.example", "/account", 200),
        ("sales@demo.example", "/", 200),
        ("sales@demo.example", "/no/such/page", 200),  # the router's not-found page
    ],
)
def test_router_refuses_pages_out_of_role(app, calling_page, email, path, status):
    client = _signed_in(app, email)
    response = router(client, path)
    assert response.status_code == status, response.get_data(as_text=True)
    if status == 403:
        assert response.get_json() == {"error": "You do not have access to this page."}
    # a direct load of the same address: the same answer, as a page
    direct = client.get(path)
    assert direct.status_code == status
    if status == 403:
        assert "Not allowed" in direct.get_data(as_text=True)


def test_router_without_a_pathname_is_a_bad_request(app):
    client = _signed_in(app, "readonly@demo.example")
    body = {"output": ROUTER, "inputs": [], "state": []}
    assert client.post("/_dash-update-component", json=body, headers=csrf_header(client)).status_code == 400


def test_callbacks_are_refused_by_the_area_of_their_outputs(app):
    from tests.auth_client import dash_callback

    full = _signed_in(app, "full.admin@demo.example")
    readonly = _signed_in(app, "readonly@demo.example")
    values = {"admin-audit-who.value": "cli"}
    assert dash_callback(full, "admin-audit-grid.rowData", values).status_code == 200
    response = dash_callback(readonly, "admin-audit-grid.rowData", values)
    assert response.status_code == 403
    assert "error" in response.get_json()
    # the navigation is everyone's
    nav = dash_callback(
        readonly,
        "nav-collapse.is_open",
        {"nav-toggler.n_clicks": 1, "nav-collapse.is_open": False},
        changed=["nav-toggler.n_clicks"],
    )
    assert nav.status_code == 200 and nav.get_json()["response"]["nav-collapse"]["is_open"] is True


def test_forged_output_names_are_refused(app):
    from tests.auth_client import find_output

    client = _signed_in(app, "full.admin@demo.example")
    for output in ("no-such-thing.children", "..nav-collapse.is_open...admin-users-table.children.."):
        body = {"output": output, "outputs": {"id": "nav-collapse", "property": "is_open"}, "inputs": [], "state": []}
        response = client.post("/_dash-update-component", json=body, headers=csrf_header(client))
        assert response.status_code == 400
    assert client.post("/_dash-update-component", data="not json", headers=csrf_header(client)).status_code == 400
    # the area comes from the server's callback, not from the outputs the body lists
    readonly = _signed_in(app, "readonly@demo.example")
    key = find_output(client, "admin-audit-grid.rowData")["output"]
    body = {"output": key, "outputs": {"id": "nav-collapse", "property": "is_open"}, "inputs": [], "state": []}
    assert readonly.post("/_dash-update-component", json=body, headers=csrf_header(readonly)).status_code == 403


def test_area_of_component_ids():
    from partnerhub.auth.roles import area_of_component

    assert area_of_component("admin-users-table") == "administration"
    assert area_of_component({"type": "customers-tag", "index": 3}) == "customers"
    assert area_of_component("nav-collapse") == "home"
    assert area_of_component("users-table") is None
    assert area_of_component({"index": 3}) is None
    assert area_of_component(None) is None


# ---- headers ---------------------------------------------------------------------------------


def test_security_headers_on_every_response(app, client):
    signed = _signed_in(app, "readonly@demo.example")
    responses = [
        client.get("/login"),
        client.get("/"),
        client.get("/_dash-layout"),
        client.get("/assets/vendor/01-bootstrap.min.css"),
        signed.get("/"),
        signed.get("/_dash-layout"),
        router(signed, "/"),
    ]
    for response in responses:
        csp = response.headers["Content-Security-Policy"]
        assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
        assert "'unsafe-eval'" not in csp
        assert "script-src 'self'" in csp and "'unsafe-inline'" not in csp.split("script-src")[1].split(";")[0]
        assert response.headers["X-Frame-Options"] == "DENY"
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Referrer-Policy"] == "same-origin"


def test_csp_allows_exactly_the_inline_scripts_of_the_index(app):
    import base64
    import hashlib
    import re

    response = _signed_in(app, "readonly@demo.example").get("/")
    html = response.get_data(as_text=True)
    renderer = re.search(r'<script id="_dash-renderer"[^>]*>(.*?)</script>', html, re.S).group(1)
    digest = base64.b64encode(hashlib.sha256(renderer.encode()).digest()).decode()
    assert f"'sha256-{digest}'" in response.headers["Content-Security-Policy"]


def test_accepted_writes_are_audited_and_refused_ones_change_nothing(app, services):
    from partnerhub.auth.users import add_or_update_user

    email = new_user(services, "partner_admin")
    with services.state.read() as conn:
        rows = conn.execute(select(audit_log).where(audit_log.c.target == email)).all()
    assert [(r.actor, r.action) for r in rows] == [("tests", "user.add")]
    with pytest.raises(ValueError):
        add_or_update_user(services.state, "tests", email, "x", "king_of_everything")
    with services.state.read() as conn:
        assert conn.execute(select(users.c.role).where(users.c.email == email)).scalar() == "partner_admin"
        assert len(conn.execute(select(audit_log).where(audit_log.c.target == email)).all()) == 1
