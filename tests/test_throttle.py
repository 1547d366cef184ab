"""Sign-in throttling slows attackers, not owners: counts per (account, client
address) and per client address, 429 with Retry-After, no sleeping in the
request thread, the real client address behind PARTNERHUB_TRUSTED_PROXIES
proxies. Over raw HTTP with Flask's test client against the session app, and
on a store of its own for the counting rules."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from argon2 import PasswordHasher
from sqlalchemy import insert, select, update

from partnerhub.auth import throttle
from partnerhub.data.state import login_attempts, utcnow
from tests.auth_client import new_user, sign_in
from tests.conftest import PASSWORD

WRONG = "The e-mail address or the password is wrong."
TOO_MANY = "Too many failed sign-ins from your address."


def _client(app, address: str, forwarded_for: str | None = None):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    if forwarded_for is not None:
        client.environ_base["HTTP_X_FORWARDED_FOR"] = forwarded_for
    return client


def _keys(services) -> set[str]:
    with services.state.read() as conn:
        return set(conn.execute(select(login_attempts.c.key)).scalars())


def _fail(client, email: str, times: int) -> list:
    return [sign_in(client, email, "a wrong password") for _ in range(times)]


# ---- over HTTP -----------------------------------------------------------------------


def test_owner_signs_in_from_a_clean_address_during_an_attack(app, services):
    owner = new_user(services, "partner_full_admin")
    limit = services.settings.login_max_failures
    attacker = _client(app, "10.20.0.1")
    answers = _fail(attacker, owner, limit + 3)
    assert [r.status_code for r in answers] == [200] * (limit - 1) + [429] * 4
    # the attacker, even with the right password, waits; Retry-After says how long
    refused = sign_in(attacker, owner, PASSWORD)
    assert refused.status_code == 429
    assert 0 < int(refused.headers["Retry-After"]) <= services.settings.login_lock_seconds
    assert TOO_MANY in refused.get_data(as_text=True)
    assert attacker.get("/_dash-layout").status_code == 401
    # a spread attack from many addresses, each stopping short of its limit
    for i in range(3):
        _fail(_client(app, f"10.20.1.{i}"), owner, limit - 1)
    # the owner, at an address that has not failed, is never refused
    home = _client(app, "10.20.0.2")
    assert sign_in(home, owner, PASSWORD).status_code == 302
    assert home.get("/_dash-layout").status_code == 200


def test_an_address_over_its_limit_is_refused_for_every_account(app, services):
    victim = new_user(services, "partner_readonly_admin")
    limit = services.settings.login_max_failures * throttle.ADDRESS_FACTOR
    sprayer = _client(app, "10.21.0.1")
    for i in range(limit - 1):  # each account fewer times than its own limit
        assert sign_in(sprayer, f"spray-{i}-{victim}", "a wrong password").status_code == 200
    last = sign_in(sprayer, f"spray-last-{victim}", "a wrong password")
    assert last.status_code == 429
    assert last.headers["Retry-After"] == str(services.settings.login_lock_seconds)
    # another account, never tried from here, and its right password: refused too
    refused = sign_in(sprayer, victim, PASSWORD)
    assert refused.status_code == 429 and TOO_MANY in refused.get_data(as_text=True)
    assert int(refused.headers["Retry-After"]) > 0
    assert sign_in(_client(app, "10.21.0.2"), victim, PASSWORD).status_code == 302


def test_the_message_says_when_to_try_again(app, services):
    email = new_user(services, "partner_readonly_admin")
    client = _client(app, "10.22.0.1")
    _fail(client, email, services.settings.login_max_failures)
    # the lock has 61 seconds left: Retry-After in seconds, the page in whole minutes
    with services.state.write() as conn:
        conn.execute(
            update(login_attempts)
            .where(login_attempts.c.key == throttle.pair_key(email, "10.22.0.1"))
            .values(locked_until=utcnow() + timedelta(seconds=61))
        )
    refused = sign_in(client, email, PASSWORD)
    assert refused.status_code == 429
    assert refused.headers["Retry-After"] in ("60", "61")  # a second may pass
    page = refused.get_data(as_text=True)
    assert 'id="login-error"' in page and "Try again in 2 minutes." in page
    # a lock that has ended refuses nothing
    with services.state.write() as conn:
        conn.execute(
            update(login_attempts)
            .where(login_attempts.c.key == throttle.pair_key(email, "10.22.0.1"))
            .values(locked_until=utcnow() - timedelta(seconds=1))
        )
    assert sign_in(client, email, PASSWORD).status_code == 302


def test_no_request_sleeps(app, services, monkeypatch):
    """The 429 comes from the counter, not from holding a server thread."""

    def no_sleep(seconds):
        raise AssertionError(f"a sign-in slept {seconds} s in the request thread")

    monkeypatch.setattr(time, "sleep", no_sleep)
    assert not hasattr(throttle, "slow_down")
    email = new_user(services, "partner_readonly_admin")
    client = _client(app, "10.23.0.1")
    answers = _fail(client, email, services.settings.login_max_failures + 5)
    assert [r.status_code for r in answers][-6:] == [429] * 6
    assert sign_in(client, email, PASSWORD).status_code == 429


def _argon2_calls(monkeypatch) -> list[str]:
    calls: list[str] = []
    for name in ("hash", "verify"):
        real = getattr(PasswordHasher, name)

        def counted(self, *args, _real=real, _name=name, **kwargs):
            calls.append(_name)
            return _real(self, *args, **kwargs)

        monkeypatch.setattr(PasswordHasher, name, counted)
    return calls


def test_an_unknown_account_costs_one_password_hash_like_a_known_one(app, services, monkeypatch):
    from partnerhub.auth.users import set_disabled

    known = new_user(services, "partner_readonly_admin")
    no_password = new_user(services, "partner_readonly_admin", password=None)
    disabled = new_user(services, "partner_readonly_admin")
    set_disabled(services.state, "tests", disabled, True)
    calls = _argon2_calls(monkeypatch)
    for i, email in enumerate([known, "nobody-" + known, no_password, disabled]):
        client = _client(app, f"10.24.0.{i}")
        calls.clear()
        response = sign_in(client, email, "a wrong password")
        assert WRONG in response.get_data(as_text=True)
        assert len(calls) == 1, (email, calls)  # one Argon2 computation, whoever it is
    # a refused client is answered before any hash
    locked = _client(app, "10.24.1.1")
    _fail(locked, known, services.settings.login_max_failures)
    calls.clear()
    assert sign_in(locked, known, PASSWORD).status_code == 429
    assert calls == []


# ---- the client address -------------------------------------------------------------


def test_a_forged_x_forwarded_for_does_not_change_the_address(app, services):
    """PARTNERHUB_TRUSTED_PROXIES=0 (the session app): X-Forwarded-For is the client's own claim."""
    assert services.settings.trusted_proxies == 0
    email = new_user(services, "partner_readonly_admin")
    limit = services.settings.login_max_failures
    for i in range(limit):
        sign_in(_client(app, "10.25.0.1", forwarded_for=f"198.51.100.{i}"), email, "a wrong password")
    refused = sign_in(_client(app, "10.25.0.1", forwarded_for="198.51.100.99"), email, PASSWORD)
    assert refused.status_code == 429
    assert throttle.pair_key(email, "10.25.0.1") in _keys(services)
    assert not any("198.51.100." in key for key in _keys(services))


