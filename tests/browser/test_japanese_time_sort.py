"""In Chromium with locale ja-JP and time zone Asia/Tokyo: the browser's zone
reaches the server (assets/timezone.js), so times are shown in JST with the
zone named (the Account page, the Administration users grid's last sign-in
and data status's import time, the home page's refresh line); and names
sorted in the browser (the Administration users grid, AG Grid with
Intl.Collator in the page's language) come in Japanese order: kanji by reading, then kana in
gojūon order, hiragana and katakana together, then Latin names, descending.
Each test signs in as a user of its own; the users it adds carry a unique
mark so that only they are compared."""

from __future__ import annotations

import uuid

from playwright.sync_api import expect

from partnerhub.auth.roles import FULL, ROLES
from partnerhub.auth.users import add_or_update_user
from tests.auth_client import new_user
from tests.conftest import PASSWORD

# descending ICU/Intl ja order, worked out by hand: 東 (tō) > 中 (chū) > 佐 (sa) > さ > カ > い > ア
JAPANESE_DESCENDING = ["東京 太郎", "中村 花子", "佐藤 一郎", "さくら 次郎", "カキ 三郎", "いろは 四郎", "アオイ 五郎"]


def _japanese_context(browser, base_url):
    return browser.new_context(base_url=base_url, locale="ja-JP", timezone_id="Asia/Tokyo")


def _sign_in(page, email: str, next: str = "/") -> None:
    page.goto("/login" + (f"?next={next}" if next != "/" else ""))
    page.locator("input[name=email]").fill(email)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("input[name=password]").press("Enter")
    page.locator("#account-menu").wait_for()


def test_times_are_shown_in_jst(browser, base_url, services, browser_errors):
    email = new_user(services, FULL, prefix="jst")
    context = _japanese_context(browser, base_url)
    page = context.new_page()
    browser_errors.attach(page)
    try:
        _sign_in(page, email)
        # the page drawn before the cookie existed was in JST already (Japanese interface);
        # from here on the browser's own zone is sent
        assert any(c["name"] == "partnerhub_tz" and c["value"] == "Asia/Tokyo" for c in context.cookies())
        page.goto("/")
        expect(page.locator("#data-as-of")).to_contain_text("毎週日曜日 09:00 (JST) に更新")
        page.goto("/admin")  # the data status tab (the user is a full admin)
        expect(page.locator("#admin-imported-at")).to_contain_text("JST にインポート")
        page.goto("/account")
        expect(page.locator("#account-sessions-grid")).to_contain_text(" JST")
        expect(page.locator("#account-time-zone")).to_contain_text("Asia/Tokyo")
    finally:
        context.close()
    assert not browser_errors.unexpected()


def test_the_admin_grid_sorts_japanese_names_in_collation_order(browser, base_url, services, browser_errors):
    mark = uuid.uuid4().hex[:6]
    for i, name in enumerate(JAPANESE_DESCENDING[::-1]):
        add_or_update_user(services.state, "tests", f"ja{i}-{mark}@tests.example", name, sorted(ROLES)[0])
    admin = new_user(services, FULL, prefix="jasort")
    context = _japanese_context(browser, base_url)
    page = context.new_page()
    browser_errors.attach(page)
    try:
        _sign_in(page, admin, next="/admin")
        grid = page.locator("#admin-users-grid")
        header = grid.locator(".ag-header-cell[col-id=name] .ag-header-cell-label")
        header.click()  # ascending
        header.click()  # descending
        expect(grid.locator(".ag-header-cell[col-id=name]")).to_have_attribute("aria-sort", "descending")
        names = grid.locator(".ag-center-cols-container .ag-cell[col-id=name]").all_inner_texts()
        emails = grid.locator(".ag-center-cols-container .ag-cell[col-id=email]").all_inner_texts()
        ours = [n for n, e in zip(names, emails) if e.endswith(f"-{mark}@tests.example")]
        assert ours == JAPANESE_DESCENDING
        # every Japanese name before every Latin one
        first_latin = next(i for i, n in enumerate(names) if n[:1].isascii())
        assert all(names.index(n) < first_latin for n in ours)
    finally:
        context.close()
    assert not browser_errors.unexpected()
