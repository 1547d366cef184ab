"""The customer pages in Chromium: each role's list is its scope with the
numbers of metrics.customers, filters live in the address (reload, back),
tags made by one user show for another while a read-only admin gets no edit
controls, trials and admin assignments on a customer's page, and an
out-of-scope customer looks exactly like an unknown one."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from partnerhub.data.state import audit_log
from partnerhub.data.trials import utc_today
from partnerhub.metrics.types import Filters
from tests.auth_client import new_user
from tests.browser.pages_support import publish
from tests.customer_pages import ADMIN, FULL, READONLY, ROLES, SALES, expected_list, free_customer, scope

STATUS_WORDS = {
    "trial": "Trial",
    "subscription": "Subscription",
    "expiring_soon": "Expiring soon",
    "license_overage": "License overage",
    "no_recent_activity": "No recent activity",
    "order_ready_for_setup": "Order ready for setup",
    "suspended": "Suspended",
    "expired": "Expired",
}


def count(n: int) -> str:
    return f"{n:,} customers" if n != 1 else "1 customer"


def grid_row(page, customer_id):
    return page.locator(f'#customers-grid .ag-center-cols-container .ag-row[row-id="{customer_id}"]')


def open_list(page, sign_in, email, search=""):
    sign_in(page, email, next="/customers" + search)
    page.locator("#customers-grid .ag-center-cols-container .ag-row").first.wait_for()


@pytest.mark.parametrize("email", ROLES)
def test_each_role_sees_exactly_its_customers(page, sign_in, services, artifacts, email):
    expected = expected_list(services, email)
    open_list(page, sign_in, email)
    expect(page.locator("#customers-count")).to_have_text(count(expected.height))
    first = expected.row(0, named=True)
    row = grid_row(page, first["customer_id"])
    expect(row.locator('[col-id="customer_name"]')).to_have_text(first["customer_name"])
    statuses = row.locator('[col-id="statuses"]')
    for status in filter(None, first["statuses"].split(";")):
        expect(statuses).to_contain_text(STATUS_WORDS[status])
    expect(row.locator('[col-id="total_licenses"]')).to_contain_text(
        f"{first['used']:,} / {first['assigned']:,} / {first['total_licenses']:,}"
    )
    link = row.locator('[col-id="org_url"] a')
    expect(link).to_have_attribute("target", "_blank")
    expect(link).to_have_attribute("rel", "noopener noreferrer")
    expect(link).to_have_attribute("aria-label", re.compile("Launch the customer org of"))
    scoped = scope(services, email)
    if scoped is not None:
        shown = page.locator("#customers-grid .ag-center-cols-container .ag-row").evaluate_all(
            "rows => rows.map(r => r.getAttribute('row-id'))"
        )
        assert set(shown) <= scoped
    if email == FULL:
        page.screenshot(path=str(artifacts / "customers-list-1280.png"))
        publish(artifacts / "customers-list-1280.png", "customers.png")
        page.set_viewport_size({"width": 768, "height": 1000})
        expect(page.locator("#customers-count")).to_be_visible()
        page.screenshot(path=str(artifacts / "customers-list-768.png"), full_page=True)


def test_filters_live_in_the_address(page, sign_in, services):
    open_list(page, sign_in, ADMIN)
    everyone = expected_list(services, ADMIN).height
    # a status from the multi-select
    page.locator("#customers-status").click()
    page.get_by_role("option", name="Subscription", exact=True).click()
    page.keyboard.press("Escape")
    with_sub = expected_list(services, ADMIN, Filters(status=("subscription",))).height
    expect(page).to_have_url(re.compile(r"/customers\?status=subscription$"))
    expect(page.locator("#customers-count")).to_have_text(count(with_sub))
    # the needs-attention view
    page.get_by_text("Needs attention", exact=True).click()
    attention = expected_list(services, ADMIN, Filters(status=("subscription",), needs_attention=True)).height
    expect(page).to_have_url(re.compile(r"status=subscription&needs_attention=true$"))
    expect(page.locator("#customers-count")).to_have_text(count(attention))
    assert attention < with_sub < everyone
    # free text
    page.get_by_label("Search name or ID").fill("corp")
    page.get_by_label("Search name or ID").press("Enter")
    both = expected_list(services, ADMIN, Filters(status=("subscription",), needs_attention=True, q="corp")).height
    expect(page).to_have_url(re.compile(r"q=corp"))
    expect(page.locator("#customers-count")).to_have_text(count(both))
    # the download menu names the same view
    expect(page.locator("#customers-download-csv")).to_have_attribute(
        "href", "/api/v1/datasets/customers.csv?status=subscription&q=corp&needs_attention=true"
    )
    # a reload keeps the view
    page.reload()
    expect(page.locator("#customers-count")).to_have_text(count(both))
    expect(page.get_by_label("Search name or ID")).to_have_value("corp")
    expect(page.locator("#_dbcprivate_radioitems_customers-attention_input_attention")).to_be_checked()
    # the back button goes back through the views
    page.go_back()
    expect(page).to_have_url(re.compile(r"status=subscription&needs_attention=true$"))
    expect(page.locator("#customers-count")).to_have_text(count(attention))
    expect(page.get_by_label("Search name or ID")).to_have_value("")
    page.go_back()
    expect(page.locator("#customers-count")).to_have_text(count(with_sub))


def test_a_bad_address_says_so(page, sign_in, services):
    open_list(page, sign_in, FULL, "?status=nonsense")
    expect(page.locator("#customers-url-alert")).to_contain_text("The status “nonsense” is unknown")
    expect(page.locator("#customers-count")).to_have_text(count(expected_list(services, FULL).height))


def test_sorting_in_the_grid(page, sign_in, services):
    open_list(page, sign_in, READONLY)
    top = (
        expected_list(services, READONLY)
        .sort(["total_licenses", "customer_name", "customer_id"], descending=[True, False, False])
        .row(0, named=True)
    )
    header = page.locator('#customers-grid .ag-header-cell[col-id="total_licenses"]')
    header.click()
    header.click()
    expect(page.locator('#customers-grid .ag-center-cols-container .ag-row[row-index="0"]')).to_have_attribute(
        "row-id", top["customer_id"]
    )


def test_tags_are_shared_and_readonly_admins_only_look(page, sign_in, sign_out, services, artifacts):
    name = f"Renewal {uuid.uuid4().hex[:5]}"
    open_list(page, sign_in, FULL)
    page.get_by_role("button", name="Manage tags").click()
    page.get_by_label("Name", exact=True).fill(name)
    page.get_by_role("button", name="Create tag").click()
    expect(page.locator("#customers-tags-feedback")).to_contain_text(f"Created the tag “{name}”.")
    expect(page.locator("#customers-tags-list")).to_contain_text(name)
    page.get_by_role("button", name="Done").click()
    ids = expected_list(services, FULL)["customer_id"].to_list()[1:3]
    for cid in ids:
        grid_row(page, cid).locator('input[type="checkbox"]').check()
    expect(page.locator("#customers-selected")).to_have_text("2 customers selected")
    page.locator("#customers-assign-tag").click()
    page.get_by_role("option", name=name, exact=True).click()
    page.get_by_role("button", name="Add tag").click()
    expect(page.locator("#customers-tag-feedback")).to_contain_text(f"Added “{name}” to 2 customers.")
    for cid in ids:
        expect(grid_row(page, cid).locator('[col-id="tags"]')).to_contain_text(name)
    page.screenshot(path=str(artifacts / "customers-tagged.png"))
    sign_out(page)

    open_list(page, sign_in, READONLY, f"?tag={name.replace(' ', '+')}")
    expect(page.locator("#customers-count")).to_have_text(count(2))
    for cid in ids:
        expect(grid_row(page, cid).locator(".tag-chip")).to_have_text(name)
    for control in ("#customers-tags-open", "#customers-tag-add", "#customers-tag-remove", "#customers-assign-tag"):
        expect(page.locator(control)).to_have_count(0)
    expect(grid_row(page, ids[0]).locator('input[type="checkbox"]')).to_have_count(0)


def test_a_customer_page_with_trials_and_admins(page, sign_in, services, artifacts):
    cid = free_customer(services, FULL)
    assignee = new_user(services, "partner_admin", prefix="browser")
    sign_in(page, FULL, next=f"/customers/{cid}")
    expect(page.locator("#customers-detail-name")).to_be_visible()
    page.screenshot(path=str(artifacts / "customer-detail.png"), full_page=True)
    publish(artifacts / "customer-detail.png", "customer-detail.png")

    page.get_by_role("tab", name="Trials").click()
    page.get_by_label("Meetings", exact=True).fill("5")
    page.get_by_label("Calling", exact=True).fill("12")
    page.get_by_text("60 days", exact=True).click()
    page.get_by_role("button", name="Start trial").click()
    end = utc_today() + timedelta(days=60)
    expect(page.locator("#customers-trial-feedback")).to_contain_text("Trial started")
    expect(page.locator("#customers-trial-panel .trial-end")).to_have_text(end.isoformat())
    page.screenshot(path=str(artifacts / "customer-trials.png"), full_page=True)
    page.get_by_role("button", name="Extend by 30 days").click()
    expect(page.locator("#customers-trial-panel .trial-end")).to_have_text((end + timedelta(days=30)).isoformat())

    page.get_by_role("tab", name="Partner administrators").click()
    page.locator("#customers-admins-user").click()
    page.get_by_role("option", name=re.compile(re.escape(assignee))).click()
    page.get_by_role("button", name="Assign", exact=True).click()
    expect(page.locator("#customers-admins-table")).to_contain_text(assignee)
    page.get_by_role("button", name=f"Remove {assignee} from this customer").click()
    expect(page.locator("#customers-admins-feedback")).to_contain_text(f"Removed {assignee}")
    expect(page.locator("#customers-admins-panel")).not_to_contain_text(assignee)
    with services.state.read() as conn:
        actions = (
            conn.execute(select(audit_log.c.action).where(audit_log.c.customer_id == cid).order_by(audit_log.c.id))
            .scalars()
            .all()
        )
    assert actions[-4:] == ["trial.start", "trial.extend", "assignment.add", "assignment.remove"]


def test_out_of_scope_and_unknown_customers_look_the_same(page, sign_in, services):
    outside = next(c for c in expected_list(services, FULL)["customer_id"].to_list() if c not in scope(services, SALES))
    sign_in(page, SALES, next=f"/customers/{outside}")
    expect(page.locator("#not-found")).to_be_visible()
    out_of_scope = page.locator("#_pages_content").inner_text()
    page.goto("/customers/NO-SUCH-CUSTOMER")
    expect(page.locator("#not-found")).to_be_visible()
    assert page.locator("#_pages_content").inner_text() == out_of_scope
    assert page.title() == "Customer"