@pytest.fixture
def behind_one_proxy(app):
    """The session app as create_app builds it with PARTNERHUB_TRUSTED_PROXIES=1
    (Dash allows one app a process, so the same wrapping is applied for one test)."""
    from partnerhub.factory import trust_proxies

    unwrapped = app.wsgi_app
    trust_proxies(app, 1)
    yield app
    app.wsgi_app = unwrapped


def test_clients_behind_a_trusted_proxy_are_counted_apart(behind_one_proxy, services):
    app = behind_one_proxy
    email = new_user(services, "partner_readonly_admin")
    proxy = "10.26.0.1"
    guesser = _client(app, proxy, forwarded_for="203.0.113.5")
    owner = _client(app, proxy, forwarded_for="203.0.113.6")
    # the guesser locks its own address for every account...
    limit = services.settings.login_max_failures * throttle.ADDRESS_FACTOR
    for i in range(limit):
        sign_in(guesser, f"spray-{i}-{email}", "a wrong password")
    assert sign_in(guesser, email, PASSWORD).status_code == 429
    assert throttle.address_key("203.0.113.5") in _keys(services)
    assert throttle.address_key(proxy) not in _keys(services)
    # ...and not the proxy's: another client behind it signs in
    assert sign_in(owner, email, PASSWORD).status_code == 302
    assert owner.get("/_dash-layout").status_code == 200
    # only the address the proxy adds counts, not what the client put before it
    spoofer = _client(app, proxy, forwarded_for="203.0.113.6, 203.0.113.5")
    assert sign_in(spoofer, email, PASSWORD).status_code == 429


