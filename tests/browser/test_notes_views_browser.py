"""Notes, follow-ups and saved views in Chromium, as a partner admin of
their own (the demo users' landing pages stay untouched): add a note and a
follow-up on a customer's page and find the follow-up on This week; save a
view of the customer list, make it the landing view, sign out and in again:
the sign-in lands on it with its filters, and the menu opens it."""

from __future__ import annotations

import re
from datetime import timedelta

from playwright.sync_api import expect

from partnerhub.auth.users import assign_customers
from partnerhub.metrics.types import Filters
from partnerhub.services.follow_ups import utc_today
from tests.auth_client import new_user
from tests.browser.pages_support import WAIT
from tests.customer_pages import ADMIN, expected_list, scope


def _partner_admin(services) -> tuple[str, list[str]]:
    """A partner admin of their own with a few of the demo admin's customers."""
    email = new_user(services, "partner_admin", prefix="browser-notes")
    customers = sorted(scope(services, ADMIN))[:6]
    assign_customers(services.state, "tests", email, customers)
    return email, customers


def test_a_note_and_a_follow_up_and_the_follow_up_on_this_week(page, sign_in, services):
    email, customers = _partner_admin(services)
    cid = customers[0]
    name = expected_list(services, email).filter(customer_id=cid)["customer_name"][0]
    sign_in(page, email, next=f"/customers/{cid}")

    box = page.locator("#customers-notes-new")
    box.fill("Called the admin.\n<b>Renewal</b> next month")
    expect(page.locator("#customers-notes-new-count")).to_have_text("43 / 4,000")
    page.get_by_role("button", name="Add note").click()
    expect(page.locator("#customers-notes-feedback")).to_contain_text("Note added.", timeout=WAIT)
    note = page.locator("#customers-notes-list .note").first
    # the text as typed, its line break kept, the tag shown as text
    expect(note.locator(".note-body")).to_have_text("Called the admin.\n<b>Renewal</b> next month")
    expect(note.locator(".note-body b")).to_have_count(0)
    expect(note).to_contain_text("Test partner_admin")
    expect(box).to_have_value("")

    # the author edits it within 24 hours, in a dialog
    note.get_by_role("button", name="Edit").click()
    edit = page.locator("#customers-notes-edit-text")
    expect(edit).to_have_value("Called the admin.\n<b>Renewal</b> next month")
    edit.fill("Called the admin: renewal next month")
    page.get_by_role("button", name="Save note").click()
    expect(page.locator("#customers-notes-feedback")).to_contain_text("Note saved.")
    expect(note.locator(".note-body")).to_have_text("Called the admin: renewal next month")

    due = utc_today() + timedelta(days=2)
    page.locator("#customers-followup-date").fill(due.isoformat())
    page.locator("#customers-followup-text").fill("Ask about the renewal")
    page.get_by_role("button", name="Set follow-up").click()
    expect(page.locator("#customers-notes-feedback")).to_contain_text(f"Follow-up set for {due.isoformat()}.")
    expect(page.locator("#customers-followup-status")).to_contain_text("Ask about the renewal")

    page.locator(".navbar-brand").click()  # home: This week
    follow_ups = page.locator("#home-follow-ups-list")
    expect(follow_ups).to_contain_text(name, timeout=WAIT)
    expect(follow_ups).to_contain_text("Ask about the renewal")
    expect(follow_ups).to_contain_text("due in 2 days")


def test_a_saved_view_survives_sign_out_and_is_the_landing_view(page, sign_in, sign_out, services):
    email, _customers = _partner_admin(services)
    expected = expected_list(services, email, Filters(managed_by=("partner",))).height
    sign_in(page, email, next="/customers?managed_by=partner")
    expect(page.locator("#customers-count")).to_have_text(re.compile(rf"^{expected} customers?$"))

    page.locator("#customers-views-menu").click()
    page.locator("#customers-views-save-open").click()
    page.locator("#customers-views-save-name").fill("Partner-managed")
    page.get_by_role("button", name="Save view", exact=True).click()
    expect(page.locator("#customers-views-feedback")).to_contain_text("Saved the view “Partner-managed”.")

    page.locator("#customers-views-menu").click()
    page.locator("#customers-views-manage-open").click()
    # other tests of this session may have shared views on this page too
    row = page.locator(".saved-view-row", has_text="Partner-managed")
    row.get_by_role("button", name="Use as my landing view").click()
    expect(page.locator("#customers-views-manage-feedback")).to_contain_text(
        "You will land on the view “Partner-managed” after signing in."
    )
    page.get_by_role("button", name="Done").click()

    sign_out(page)
    sign_in(page, email)
    # the landing view, with its filters
    expect(page).to_have_url(re.compile(r"/customers\?managed_by=partner$"))
    expect(page.locator("#customers-count")).to_have_text(re.compile(rf"^{expected} customers?$"), timeout=WAIT)

    # the menu opens the view from the unfiltered list too
    page.goto("/customers")
    page.locator("#account-menu").wait_for()
    page.locator("#customers-views-menu").click()
    page.locator(".saved-view-link", has_text="Partner-managed").click()
    expect(page).to_have_url(re.compile(r"/customers\?managed_by=partner$"))
    expect(page.locator("#customers-count")).to_have_text(re.compile(rf"^{expected} customers?$"), timeout=WAIT)
