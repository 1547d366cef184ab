"""Sessions that end: a row per session in the app-state store, checked on
every request. The store and the application layer on each backend (the
`state` fixture), then over raw HTTP against the session app: a copy of a
cookie answers 401 once its session has ended, however it ended."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from partnerhub.auth.guard import Refused
from partnerhub.auth.users import (
    add_or_update_user,
    change_own_password,
    get_user_by_email,
    reset_password,
    set_disabled,
    set_role,
)
from partnerhub.data import sessions as store
from partnerhub.data.state import audit_log, sessions, users, utcnow
from partnerhub.services import sessions as actions
from partnerhub.services.caller import Caller
from tests.auth_client import csrf_header, dash_callback, new_user, pattern_prop_id, router, sign_in
from tests.conftest import PASSWORD

IDLE = timedelta(hours=8)
FULL = "full.admin@demo.example"
FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"


# ---- the store ------------------------------------------------------------------------------


def _user(state, email="ann@tests.example", role="partner_admin"):
    add_or_update_user(state, "tests", email, "Ann", role, password=PASSWORD)
    return get_user_by_email(state, email)


def _row(state, session_id):
    with state.read() as conn:
        return conn.execute(select(sessions).where(sessions.c.id == session_id)).first()


def _move_last_seen(state, session_id, ago: timedelta) -> None:
    with state.write() as conn:
        conn.execute(update(sessions).where(sessions.c.id == session_id).values(last_seen_at=utcnow() - ago))


def test_a_session_is_a_row_that_keeps_only_the_hash_of_its_secret(state):
    user = _user(state)
    secret, sid = store.start(state, user.id, FIREFOX + "\x00", "203.0.113.7", IDLE)
    row = _row(state, sid)
    assert len(secret) >= 40 and secret not in json.dumps([str(v) for v in row])
    assert (row.user_id, row.user_agent, row.address, row.ended_at) == (user.id, FIREFOX, "203.0.113.7", None)
    found = store.resume(state, secret, IDLE)
    assert (found.session_id, found.user.email, found.ended) == (sid, user.email, None)
    assert store.resume(state, secret[:-1] + "x", IDLE).ended == store.UNKNOWN
    assert store.resume(state, None, IDLE).ended == store.UNKNOWN


def test_signing_out_ends_the_row(state):
    user = _user(state)
    secret, sid = store.start(state, user.id, None, None, IDLE)
    store.end_by_secret(state, secret, store.SIGNED_OUT)
    assert store.resume(state, secret, IDLE).ended == store.SIGNED_OUT
    assert _row(state, sid).end_reason == store.SIGNED_OUT


def test_last_seen_is_written_at_most_once_a_minute(state):
    user = _user(state)
    secret, sid = store.start(state, user.id, None, None, IDLE)
    _move_last_seen(state, sid, timedelta(seconds=30))
    before = _row(state, sid).last_seen_at
    store.resume(state, secret, IDLE)
    assert _row(state, sid).last_seen_at == before  # no write
    _move_last_seen(state, sid, store.LAST_SEEN_STEP + timedelta(seconds=1))
    store.resume(state, secret, IDLE)
    assert _row(state, sid).last_seen_at > before


def test_an_idle_session_ends(state):
    user = _user(state)
    secret, sid = store.start(state, user.id, None, None, IDLE)
    _move_last_seen(state, sid, IDLE - timedelta(minutes=1))
    assert store.resume(state, secret, IDLE).ended is None
    _move_last_seen(state, sid, IDLE + timedelta(seconds=1))
    assert store.resume(state, secret, IDLE).ended == store.IDLE
    assert _row(state, sid).end_reason == store.IDLE
    _move_last_seen(state, sid, timedelta(0))
    assert store.resume(state, secret, IDLE).ended == store.IDLE  # ended stays ended


def test_a_disabled_user_has_no_session_even_without_the_end_written(state):
    user = _user(state)
    secret, sid = store.start(state, user.id, None, None, IDLE)
    with state.write() as conn:
        conn.execute(update(users).where(users.c.id == user.id).values(disabled=True))
    assert store.resume(state, secret, IDLE).ended == store.DISABLED
    assert _row(state, sid).ended_at is not None


@pytest.mark.parametrize(
    "change, reason",
    [
        pytest.param(
            lambda s, u: reset_password(s, "tests", u.email, "another good password"), store.PASSWORD, id="reset"
        ),
        pytest.param(lambda s, u: set_role(s, "tests", u.email, "sales_admin"), store.ROLE, id="role"),
        pytest.param(lambda s, u: set_disabled(s, "tests", u.email, True), store.DISABLED, id="disable"),
        pytest.param(
            lambda s, u: change_own_password(s, u.id, PASSWORD, "another good password"), store.PASSWORD, id="own"
        ),
        pytest.param(
            lambda s, u: add_or_update_user(s, "tests", u.email, None, "sales_full_admin"), store.ROLE, id="update"
        ),
    ],
)
def test_user_changes_end_every_session_of_the_user_in_their_transaction(state, change, reason):
    user = _user(state)
    other = _user(state, "bob@tests.example")
    mine = [store.start(state, user.id, None, None, IDLE)[0] for _ in range(2)]
    theirs, _sid = store.start(state, other.id, None, None, IDLE)
    change(state, user)
    assert [store.resume(state, s, IDLE).ended for s in mine] == [reason, reason]
    assert store.resume(state, theirs, IDLE).ended is None


def test_a_name_change_ends_no_session(state):
    user = _user(state)
    secret, _sid = store.start(state, user.id, None, None, IDLE)
    add_or_update_user(state, "tests", user.email, "Ann B.", None)
    assert store.resume(state, secret, IDLE).ended is None


def test_old_ended_and_expired_rows_are_purged_at_the_next_sign_in(state):
    user = _user(state)
    gone_ended, gone_expired, recent_ended, going_on = (store.start(state, user.id, None, None, IDLE) for _ in range(4))
    store.end_by_secret(state, gone_ended[0], store.SIGNED_OUT)
    store.end_by_secret(state, recent_ended[0], store.SIGNED_OUT)
    old = utcnow() - store.KEEP_ENDED - timedelta(minutes=1)
    with state.write() as conn:
        conn.execute(update(sessions).where(sessions.c.id == gone_ended[1]).values(ended_at=old))
        conn.execute(update(sessions).where(sessions.c.id == gone_expired[1]).values(last_seen_at=old - IDLE))
    _secret, newest = store.start(state, user.id, None, None, IDLE)
    with state.read() as conn:
        left = conn.execute(select(sessions.c.id).order_by(sessions.c.id)).scalars().all()
    assert left == [recent_ended[1], going_on[1], newest]


def test_a_user_keeps_a_bounded_number_of_sessions(state):
    user = _user(state)
    started = [store.start(state, user.id, None, None, IDLE) for _ in range(store.KEPT_PER_USER + 1)]
    assert store.resume(state, started[0][0], IDLE).ended == store.REPLACED
    assert all(store.resume(state, s, IDLE).ended is None for s, _sid in started[1:])
    assert len(store.list_active(state, user.id, IDLE)) == store.KEPT_PER_USER


# ---- the application layer --------------------------------------------------------------------


def _caller(state, user) -> Caller:
    return Caller(user.email, user.role, None, state, None, user.id)


def _audit(state):
    with state.read() as conn:
        return [(r.actor, r.action, r.target) for r in conn.execute(select(audit_log).order_by(audit_log.c.id))]


def test_a_user_lists_and_ends_their_own_other_sessions(state):
    ann, bob = _user(state), _user(state, "bob@tests.example")
    (s1, current), (s2, other), (s3, third) = (store.start(state, ann.id, FIREFOX, "10.0.0.1", IDLE) for _ in range(3))
    bobs, bobs_id = store.start(state, bob.id, None, None, IDLE)
    caller = _caller(state, ann)
    assert [s["id"] for s in actions.mine(caller, IDLE)] == [third, other, current]
    assert actions.mine(caller, IDLE)[0]["user_agent"] == FIREFOX

    with pytest.raises(ValueError, match="the session you are using"):
        actions.end_own(caller, current, current, IDLE)
    with pytest.raises(ValueError, match="ended already"):
        actions.end_own(caller, bobs_id, current, IDLE)  # another user's: as if it did not exist
    with pytest.raises(ValueError, match="ended already"):
        actions.end_own(caller, "not a number", current, IDLE)
    assert store.resume(state, bobs, IDLE).ended is None

    assert actions.end_own(caller, other, current, IDLE).changed == 1
    assert store.resume(state, s2, IDLE).ended == store.ENDED
    assert actions.end_others(caller, current, IDLE).changed == 1
    assert store.resume(state, s3, IDLE).ended == store.ENDED
    assert store.resume(state, s1, IDLE).ended is None
    assert actions.end_others(caller, current, IDLE).changed == 0
    assert _audit(state)[-2:] == [(ann.email, "session.end", ann.email), (ann.email, "session.end_others", ann.email)]


def test_only_a_full_admin_ends_the_sessions_of_another_user(state):
    ann = _user(state)
    admin = _user(state, "root@tests.example", "partner_full_admin")
    secret, _sid = store.start(state, ann.id, None, None, IDLE)
    with pytest.raises(Refused):
        actions.end_all_of(_caller(state, _user(state, "eve@tests.example", "partner_admin")), ann.email, IDLE)
    assert store.resume(state, secret, IDLE).ended is None
    with pytest.raises(ValueError, match="No such user"):
        actions.end_all_of(_caller(state, admin), "nobody@tests.example", IDLE)
    outcome = actions.end_all_of(_caller(state, admin), ann.email, IDLE)
    assert (outcome.changed, outcome.message) == (1, f"Ended 1 session of {ann.email}.")
    assert store.resume(state, secret, IDLE).ended == store.ENDED_BY_ADMIN
    assert _audit(state)[-1] == (admin.email, "session.end_all", ann.email)


def test_a_full_admin_ending_their_own_sessions_keeps_the_one_they_act_from(state):
    admin = _user(state, "root@tests.example", "partner_full_admin")
    (here, here_id), (there, _id) = (store.start(state, admin.id, None, None, IDLE) for _ in range(2))
    assert actions.end_all_of(_caller(state, admin), admin.email, IDLE, here_id).changed == 1
    assert store.resume(state, here, IDLE).ended is None
    assert store.resume(state, there, IDLE).ended == store.ENDED_BY_ADMIN


# ---- over HTTP ----------------------------------------------------------------------------


def _signed_in(app, email, user_agent=None, address=None):
    client = app.test_client()
    if user_agent:
        client.environ_base["HTTP_USER_AGENT"] = user_agent
    if address:
        client.environ_base["REMOTE_ADDR"] = address
    assert sign_in(client, email).status_code == 302
    return client


def _steal(client) -> dict[str, str]:
    """A copy of `client`'s cookies, as taken from a browser."""
    return {name: client.get_cookie(name).value for name in ("session", "_csrf_token")}


