"""This week in Chromium: a partner admin lands on it after sign-in, reads
the worklist's reasons, opens the lowest-health customer and comes back; a
sales admin's worklist holds only their own customers."""

from __future__ import annotations

import math
import re

import polars as pl
from playwright.sync_api import expect

from partnerhub.metrics.health import customer_health
from partnerhub.metrics.health_reasons import reason_sentences
from partnerhub.metrics.types import View
from tests.browser.pages_support import WAIT, cell, publish
from tests.customer_pages import ADMIN, SALES, context, scope

GRID = "home-worklist-grid"


def _worklist(services, email) -> pl.DataFrame:
    frame = customer_health(context(services), View(scope=scope(services, email))).frame
    return frame.filter(pl.col("health_band").is_in(("at_risk", "watch")))


def test_a_partner_admin_lands_on_this_week_and_opens_the_lowest_health_customer(page, sign_in, services, artifacts):
    expected = _worklist(services, ADMIN)
    lowest = expected.row(0, named=True)
    sign_in(page, ADMIN)
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.get_by_role("heading", name="This week", level=1)).to_be_visible()
    expect(page).to_have_title(re.compile("This week"))
    expect(page.locator("#home-worklist-count")).to_have_text(
        f"{expected.height:,} customers at risk or on watch", timeout=WAIT
    )
    first = page.locator(f"#{GRID} .ag-center-cols-container .ag-row[row-index='0']")
    expect(first).to_have_attribute("row-id", lowest["customer_id"], timeout=WAIT)
    sentence = reason_sentences(lowest)[0]
    expect(cell(page, GRID, 0, "reason_text")).to_contain_text(sentence[:1].upper() + sentence[1:])
    expect(cell(page, GRID, 0, "health_score")).to_have_text(str(math.floor(lowest["health_score"])))
    page.screenshot(path=str(artifacts / "this-week.png"), full_page=True)
    publish(artifacts / "this-week.png", "this-week.png")

    cell(page, GRID, 0, "customer_name").get_by_role("link").click()
    expect(page).to_have_url(re.compile(rf"/customers/{lowest['customer_id']}$"))
    expect(page.get_by_role("tab", name="Overview")).to_be_visible(timeout=WAIT)
    page.go_back()
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.get_by_role("heading", name="This week", level=1)).to_be_visible()
    expect(first).to_have_attribute("row-id", lowest["customer_id"], timeout=WAIT)


def test_a_sales_admin_sees_only_their_customers(page, sign_in, services):
    expected = _worklist(services, SALES)
    mine = scope(services, SALES)
    assert expected.height > 0
    sign_in(page, SALES)
    expect(page.locator("#home-worklist-count")).to_have_text(
        f"{expected.height:,} customers at risk or on watch", timeout=WAIT
    )
    first = page.locator(f"#{GRID} .ag-center-cols-container .ag-row[row-index='0']")
    expect(first).to_have_attribute("row-id", expected["customer_id"][0], timeout=WAIT)
    # the rows drawn (those on screen), in the worklist's order, all of the scope
    rows = page.locator(f"#{GRID} .ag-center-cols-container .ag-row")
    shown = rows.evaluate_all(
        "rs => rs.sort((a, b) => a.getAttribute('row-index') - b.getAttribute('row-index'))"
        ".map(r => r.getAttribute('row-id'))"
    )
    assert shown and shown == expected["customer_id"].to_list()[: len(shown)]
    assert set(shown) <= mine
