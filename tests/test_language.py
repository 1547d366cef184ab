"""The interface language of a request, over HTTP through the session app:
the browser's Accept-Language on a first visit, `?lang=` for one view (a
shared link: kept for the browser session, never saved on the user), the
switch in the navigation bar and on the sign-in page (a real form POST, the
signed-in user's choice saved in the app-state store on SQLite and
PostgreSQL and read back at the next sign-in), `<html lang>` on the sign-in
page and on the app's pages, and a clear 400, never a 5xx, for bad values."""

from __future__ import annotations

import dataclasses
import json
import re

import pytest

from partnerhub.auth.roles import FULL
from partnerhub.auth.users import get_user_by_email
from partnerhub.data.preferences import get_preferences
from partnerhub.data.runtime import EXTENSION
from partnerhub.i18n import LANGUAGE_COOKIE, VIEW_COOKIE
from tests.auth_client import api_tokens, form_token, new_user, router, sign_in
from tests.services_support import audit_after, last_audit_id

JA = {"Accept-Language": "ja-JP,ja;q=0.9,en;q=0.8"}
EN = {"Accept-Language": "en-US,en;q=0.9"}
HTML_LANG = re.compile(r'<html lang="([a-z]+)">')


def html_lang(response) -> str:
    match = HTML_LANG.search(response.get_data(as_text=True))
    assert match, response.get_data(as_text=True)[:200]
    return match.group(1)


def _find(node, ident):
    """The component with this id in a Dash layout (JSON)."""
    if isinstance(node, dict):
        props = node.get("props", {})
        if props.get("id") == ident:
            return props
        return next((f for v in (props.get("children"), *props.values()) if (f := _find(v, ident)) is not None), None)
    if isinstance(node, list):
        return next((f for v in node if (f := _find(v, ident)) is not None), None)
    return None


def switch_token(client, headers=None) -> str:
    """The CSRF token of the navigation bar's language switch, as the browser gets it."""
    layout = client.get("/_dash-layout", headers=headers or {}).get_json()
    field = _find(layout, "nav-language-csrf")
    assert field is not None and field["name"] == "csrf_token", "no language switch in the navigation bar"
    return field["value"]


# ---- first visit, ?lang, the sign-in page ---------------------------------------------------------


def test_the_first_visit_follows_accept_language(app):
    ja = app.test_client().get("/login", headers=JA)
    assert ja.status_code == 200 and html_lang(ja) == "ja"
    assert "サインイン" in ja.get_data(as_text=True) and "E-mail address" not in ja.get_data(as_text=True)
    en = app.test_client().get("/login", headers=EN)
    assert html_lang(en) == "en" and "Sign in" in en.get_data(as_text=True)
    # no header, or only languages we do not have: English
    assert html_lang(app.test_client().get("/login")) == "en"
    assert html_lang(app.test_client().get("/login", headers={"Accept-Language": "fr-FR,de"})) == "en"


def test_lang_on_the_address_overrides_the_browser_for_that_view(app):
    client = app.test_client()
    shared = client.get("/login?lang=ja", headers=EN)
    assert html_lang(shared) == "ja" and "メールアドレス" in shared.get_data(as_text=True)
    # the rest of the view (a reload, the next page) stays in it until the browser closes
    cookie = client.get_cookie(VIEW_COOKIE)
    assert cookie is not None and cookie.value == "ja" and cookie.expires is None
    assert html_lang(client.get("/login", headers=EN)) == "ja"
    assert html_lang(client.get("/login?lang=en", headers=EN)) == "en"


def test_a_shared_link_opened_signed_out_shows_the_sign_in_page_in_its_language(app):
    client = app.test_client()
    sent = client.get("/customers?status=active&lang=ja", headers=EN)
    assert sent.status_code == 302
    assert sent.headers["Location"] == "/login?next=/customers?status%3Dactive%26lang%3Dja&lang=ja"
    page = client.get(sent.headers["Location"], headers=EN)
    assert html_lang(page) == "ja" and "サインイン" in page.get_data(as_text=True)


def test_the_sign_in_pages_switch_keeps_the_choice_in_a_cookie(app):
    client = app.test_client()
    page = client.get("/login?next=/customers", headers=JA)
    assert 'id="nav-language-ja"' in page.get_data(as_text=True) and "English" in page.get_data(as_text=True)
    token = form_token(client, "/login?next=/customers")
    chosen = client.post(
        "/language",
        data={"language": "en", "csrf_token": token},
        headers={**JA, "Referer": "http://localhost/login?next=%2Fcustomers&lang=ja"},
    )
    # back to the same page, without the ?lang that would override the choice
    assert chosen.status_code == 302 and chosen.headers["Location"] == "/login?next=%2Fcustomers"
    assert client.get_cookie(LANGUAGE_COOKIE).value == "en"
    assert client.get_cookie(VIEW_COOKIE) is None
    again = client.get("/login?next=/customers", headers=JA)
    assert html_lang(again) == "en" and "Sign in" in again.get_data(as_text=True)


