"""Times in the viewer's time zone, over HTTP through the session app and its
store: the Account page's choice (validated on the server, a clear message
for a bad zone, never a 5xx), its default (the browser's zone from the
cookie assets/timezone.js writes; Asia/Tokyo for a Japanese interface; else
UTC), and every timestamp shown with its zone named: 2026-11-30 09:00 JST."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from partnerhub.auth.roles import FULL
from partnerhub.auth.tokens import list_tokens
from partnerhub.auth.users import get_user_by_email
from partnerhub.data.preferences import get_preferences
from partnerhub.formatting import TIME_ZONE_COOKIE, fmt_datetime, refresh_time
from tests.auth_client import api_tokens, csrf_header, dash_callback, new_user, router, sign_in

JA = {"Accept-Language": "ja-JP,ja;q=0.9"}
EN = {"Accept-Language": "en-US,en;q=0.9"}


def _page(client, path: str, headers: dict | None = None) -> str:
    response = router(client, path, headers={**csrf_header(client), **(headers or {})})
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    return json.dumps(response.get_json(), ensure_ascii=False)


def _signed_in(app, services, headers):
    email = new_user(services, FULL)
    api_tokens(app, [email], "tz tests")  # a token: its times are on the Account page
    client = app.test_client()
    assert sign_in(client, email, headers=headers).status_code == 302
    user = get_user_by_email(services.state, email)
    created = list_tokens(services.state, user.id)[0]["created_at"]
    return client, user, created.replace(tzinfo=UTC) if created.tzinfo is None else created


def _shown(moment: datetime, offset_hours: int, name: str) -> str:
    # worked out by hand, not by the code under test
    return f"{moment + timedelta(hours=offset_hours):%Y-%m-%d %H:%M} {name}"


def test_fmt_datetime_names_the_zone():
    moment = datetime(2026, 11, 30, 0, 0, tzinfo=UTC)
    assert fmt_datetime(moment, "Asia/Tokyo") == "2026-11-30 09:00 JST"
    assert fmt_datetime(moment, "UTC") == "2026-11-30 00:00 UTC"
    assert fmt_datetime(datetime(2026, 11, 30, 0, 0), "Asia/Tokyo") == "2026-11-30 09:00 JST"  # naive: UTC
    assert fmt_datetime("2026-07-01T12:00:00Z", "Europe/Paris") == "2026-07-01 14:00 CEST"
    assert fmt_datetime(moment, "Asia/Dubai") == "2026-11-30 04:00 UTC+04"
    assert fmt_datetime(None, "Asia/Tokyo") == "—"
    assert refresh_time("Asia/Tokyo") == {"weekday": "Sunday", "time": "09:00", "zone": "JST"}
    assert refresh_time("America/New_York") == {"weekday": "Saturday", "time": "19:00", "zone": "EST"}


def test_the_account_page_saves_a_zone_and_shows_times_in_it(app, services):
    client, user, created = _signed_in(app, services, EN)
    page = _page(client, "/account")
    assert _shown(created, 0, "UTC") in page  # no choice, no browser zone, English: UTC

    saved = dash_callback(
        client,
        "account-time-zone-feedback",
        {"account-time-zone-save.n_clicks": 1, "account-time-zone.value": "Asia/Tokyo"},
    )
    assert saved.status_code == 200, saved.get_data(as_text=True)[:300]
    body = json.dumps(saved.get_json(), ensure_ascii=False)
    assert "The time zone is now Asia/Tokyo." in body
    assert _shown(created, 9, "JST") in body  # the tables are redrawn in the new zone
    assert get_preferences(services.state, user.id)["time_zone"] == "Asia/Tokyo"
    # the choice wins over the browser's zone, on every later page
    client.set_cookie(TIME_ZONE_COOKIE, "Europe/Paris")
    assert _shown(created, 9, "JST") in _page(client, "/account")


def test_a_bad_zone_is_a_clear_message_and_nothing_is_saved(app, services):
    client, user, _created = _signed_in(app, services, EN)
    for bad in ("Mars/Olympus_Mons", "../../etc/passwd", "x" * 300, ""):
        refused = dash_callback(
            client, "account-time-zone-feedback", {"account-time-zone-save.n_clicks": 1, "account-time-zone.value": bad}
        )
        assert refused.status_code == 200, refused.get_data(as_text=True)[:300]
        assert "is not a time zone: give its IANA name, such as Asia/Tokyo." in json.dumps(
            refused.get_json(), ensure_ascii=False
        )
    assert get_preferences(services.state, user.id)["time_zone"] is None
    # a value of the wrong type is refused before the callback runs
    wrong = dash_callback(
        client,
        "account-time-zone-feedback",
        {"account-time-zone-save.n_clicks": 1, "account-time-zone.value": ["Asia/Tokyo"]},
    )
    assert wrong.status_code == 400


def test_without_a_choice_the_browser_then_the_language_decides(app, services):
    client, _user, created = _signed_in(app, services, JA)
    ja_page = _page(client, "/account", JA)
    assert _shown(created, 9, "JST") in ja_page  # a Japanese interface without a browser zone: Tokyo
    client.set_cookie(TIME_ZONE_COOKIE, "America/New_York")
    assert _shown(created, -5, "EST") in _page(client, "/account", JA)
    client.set_cookie(TIME_ZONE_COOKIE, "Not/AZone")  # a bad cookie is ignored
    assert _shown(created, 9, "JST") in _page(client, "/account", JA)

    other, _u, created_other = _signed_in(app, services, EN)
    assert _shown(created_other, 0, "UTC") in _page(other, "/account")


def test_the_refresh_line_and_the_import_time_are_in_the_users_zone(app, services):
    client, _user, _created = _signed_in(app, services, JA)
    home = _page(client, "/", JA)
    assert "毎週日曜日 09:00 (JST) に更新" in home
    assert " JST にインポート" in _page(client, "/admin", JA)  # the data status (a full admin)
    calling = _page(client, "/calling", JA)
    assert "毎週日曜日 09:00 (JST) に更新されます" in calling

    english, _u, _c = _signed_in(app, services, EN)
    assert "refreshed every Sunday 00:00 UTC" in _page(english, "/")


def test_grid_rows_carry_moments_in_the_viewers_zone():
    # the grid shows last_admin_sign_in as a date: the viewer's date, not UTC's
    import polars as pl
    from flask import Flask

    from partnerhub.components.grid import to_row_dicts

    frame = pl.DataFrame({"last_admin_sign_in": [datetime(2026, 11, 30, 20, 0, tzinfo=UTC)], "as_of": [None]})
    with Flask(__name__).test_request_context("/?lang=ja"):  # no choice, no cookie: Tokyo
        assert to_row_dicts(frame)[0]["last_admin_sign_in"] == "2026-12-01T05:00:00+09:00"
    with Flask(__name__).test_request_context("/?lang=en"):
        assert to_row_dicts(frame)[0]["last_admin_sign_in"] == "2026-11-30T20:00:00+00:00"
