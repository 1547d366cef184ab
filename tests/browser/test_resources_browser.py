"""Resources and help in Chromium: search and filters narrow the list, live in
the address and survive a reload; external links open in a new tab."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from partnerhub.pages._resources.content import load_resources, matching
from tests.browser.pages_support import WAIT, screenshot


def test_search_filters_and_the_address(page, sign_in, services, artifacts):
    resources = load_resources()
    total = len(resources.items)
    sign_in(page, "sales@demo.example", next="/resources")
    expect(page.locator("#resources-count")).to_have_text(f"Showing {total} of {total} resources", timeout=WAIT)
    helpdesk = page.locator("#resources-helpdesk")
    expect(helpdesk).to_have_attribute("href", services.settings.helpdesk_url)
    expect(helpdesk).to_have_attribute("target", "_blank")
    screenshot(page, artifacts / "resources-1280.png", 1280)

    page.get_by_label("Search").fill("queue")
    expected = matching(resources, "queue")
    expect(page.locator("#resources-count")).to_have_text(f"Showing {len(expected)} of {total} resources", timeout=WAIT)
    expect(page).to_have_url(re.compile(r"/resources\?q=queue$"))
    expect(page.locator("#resources-list .resource-item")).to_have_count(len(expected))

    page.goto("/resources?q=queue&type=video")
    expected = matching(resources, "queue", (), ("video",))
    expect(page.locator("#resources-count")).to_have_text(f"Showing {len(expected)} of {total} resources", timeout=WAIT)
    expect(page.get_by_label("Search")).to_have_value("queue")
    expect(page.locator("#resources-list")).to_contain_text(expected[0].title)

    page.goto("/resources?type=podcast")
    expect(page.locator("#resources-url-problems")).to_contain_text("The type “podcast” is unknown", timeout=WAIT)
    screenshot(page, artifacts / "resources-768.png", 768)