def test_the_switch_without_its_csrf_token_is_refused(app):
    client = app.test_client()
    client.get("/login", headers=JA)
    refused = client.post("/language", data={"language": "en"}, headers=JA)
    assert refused.status_code == 400 and "CSRF" in refused.get_data(as_text=True)
    assert client.get_cookie(LANGUAGE_COOKIE) is None


# ---- bad values ---------------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["xx", "", "english", "ja;drop", "%00", "x" * 3000])
def test_a_bad_lang_on_the_sign_in_page_is_a_clear_400(app, value):
    response = app.test_client().get("/login", query_string={"lang": value})
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert "Unknown language" in text and "en / ja" in text


def test_a_bad_lang_is_named_in_the_requests_own_language(app):
    response = app.test_client().get("/login?lang=xx", headers=JA)
    assert response.status_code == 400 and "不明な言語「xx」" in response.get_data(as_text=True)


@pytest.mark.parametrize("value", ["xx", "", "zh", "ja" * 30, None])
def test_a_bad_value_from_the_switch_is_a_clear_400(app, value):
    client = app.test_client()
    token = form_token(client)
    data = {"csrf_token": token} | ({} if value is None else {"language": value})
    response = client.post("/language", data=data)
    assert response.status_code == 400 and "Unknown language" in response.get_data(as_text=True)
    assert client.get_cookie(LANGUAGE_COOKIE) is None


def test_a_bad_lang_after_sign_in_is_a_400_on_pages_callbacks_and_the_api(app, services):
    email = new_user(services, FULL)
    client = app.test_client()
    assert sign_in(client, email).status_code == 302
    page = client.get("/customers?lang=xx")
    assert page.status_code == 400 and "Unknown language" in page.get_data(as_text=True)
    layout = client.get("/_dash-layout?lang=xx")
    assert layout.status_code == 400 and "Unknown language" in layout.get_json()["error"]
    token = api_tokens(app, [email])[email]
    api = app.test_client().get("/api/v1/kpis?lang=xx", headers={"Authorization": f"Bearer {token}"})
    assert api.status_code == 400 and "Unknown language" in api.get_json()["error"]
    # a good one is no unknown parameter for the API
    fine = app.test_client().get("/api/v1/kpis?lang=ja", headers={"Authorization": f"Bearer {token}"})
    assert fine.status_code == 200


# ---- signed in: pages, the navigation bar's switch, the saved choice ---------------------------


def test_pages_after_sign_in_carry_the_language(app, services):
    email = new_user(services, FULL)
    client = app.test_client()
    sign_in(client, email, headers=JA)
    page = client.get("/customers", headers=JA)
    assert page.status_code == 200 and html_lang(page) == "ja"
    assert html_lang(client.get("/customers", headers=EN)) == "en"
    assert html_lang(client.get("/customers?lang=ja", headers=EN)) == "ja"
    # the pages' content comes from callbacks: they follow the view too
    content = json.dumps(router(client, "/customers").get_json(), ensure_ascii=False)
    assert "顧客" in content


def test_the_navigation_bars_switch_saves_the_choice_and_a_new_sign_in_reads_it_back(app, services, state, monkeypatch):
    # the session app on this test's store (SQLite, then PostgreSQL): every read and write below goes to it
    monkeypatch.setitem(app.extensions, EXTENSION, dataclasses.replace(services, state=state))
    svc = app.extensions[EXTENSION]
    email = new_user(svc, FULL)
    user_id = get_user_by_email(state, email).id
    client = app.test_client()
    assert sign_in(client, email, headers=EN).status_code == 302
    assert html_lang(client.get("/customers", headers=EN)) == "en"
    before = last_audit_id(state)
    chosen = client.post(
        "/language",
        data={"language": "ja", "csrf_token": switch_token(client, EN)},
        headers={**EN, "Referer": "http://localhost/customers?status=active&lang=en"},
    )
    assert chosen.status_code == 302 and chosen.headers["Location"] == "/customers?status=active"
    assert get_preferences(state, user_id)["language"] == "ja"
    assert audit_after(state, before) == [(email, "user.language", None, email)]
    assert html_lang(client.get("/customers", headers=EN)) == "ja"

    # another browser, in English, without any cookie of ours: the saved choice wins
    other = app.test_client()
    assert sign_in(other, email, headers=EN).status_code == 302
    assert html_lang(other.get("/customers", headers=EN)) == "ja"
    layout = other.get("/_dash-layout", headers=EN).get_json()
    assert _find(layout, "nav-language-ja")["aria-pressed"] == "true"
    # a shared link shows its language without changing the saved one
    assert html_lang(other.get("/customers?lang=en", headers=EN)) == "en"
    assert get_preferences(state, user_id)["language"] == "ja"