def _replay(app, cookies: dict[str, str]):
    """A new client sending the stolen cookies."""
    thief = app.test_client()
    for name, value in cookies.items():
        thief.set_cookie(name, value)
    return thief


def _works(client) -> bool:
    """The session answers on the API, on a Dash callback and on a page; or on none."""
    answers = (
        client.get("/api/v1/datasets").status_code,
        router(client, "/account").status_code,
        client.get("/customers").status_code,
    )
    if answers == (200, 200, 200):
        return True
    assert answers[:2] == (401, 401), answers
    page = client.get("/customers")
    assert page.status_code == 302 and page.headers["Location"].startswith("/login")
    return False


def _change_user(client, button, email, role=None, password=None):
    response = dash_callback(
        client,
        "admin-reset-password.value",
        {
            f"{button}.n_clicks": 1,
            "admin-user-select.value": email,
            "admin-role-select.value": role,
            "admin-reset-password.value": password,
            "admin-refresh.data": 1,
        },
        changed=[f"{button}.n_clicks"],
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    return json.dumps(response.get_json()["response"], ensure_ascii=False)


def test_a_cookie_replayed_after_sign_out_gets_401(app):
    client = _signed_in(app, "readonly@demo.example")
    stolen = _steal(client)
    assert _works(_replay(app, stolen))  # the copy is as good as the original while the session goes on
    token = csrf_header(client)["X-CSRFToken"]
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302
    assert not _works(_replay(app, stolen))
    assert not _works(client)
    # signing in again starts a session the copy is no part of
    assert _works(_signed_in(app, "readonly@demo.example"))
    assert not _works(_replay(app, stolen))


@pytest.mark.parametrize(
    "button, values, notice",
    [
        ("admin-reset-submit", {"password": "a brand new password"}, "because your password was changed"),
        ("admin-role-submit", {"role": "sales_admin"}, "because your role was changed"),
        ("admin-disable-submit", {}, "Your session has ended"),
        ("admin-end-sessions-submit", {}, "Your session has ended"),
    ],
)
def test_a_full_admin_changing_a_user_ends_their_sessions_and_not_the_admins(app, services, button, values, notice):
    email = new_user(services, "partner_admin")
    victim, elsewhere = _signed_in(app, email), _signed_in(app, email)
    stolen = _steal(victim)
    admin = _signed_in(app, FULL)
    _change_user(admin, button, email, **values)
    assert not _works(_replay(app, stolen)) and not _works(victim) and not _works(elsewhere)
    assert notice in victim.get("/login").get_data(as_text=True)
    assert _works(admin)


def _grid_rows(tree, grid_id: str) -> list[dict]:
    """The rowData of the grid `grid_id` in a callback's answer (a tree of dicts and lists)."""
    if isinstance(tree, list):
        return next((rows for item in tree if (rows := _grid_rows(item, grid_id))), [])
    if not isinstance(tree, dict):
        return []
    if tree.get("props", {}).get("id") == grid_id:
        return tree["props"]["rowData"]
    return next((rows for value in tree.values() if (rows := _grid_rows(value, grid_id))), [])


def test_the_admin_page_counts_and_ends_sessions(app, services):
    email = new_user(services, "partner_readonly_admin")
    victims = [_signed_in(app, email) for _ in range(2)]
    admin = _signed_in(app, FULL)
    [row] = [r for r in _grid_rows(router(admin, "/admin").get_json(), "admin-users-grid") if r["email"] == email]
    assert row["sessions"] == 2
    assert f"Ended 2 sessions of {email}." in _change_user(admin, "admin-end-sessions-submit", email)
    assert not any(_works(v) for v in victims)
    assert "Ended 0 sessions" in _change_user(admin, "admin-end-sessions-submit", email)
    with services.state.read() as conn:
        entry = conn.execute(
            select(audit_log).where(audit_log.c.target == email).order_by(audit_log.c.id.desc())
        ).first()
    assert (entry.actor, entry.action, len(entry.before["sessions"])) == (FULL, "session.end_all", 2)


def test_the_account_page_lists_the_sessions(app, services):
    email = new_user(services, "sales_admin")
    client = _signed_in(app, email)
    _signed_in(app, email, FIREFOX, "198.51.100.23")
    page = json.dumps(router(client, "/account").get_json()["response"], ensure_ascii=False)
    assert "account-sessions-grid" in page and "This session" in page
    assert "Firefox on Linux" in page and "198.51.100.23" in page
    assert page.count('"type": "account-session-end"') == 1  # the other one: the current one has no button


def _account_callback(client, output, values, changed, input_id=None):
    response = dash_callback(client, output, values, changed=changed, input_id=input_id)
    assert response.status_code == 200, response.get_data(as_text=True)
    return json.dumps(response.get_json()["response"], ensure_ascii=False)


def _end_session(client, session_id) -> str:
    """Presses the End button of one session on the Account page."""
    button = {"session": session_id, "type": "account-session-end"}
    return _account_callback(
        client,
        "account-sessions.children",
        {"account-session-end.n_clicks": [{"id": button, "property": "n_clicks", "value": 1}]},
        changed=[pattern_prop_id(button, "n_clicks")],
        input_id="account-session-end",
    )


def test_a_user_ends_one_other_session_then_all_others_and_this_one_goes_on(app, services):
    email = new_user(services, "partner_admin")
    client, laptop, phone, tablet = (_signed_in(app, email) for _ in range(4))
    user = get_user_by_email(services.state, email)
    ids = [s["id"] for s in store.list_active(services.state, user.id, IDLE)]  # newest first
    laptop_id = ids[2]
    text = _end_session(client, laptop_id)
    assert "The session is ended." in text
    assert not _works(laptop) and _works(phone) and _works(tablet) and _works(client)

    text = _account_callback(
        client,
        "account-sessions.children",
        {"account-sessions-end-others.n_clicks": 1},
        changed=["account-sessions-end-others.n_clicks"],
        input_id="account-sessions-end-others",
    )
    assert "Ended 2 other sessions." in text
    assert not _works(phone) and not _works(tablet)
    assert _works(client)
    with services.state.read() as conn:
        actions_of = conn.execute(
            select(audit_log.c.action).where(audit_log.c.target == email).order_by(audit_log.c.id)
        ).scalars()
        assert list(actions_of)[-2:] == ["session.end", "session.end_others"]


def test_a_user_cannot_end_another_users_session_by_its_number(app, services):
    email, other = new_user(services, "partner_admin"), new_user(services, "partner_admin")
    client, theirs = _signed_in(app, email), _signed_in(app, other)
    [their_session] = store.list_active(services.state, get_user_by_email(services.state, other).id, IDLE)
    text = _end_session(client, their_session["id"])
    assert "That session has ended already." in text
    assert _works(theirs)


def test_changing_ones_own_password_keeps_this_browser_in_a_new_session(app, services):
    email = new_user(services, "partner_readonly_admin")
    client, elsewhere = _signed_in(app, email), _signed_in(app, email)
    stolen = _steal(client)
    text = _account_callback(
        client,
        "account-password-feedback.children",
        {
            "account-password-submit.n_clicks": 1,
            "account-password-current.value": PASSWORD,
            "account-password-new.value": "a brand new password",
            "account-password-repeat.value": "a brand new password",
        },
        changed=["account-password-submit.n_clicks"],
    )
    assert "Your password is changed" in text
    assert _works(client)
    # the session the cookie named before the change is over, copies of it too
    assert not _works(_replay(app, stolen)) and not _works(elsewhere)
