"""The data status on the Administration page, in Chromium: the full
administrator opens its tab and sees the snapshot served and its counts."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.conftest import DEMO_CUSTOMERS


def test_the_full_admin_sees_the_data_status(page, sign_in, services):
    snap = services.snapshots.current()
    sign_in(page, "full.admin@demo.example", next="/admin")
    page.get_by_role("tab", name="Data status").click()
    expect(page.locator("#admin-snapshot-id")).to_be_visible()
    expect(page.locator("#admin-snapshot-id")).to_have_text(snap.id)
    expect(page.locator("#admin-count-customers")).to_have_text(f"{DEMO_CUSTOMERS:,}")
    expect(page.locator("#admin-data-status #data-as-of")).to_contain_text(f"Data as of {snap.as_of.isoformat()}")
