"""The customer page's Overview tab in Chromium: a partner admin opens the
lowest-health customer of their scope and sees its score and band, the six
components with the reasons' sentences, and the license charts drawn."""

from __future__ import annotations

import math
import re

from playwright.sync_api import expect

from partnerhub.metrics.customer_overview import license_weeks_by_product
from partnerhub.metrics.health import REASONS, customer_health
from partnerhub.metrics.health_reasons import band_label, component_label, reason_list, reason_sentence
from partnerhub.metrics.types import View
from tests.browser.pages_support import WAIT, publish
from tests.customer_pages import ADMIN, context, scope


def test_a_partner_admin_sees_why_the_lowest_health_customer_ranks_last(page, sign_in, services, artifacts):
    ctx = context(services)
    lowest = customer_health(ctx, View(scope=scope(services, ADMIN))).frame.row(0, named=True)
    cid = lowest["customer_id"]
    products = license_weeks_by_product(ctx, View(scope=frozenset({cid}))).frame["product"].unique().to_list()
    assert products

    sign_in(page, ADMIN, next=f"/customers/{cid}")
    expect(page.get_by_role("tab", name="Overview")).to_have_class(re.compile(r"\bactive\b"))
    score = page.locator("#overview-score")
    expect(score).to_contain_text(f"{math.floor(lowest['health_score'])} / 100")
    expect(score.locator(".health-band")).to_have_text(band_label(lowest["health_band"]))
    for r in REASONS:
        expect(page.locator(f"#overview-health-{r}")).to_contain_text(component_label(r))
    reasons = reason_list(lowest)
    assert reasons  # the lowest customer has something to say
    for r in reasons:
        sentence = reason_sentence(lowest, r)
        expect(page.locator(f"#overview-health-{r} .health-component-reason")).to_have_text(
            sentence[:1].upper() + sentence[1:]
        )
    for product in products:
        # Plotly has drawn each product's chart: its three lines are on the page
        expect(page.locator(f"#overview-licenses-{product} .scatterlayer .trace")).to_have_count(3, timeout=WAIT)
    expect(page.locator("#overview-notes")).to_be_attached()
    page.screenshot(path=str(artifacts / "customer-overview.png"), full_page=True)
    publish(artifacts / "customer-overview.png", "customer-overview.png")
