"""Hardening for the internet (issue 11): the CSP allows the app's own inline
scripts only, fixed at start-up; PARTNERHUB_SECURE_COOKIES and HSTS;
Cache-Control: no-store on everything that carries data; files under
PARTNERHUB_HOME private; the cheap Argon2 profile out of the environment's reach."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select

from partnerhub.auth import headers
from partnerhub.auth.headers import inline_scripts, script_hash, template_script_hashes
from partnerhub.data.settings import is_loopback, load_settings
from partnerhub.data.state import StateStore, users
from tests.auth_client import router, sign_in
from tests.conftest import ROOT

INJECTED = "<!DOCTYPE html><html><body><p>Acme</p><script>alert(1)</script></body></html>"


def _signed_in(app, email: str = "readonly@demo.example"):
    client = app.test_client()
    assert sign_in(client, email).status_code == 302
    return client


def _script_src(csp: str) -> str:
    return next(d for d in csp.split("; ") if d.startswith("script-src "))


# ---- CSP -------------------------------------------------------------------------------------


def test_a_script_injected_into_a_response_is_not_allowed(app):
    """The old policy hashed the inline scripts of the response being sent, so
    an injected one was allowed with the rest."""
    with app.test_request_context("/customers"):
        response = app.make_response((INJECTED, 200, {"Content-Type": "text/html; charset=utf-8"}))
        response = app.process_response(response)
    csp = response.headers["Content-Security-Policy"]
    assert script_hash("alert(1)") not in csp
    assert "'unsafe-inline'" not in _script_src(csp)
    # nothing in the policy comes from the response: it is every page's
    assert csp == _signed_in(app).get("/").headers["Content-Security-Policy"]


def test_the_policy_allows_exactly_the_apps_own_inline_scripts(app, client):
    signed = _signed_in(app)
    page = signed.get("/")
    scripts = inline_scripts(page.get_data(as_text=True))
    assert any("new DashRenderer(" in s for s in scripts)
    allowed = set(re.findall(r"'sha256-[A-Za-z0-9+/=]+'", _script_src(page.headers["Content-Security-Policy"])))
    assert allowed == {script_hash(s) for s in scripts} | set(template_script_hashes())
    for response in (client.get("/login"), signed.get("/customers"), signed.get("/_dash-layout"), router(signed, "/")):
        assert response.headers["Content-Security-Policy"] == page.headers["Content-Security-Policy"]


def test_template_scripts_are_hashed_and_filled_in_ones_refused(tmp_path):
    (tmp_path / "a.html").write_text(
        '<script src="/assets/x.js"></script><script type="application/json">{"a": 1}</script>'
        "<script>document.body.dataset.ready = '1';</script>"
    )
    assert template_script_hashes(tmp_path) == [script_hash("document.body.dataset.ready = '1';")]
    (tmp_path / "b.html").write_text("<script>var user = {{ user|tojson }};</script>")
    with pytest.raises(RuntimeError, match="template values"):
        template_script_hashes(tmp_path)


# ---- Secure cookies and HSTS -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("host", "expected"),
    [("127.0.0.1", False), ("127.0.1.1", False), ("::1", False), ("[::1]", False), ("localhost", False),
     ("0.0.0.0", True), ("", True), ("::", True), ("192.0.2.10", True), ("partnerhub.example", True)],
)  # fmt: skip
def test_secure_cookies_are_on_by_default_unless_bound_to_loopback(tmp_path, monkeypatch, host, expected):
    monkeypatch.delenv("PARTNERHUB_SECURE_COOKIES", raising=False)
    monkeypatch.setenv("HOST", host)
    assert is_loopback(host) is not expected
    assert load_settings(home=tmp_path).secure_cookies is expected


def test_secure_cookies_setting_overrides_the_default(tmp_path, monkeypatch):
    monkeypatch.setenv("HOST", "0.0.0.0")
    monkeypatch.setenv("PARTNERHUB_SECURE_COOKIES", "0")
    assert load_settings(home=tmp_path).secure_cookies is False
    monkeypatch.setenv("HOST", "127.0.0.1")
    monkeypatch.setenv("PARTNERHUB_SECURE_COOKIES", "yes")
    assert load_settings(home=tmp_path).secure_cookies is True
    monkeypatch.setenv("PARTNERHUB_SECURE_COOKIES", "maybe")
    with pytest.raises(SystemExit, match="PARTNERHUB_SECURE_COOKIES"):
        load_settings(home=tmp_path)


@pytest.fixture
def secure_cookies(app):
    """The session app as create_app builds it with PARTNERHUB_SECURE_COOKIES=1
    (Dash allows one app a process, so the setting is applied for one test)."""
    headers.use_secure_cookies(app, True)
    yield app
    headers.use_secure_cookies(app, False)


def test_secure_cookies_and_hsts_over_plain_http(secure_cookies):
    client = secure_cookies.test_client()
    login = client.get("/login")
    assert login.headers["Strict-Transport-Security"] == "max-age=31536000"
    response = sign_in(client, "readonly@demo.example")
    assert response.status_code == 302
    cookies = response.headers.getlist("Set-Cookie")
    assert {c.split("=")[0] for c in cookies} == {"session", headers.CSRF_COOKIE}
    assert all("; Secure" in c for c in cookies)
    assert "Strict-Transport-Security" in response.headers


def test_no_hsts_and_no_forced_secure_cookies_when_off(app):
    client = app.test_client()
    assert "Strict-Transport-Security" not in client.get("/login").headers
    response = sign_in(client, "readonly@demo.example")
    cookies = response.headers.getlist("Set-Cookie")
    assert cookies and not any("Secure" in c for c in cookies)


# ---- Cache-Control ---------------------------------------------------------------------------


def test_responses_with_data_are_not_stored(app, client):
    signed = _signed_in(app)
    responses = {
        "/": signed.get("/"),
        "/customers": signed.get("/customers"),
        "/login": client.get("/login"),
        "/_dash-layout": signed.get("/_dash-layout"),
        "/_dash-dependencies": signed.get("/_dash-dependencies"),
        "/_dash-update-component": router(signed, "/customers"),
        "/api/v1/kpis": signed.get("/api/v1/kpis"),
        "/api/v1/datasets": signed.get("/api/v1/datasets"),
        "anonymous /api/v1/kpis": client.get("/api/v1/kpis"),
        "anonymous /_dash-layout": client.get("/_dash-layout"),
    }
    for what, response in responses.items():
        assert response.status_code < 500, what
        assert response.headers.get("Cache-Control") == "no-store", what


def test_static_files_keep_their_caching(app, client):
    html = _signed_in(app).get("/").get_data(as_text=True)
    bundle = re.search(r'src="(/_dash-component-suites/dash/[^"]+\.v[^"]+\.js)"', html).group(1)
    for path in ("/assets/vendor/01-bootstrap.min.css", bundle):
        response = client.get(path)
        assert response.status_code == 200, path
        assert "no-store" not in response.headers.get("Cache-Control", ""), path
    # a fingerprinted bundle is cached for a year, as Dash serves it
    assert "max-age=31536000" in client.get(bundle).headers["Cache-Control"]


# ---- files under PARTNERHUB_HOME -------------------------------------------------------------

MODES_SCRIPT = """
import json, os, sys
from pathlib import Path

