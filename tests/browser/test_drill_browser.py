"""Drill-downs in Chromium: a KPI card of /analytics is a link (by keyboard
too) to the customer list, which shows the card's count and says what it is
narrowed to; removing that notice keeps the other filters; the list's health
column shows score and band, and its health-band filter narrows the list
and writes the address."""

from __future__ import annotations

import math
import re

from playwright.sync_api import expect

from partnerhub.metrics.licenses import headline
from partnerhub.metrics.types import Filters, View
from tests.analytics_support import context
from tests.browser.pages_support import WAIT
from tests.customer_pages import ADMIN, expected_list, scope


def count(n: int) -> str:
    return f"{n:,} customers" if n != 1 else "1 customer"


def test_a_kpi_card_opens_its_customers(page, sign_in, services):
    expiring = headline(context(services), View(scope=scope(services, ADMIN)))["expiring_customers"]
    assert expiring > 1
    sign_in(page, ADMIN, next="/analytics")
    card = page.locator("#analytics-headline-expiring-customers")
    expect(card).to_have_text(f"{expiring:,}", timeout=WAIT)
    expect(card).to_have_attribute("aria-label", f"Expiring in 90 days: {expiring:,} — show these customers")
    # a keyboard user reaches it and opens it with Enter
    card.focus()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/customers\?segment=expiring$"), timeout=WAIT)
    expect(page.locator("#customers-count")).to_have_text(count(expiring), timeout=WAIT)
    expect(page.locator("#customers-segment-text")).to_contain_text(
        "Showing: customers with a subscription or trial that ends in the next 90 days"
    )
    # another filter is added to the segment; removing the segment keeps it
    page.get_by_text("Needs attention", exact=True).click()
    both = expected_list(services, ADMIN, Filters(needs_attention=True, segment=("expiring",))).height
    expect(page).to_have_url(re.compile(r"needs_attention=true&segment=expiring$"))
    expect(page.locator("#customers-count")).to_have_text(count(both))
    page.locator("#customers-segment-clear").click()
    expect(page).to_have_url(re.compile(r"/customers\?needs_attention=true$"))
    expect(page.locator("#customers-segment-notice")).to_be_hidden()
    attention = expected_list(services, ADMIN, Filters(needs_attention=True))
    expect(page.locator("#customers-count")).to_have_text(count(attention.height))
    # the needs-attention view: the least healthy customer first, its score and band in the health column
    first = attention.sort(["health_score", "customer_name", "customer_id"], nulls_last=True).row(0, named=True)
    row = page.locator("#customers-grid .ag-center-cols-container .ag-row[row-index='0']")
    expect(row).to_have_attribute("row-id", first["customer_id"])
    health = row.locator('[col-id="health_score"]')
    expect(health).to_contain_text(str(math.floor(first["health_score"])))
    expect(health).to_contain_text({"at_risk": "At risk", "watch": "Watch", "healthy": "Healthy"}[first["health_band"]])


def test_the_health_band_filter(page, sign_in, services):
    sign_in(page, ADMIN, next="/customers")
    page.locator("#customers-grid .ag-center-cols-container .ag-row").first.wait_for()
    page.locator("#customers-health-band").click()
    page.get_by_role("option", name="At risk", exact=True).click()
    page.keyboard.press("Escape")
    at_risk = expected_list(services, ADMIN, Filters(health_band=("at_risk",)))
    assert at_risk.height > 0
    expect(page).to_have_url(re.compile(r"/customers\?health_band=at_risk$"))
    expect(page.locator("#customers-count")).to_have_text(count(at_risk.height))
    bands = page.locator("#customers-grid .ag-center-cols-container [col-id='health_score'] .health-band")
    expect(bands.first).to_have_text("At risk")