def test_behind_a_trusted_proxy_https_is_the_clients_scheme(behind_one_proxy):
    from tests.auth_client import form_token

    client = _client(behind_one_proxy, "10.27.0.1", forwarded_for="203.0.113.7")
    client.environ_base["HTTP_X_FORWARDED_PROTO"] = "https"
    token = form_token(client)
    response = client.post("/login", data={"email": "readonly@demo.example", "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 302
    cookies = response.headers.getlist("Set-Cookie")
    assert cookies and all("Secure" in c for c in cookies)


def test_trusted_proxies_setting(tmp_path, monkeypatch):
    from flask import Flask
    from werkzeug.middleware.proxy_fix import ProxyFix

    from partnerhub.data.settings import load_settings
    from partnerhub.factory import trust_proxies

    monkeypatch.delenv("PARTNERHUB_TRUSTED_PROXIES", raising=False)
    assert load_settings(home=tmp_path).trusted_proxies == 0
    monkeypatch.setenv("PARTNERHUB_TRUSTED_PROXIES", "2")
    assert load_settings(home=tmp_path).trusted_proxies == 2
    server = Flask(__name__)
    trust_proxies(server, 0)
    assert not isinstance(server.wsgi_app, ProxyFix)
    trust_proxies(server, 2)
    assert isinstance(server.wsgi_app, ProxyFix) and server.wsgi_app.x_for == 2
    with pytest.raises(SystemExit):
        trust_proxies(Flask(__name__), -1)


# ---- the counting rules, on a store of its own (SQLite and PostgreSQL) ----------------------

POLICY = throttle.Policy(max_failures=3, lock_seconds=600)


def test_pair_and_address_limits(state):
    for _ in range(POLICY.max_failures - 1):
        assert throttle.record_failure(state, "a@x.example", "192.0.2.1", POLICY) == 0
    assert throttle.record_failure(state, "a@x.example", "192.0.2.1", POLICY) == POLICY.lock_seconds
    assert 0 < throttle.locked_for(state, "a@x.example", "192.0.2.1") <= POLICY.lock_seconds
    assert throttle.locked_for(state, "a@x.example", "192.0.2.2") == 0
    assert throttle.locked_for(state, "b@x.example", "192.0.2.1") == 0
    # the address: ADDRESS_FACTOR times the pair limit, over any accounts
    address_limit = POLICY.max_failures * throttle.ADDRESS_FACTOR
    for i in range(address_limit - POLICY.max_failures - 1):
        throttle.record_failure(state, f"u{i}@x.example", "192.0.2.1", POLICY)
    assert throttle.locked_for(state, "b@x.example", "192.0.2.1") == 0
    assert throttle.record_failure(state, "c@x.example", "192.0.2.1", POLICY) == POLICY.lock_seconds
    assert throttle.locked_for(state, "b@x.example", "192.0.2.1") > 0


def test_a_success_clears_its_pair_not_the_address(state):
    for _ in range(POLICY.max_failures - 1):
        throttle.record_failure(state, "a@x.example", "192.0.2.1", POLICY)
    throttle.record_success(state, "a@x.example", "192.0.2.1")
    with state.read() as conn:
        rows = {r.key: r.failures for r in conn.execute(select(login_attempts))}
    assert rows == {throttle.address_key("192.0.2.1"): POLICY.max_failures - 1}


def test_failures_further_apart_than_the_lock_are_forgotten(state):
    old = utcnow() - timedelta(seconds=POLICY.lock_seconds + 1)
    with state.write() as conn:
        conn.execute(
            insert(login_attempts).values(
                key=throttle.pair_key("a@x.example", "192.0.2.1"), failures=POLICY.max_failures - 1, last_failure_at=old
            )
        )
    assert throttle.record_failure(state, "a@x.example", "192.0.2.1", POLICY) == 0


def test_stale_rows_are_purged(state):
    now = utcnow()
    stale = now - timedelta(seconds=POLICY.lock_seconds + 1)
    with state.write() as conn:
        for i in range(50):  # old failures of many addresses
            conn.execute(insert(login_attempts).values(key=f"ip:198.51.100.{i}", failures=1, last_failure_at=stale))
        # a lock still running is kept, whatever the age of its last failure
        conn.execute(
            insert(login_attempts).values(
                key="ip:192.0.2.9", failures=0, last_failure_at=stale, locked_until=now + timedelta(seconds=60)
            )
        )
    throttle.record_failure(state, "a@x.example", "192.0.2.1", POLICY)
    assert {
        throttle.pair_key("a@x.example", "192.0.2.1"),
        throttle.address_key("192.0.2.1"),
        "ip:192.0.2.9",
    } == set(_store_keys(state))


def test_keys_fit_the_column(state):
    email = "x" * 250 + "@x.example"
    address = "2001:db8::" + "f" * 300
    throttle.record_failure(state, email, address, POLICY)
    assert all(len(key) <= login_attempts.c.key.type.length for key in _store_keys(state))
    assert throttle.locked_for(state, email, address) == 0


def test_whatever_was_typed_is_counted(state):
    """PostgreSQL's text cannot hold NUL; the typed e-mail is the client's choice."""
    for _ in range(POLICY.max_failures):
        throttle.record_failure(state, "a\x00@x.example", "192.0.2.1", POLICY)
    assert throttle.locked_for(state, "a\x00@x.example", "192.0.2.1") > 0
    assert throttle.locked_for(state, "a@x.example", "192.0.2.1") == 0


def test_failures_at_once_are_each_counted(state):
    """The count is one upsert: threads failing together lose no failure and
    none fails on the key (the processes' race is in test_state_store)."""
    from concurrent.futures import ThreadPoolExecutor

    policy = throttle.Policy(max_failures=1000, lock_seconds=600)
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda _: throttle.record_failure(state, "a@x.example", "192.0.2.1", policy), range(40)))
    with state.read() as conn:
        rows = {r.key: r.failures for r in conn.execute(select(login_attempts))}
    assert rows == {throttle.pair_key("a@x.example", "192.0.2.1"): 40, throttle.address_key("192.0.2.1"): 40}


def _store_keys(state) -> list[str]:
    with state.read() as conn:
        return list(conn.execute(select(login_attempts.c.key)).scalars())