os.umask(0)  # the most permissive: the modes below must not depend on it
from partnerhub.factory import create_app

server = create_app()
result = server.test_cli_runner().invoke(args=["data", "import", sys.argv[1]])
assert result.exit_code == 0, result.output
home = Path(os.environ["PARTNERHUB_HOME"])
# the app-state store is still open here, so its -wal and -shm files exist
print(json.dumps({str(p.relative_to(home)): p.stat().st_mode & 0o777 for p in [home, *home.rglob("*")]}))
"""


def _env(**changes) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PARTNERHUB_")}
    return {**env, **changes}


def test_files_under_home_are_private_whatever_the_umask(tmp_path, demo_data):
    home = tmp_path / "home"
    out = subprocess.run(
        [sys.executable, "-c", MODES_SCRIPT, str(demo_data)],
        cwd=ROOT, env=_env(PARTNERHUB_HOME=str(home)), capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert out.returncode == 0, out.stderr[-3000:]
    modes = json.loads(out.stdout.strip().splitlines()[-1])
    snapshots = [name for name in modes if name.endswith(".duckdb")]
    assert len(snapshots) == 1
    for name in ("secret_key", "state.sqlite", "state.sqlite-wal", "state.sqlite-shm", "snapshots/CURRENT", *snapshots):
        assert modes.get(name) == 0o600, (name, modes)
    for name in (".", "snapshots"):
        assert modes[name] == 0o700, (name, modes)
    # nothing else is open to the group or others
    assert not any(mode & 0o077 for mode in modes.values()), modes


def test_an_existing_world_readable_state_file_is_tightened(tmp_path):
    from partnerhub.data.runtime import Services

    settings = load_settings(home=tmp_path / "home")
    StateStore(settings.state_url).init_schema()  # as an earlier version left it
    state_file = settings.home / "state.sqlite"
    os.chmod(state_file, 0o644)
    settings.snapshots_dir.mkdir()
    os.chmod(settings.snapshots_dir, 0o755)
    services = Services.build(settings)
    try:
        assert state_file.stat().st_mode & 0o777 == 0o600
        assert settings.snapshots_dir.stat().st_mode & 0o777 == 0o700
    finally:
        services.state.dispose()


# ---- the cheap Argon2 profile ----------------------------------------------------------------


def test_the_environment_cannot_choose_the_cheap_password_profile(tmp_path, monkeypatch):
    monkeypatch.setenv("PARTNERHUB_ARGON2_PROFILE", "cheap")
    assert load_settings(home=tmp_path).argon2_profile == "default"


def test_a_production_process_hashes_at_full_cost_whatever_the_environment_says(tmp_path):
    """`flask users add` as an operator runs it, with the variable that used to
    select the cheap profile set: the stored hash has the library's cost."""
    from argon2 import PasswordHasher

    home = tmp_path / "home"
    env = _env(PARTNERHUB_HOME=str(home), PARTNERHUB_ARGON2_PROFILE="cheap")
    flask = Path(sys.executable).with_name("flask")
    out = subprocess.run(
        [str(flask), "--app", "app", "users", "add", "cost@test.example", "--name", "Cost", "--role",
         "partner_readonly_admin", "--password-stdin"],
        cwd=ROOT, env=env, input="a long enough password\n", capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert out.returncode == 0, out.stderr[-3000:]
    state = StateStore(f"sqlite:///{home / 'state.sqlite'}")
    try:
        with state.read() as conn:
            stored = conn.execute(
                select(users.c.password_hash).where(users.c.email == "cost@test.example")
            ).scalar_one()
    finally:
        state.dispose()
    library = PasswordHasher()
    assert f"$m={library.memory_cost},t={library.time_cost},p={library.parallelism}$" in stored
    assert library.verify(stored, "a long enough password")
