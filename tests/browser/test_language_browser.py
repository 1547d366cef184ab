"""The language switch in Chromium: a ja-JP browser gets the Japanese
sign-in page, its English button turns it English; a signed-in user's
日本語 button turns the app Japanese on the same page and the choice is saved.
Each test signs in as a user of its own: a saved language must not leak
into the other browser tests, which read the English interface."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from partnerhub.auth.roles import FULL
from partnerhub.auth.users import get_user_by_email
from partnerhub.data.preferences import get_preferences
from tests.auth_client import new_user


def test_a_japanese_browser_gets_japanese_and_the_switch_turns_it_english(browser, base_url, browser_errors):
    context = browser.new_context(base_url=base_url, locale="ja-JP")
    page = context.new_page()
    browser_errors.attach(page)
    try:
        page.goto("/login?next=/customers")
        expect(page.locator("html")).to_have_attribute("lang", "ja")
        expect(page.get_by_role("heading", name="サインイン")).to_be_visible()
        expect(page.locator("#nav-language-ja")).to_have_attribute("aria-pressed", "true")
        page.locator("#nav-language-en").click()
        expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
        expect(page.locator("html")).to_have_attribute("lang", "en")
        # the sign-in page keeps where it was sending the visitor
        expect(page).to_have_url(re.compile(r"/login\?next=%2Fcustomers$"))
    finally:
        context.close()
    assert not browser_errors.unexpected()


def test_the_navigation_bars_switch_turns_the_app_japanese_and_saves_it(page, sign_in, services):
    email = new_user(services, FULL, prefix="lang")
    sign_in(page, email, next="/customers")
    expect(page.locator("#nav-customers")).to_contain_text("Customers")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.locator("#nav-language-ja").click()
    expect(page.locator("#nav-customers")).to_contain_text("顧客")
    expect(page.locator("html")).to_have_attribute("lang", "ja")
    expect(page).to_have_url(re.compile(r"/customers$"))
    user = get_user_by_email(services.state, email)
    assert get_preferences(services.state, user.id)["language"] == "ja"
