"""The bell and the Alerts page in Chromium: a partner admin with three
unread alerts (opened and resolved by the data layer's evaluation step on
real customers) sees the count on the bell, the alerts listed on the page,
creates a rule with the form and sees it listed, marks one alert read and
the bell's count drops."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.alerts_ui_support import customers, plant
from tests.auth_client import new_user
from tests.browser.pages_support import WAIT


def test_a_partner_admin_reads_alerts_and_sets_a_rule(page, sign_in, services, artifacts):
    email = new_user(services, "partner_admin", prefix="browser-alerts")
    plant(services, email, n=3, resolve=1)
    names = [name for _cid, name in customers(services, 3)]

    sign_in(page, email)
    bell = page.locator("#nav-alerts")
    expect(bell).to_have_accessible_name("3 unread alerts", timeout=WAIT)
    expect(page.locator("#nav-alerts-count")).to_have_text("3")
    bell.click()
    expect(page.get_by_role("heading", name="Alerts", exact=True)).to_be_visible()
    rows = page.locator("#alerts-table tbody tr")
    expect(rows).to_have_count(3)
    for name in names:
        expect(page.locator("#alerts-table").get_by_role("link", name=name)).to_be_visible()
    expect(page.locator("#alerts-table")).to_contain_text("health score 31 (At risk)")

    # a new rule: the condition's parameter at its default, changed, and the rule listed in words
    page.locator("#alerts-new-condition").select_option("health_drop")
    points = page.get_by_label("Points")
    expect(points).to_have_value("15")
    points.fill("20")
    page.get_by_role("button", name="Create rule").click()
    expect(page.locator("#alerts-rule-feedback")).to_contain_text("Created the alert rule.")
    expect(page.locator("#alerts-rules-table")).to_contain_text("Health score falls by 20 points or more")

    # mark the newest alert read: the bell says one fewer
    rows.first.get_by_role("checkbox").check()
    page.get_by_role("button", name="Mark selected read").click()
    expect(page.locator("#alerts-feedback")).to_contain_text("Marked 1 alert read.")
    expect(bell).to_have_accessible_name("2 unread alerts")
    expect(page.locator("#nav-alerts-count")).to_have_text("2")
    expect(rows.first).not_to_have_class(re.compile(r"alerts-unread"))
    page.screenshot(path=str(artifacts / "alerts.png"), full_page=True)
