"""Signing in and out through the real form in Chromium; each role sees the
navigation entries of its areas only, and the pages run under the CSP with
no console errors."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from partnerhub.auth.roles import AREAS
from partnerhub.components.shell import NAV

ROLES_BY_EMAIL = {
    "full.admin@demo.example": "partner_full_admin",
    "admin@demo.example": "partner_admin",
    "readonly@demo.example": "partner_readonly_admin",
    "sales.full@demo.example": "sales_full_admin",
    "sales@demo.example": "sales_admin",
}


def test_sign_in_page_renders(page, artifacts):
    response = page.goto("/login")
    assert response.status == 200
    assert "default-src 'self'" in response.headers["content-security-policy"]
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    expect(page.get_by_label("E-mail address")).to_be_visible()
    expect(page.get_by_label("Password")).to_be_visible()
    # the vendored Bootstrap is applied (no CDN): the button has Bootstrap's primary colour
    color = page.get_by_role("button", name="Sign in").evaluate("b => getComputedStyle(b).backgroundColor")
    assert color == "rgb(13, 110, 253)"
    page.screenshot(path=str(artifacts / "sign-in.png"), full_page=True)


def test_anonymous_visit_goes_to_sign_in(page):
    page.goto("/analytics?product=calling")
    expect(page).to_have_url(re.compile(r"/login\?next="))
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()


def test_wrong_password_shows_the_error(page, artifacts):
    page.goto("/login")
    page.get_by_label("E-mail address").fill("readonly@demo.example")
    page.get_by_label("Password").fill("not the password at all")
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("#login-error")).to_have_text("The e-mail address or the password is wrong.")
    expect(page).to_have_url(re.compile(r"/login"))
    page.screenshot(path=str(artifacts / "sign-in-wrong-password.png"), full_page=True)


@pytest.mark.parametrize("email", list(ROLES_BY_EMAIL))
def test_each_role_sees_its_navigation(page, sign_in, sign_out, email):
    role = ROLES_BY_EMAIL[email]
    sign_in(page, email)
    expect(page.locator("#data-as-of")).to_be_visible()  # the home page content is drawn
    for area in (entry[0] for entry in NAV):
        entry = page.locator(f"#nav-{area}")
        if role in AREAS[area]:
            expect(entry).to_be_visible()
        else:
            expect(entry).to_have_count(0)
    sign_out(page)
    expect(page.locator("#login-notice")).to_have_text("You are signed out.")
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/login\?next=/"))


def test_sign_in_returns_to_the_page_asked_for(page, sign_in):
    sign_in(page, "full.admin@demo.example", next="/account")
    expect(page).to_have_url(re.compile(r"/account$"))
    expect(page.get_by_role("heading", name="My account")).to_be_visible()


def test_administration_page_renders_for_the_full_admin(page, sign_in, artifacts):
    sign_in(page, "full.admin@demo.example")
    page.locator("#nav-administration").click()
    expect(page.get_by_role("heading", name="Administration")).to_be_visible()
    expect(page.locator("#admin-users-grid")).to_contain_text("readonly@demo.example")
    page.get_by_role("tab", name="Audit log").click()
    # the audit log reads as sentences: the action by its name, never its code
    expect(page.locator("#admin-audit-grid")).to_contain_text("User added")
    expect(page.locator("#admin-audit-grid")).not_to_contain_text("user.add")
    page.screenshot(path=str(artifacts / "admin.png"), full_page=True)


def test_out_of_role_page_says_not_allowed(page, sign_in, browser_errors):
    browser_errors.allow(r"status of 403")
    browser_errors.allow(r"You do not have access to this page")  # Dash logs the refused router call
    sign_in(page, "readonly@demo.example")
    # a direct load
    response = page.goto("/admin")
    assert response.status == 403
    expect(page.get_by_role("heading", name="Not allowed")).to_be_visible()
    # in-app navigation: the router callback is refused and the page reloads into the same answer
    page.goto("/")
    page.locator("#account-menu").wait_for()
    page.evaluate(
        "() => { window.history.pushState({}, '', '/admin'); window.dispatchEvent(new PopStateEvent('popstate')); }"
    )
    expect(page.get_by_role("heading", name="Not allowed")).to_be_visible()


def test_account_page_creates_shows_once_and_revokes_a_token(page, sign_in, artifacts):
    sign_in(page, "sales@demo.example")
    page.locator("#account-menu").click()
    page.get_by_text("API tokens and password").click()
    expect(page.get_by_role("heading", name="My account")).to_be_visible()
    page.get_by_label("Token name").fill("browser test")
    page.get_by_role("button", name="Create token").click()
    secret = page.locator("#account-token-secret")
    expect(secret).to_have_text(re.compile(r"^phk_"))
    row = page.locator("#account-tokens-grid tr", has_text="browser test")
    expect(row).to_have_count(1)
    page.screenshot(path=str(artifacts / "account-token.png"), full_page=True)
    row.get_by_role("button", name="Revoke token browser test").click()
    expect(page.locator("#account-token-feedback")).to_contain_text("The token is revoked.")
    expect(page.locator("#account-tokens-grid tr", has_text="browser test")).to_have_count(0)


def test_full_admin_adds_a_user_in_the_browser(page, sign_in, artifacts):
    import uuid

    email = f"browser-{uuid.uuid4().hex[:8]}@tests.example"
    sign_in(page, "full.admin@demo.example", next="/admin")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Name", exact=True).fill("Browser Person")
    page.get_by_label("Role", exact=True).select_option("sales_admin")
    page.get_by_role("button", name="Add user").click()
    expect(page.locator("#admin-users-feedback")).to_contain_text(f"Added {email}.")
    expect(page.locator("#admin-users-grid")).to_contain_text(email)
    page.screenshot(path=str(artifacts / "admin-users.png"), full_page=True)
