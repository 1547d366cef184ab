"""The analytics pages in Chromium: every role opens every page it may see and
reads the metrics functions' numbers; the Meetings / Calling toggle switches
every section below it and survives a reload; a table's CSV from the page's
menu is the API's file; screenshots for the README. (The full administrator
opens the calling and resources pages in test_calling_browser.py.)"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from partnerhub.auth.roles import may_see
from partnerhub.components import fmt, fmt_int
from partnerhub.metrics.datasets import DATASETS, KPI_GROUPS
from partnerhub.metrics.types import View
from partnerhub.pages._analytics import calling as C
from partnerhub.pages._analytics.licenses import HEADLINE, TABLES, TREND
from partnerhub.pages._resources.content import load_resources
from tests.analytics_support import ROLES, context, view
from tests.browser.pages_support import WAIT, cell, kpi, publish, screenshot

FULL = "full.admin@demo.example"


def expect_sections(page, ctx, v, product_label: str) -> None:
    """Every license section shows the KPIs, first table row and chart
    summary of the metrics functions for this view."""
    for spec in TABLES:
        result = DATASETS[spec.dataset].fn(ctx, v)
        for key, kind in spec.kpis:
            expect(kpi(page, spec.kpi_id(key))).to_have_text(fmt(result.kpis[key], kind), timeout=WAIT)
        if result.frame.height:
            first = result.frame.row(0, named=True)
            expect(cell(page, spec.grid_id, 0, "subscription_id")).to_have_text(first["subscription_id"], timeout=WAIT)
            expect(cell(page, spec.grid_id, 0, "customer_name")).to_have_text(first["customer_name"])
            expect(cell(page, spec.grid_id, 0, "total_licenses")).to_have_text(fmt_int(first["total_licenses"]))
        else:
            expect(page.locator(f"#{spec.base}-empty")).to_contain_text(product_label, timeout=WAIT)
        expect(page.locator(f"#{spec.download_id}-csv")).to_have_attribute(
            "href", f"/api/v1/datasets/{spec.dataset}.csv?product={v.product}"
        )
    last = DATASETS["license_trend"].fn(ctx, v).frame.row(-1, named=True)
    expect(page.locator(f"#{TREND.graph_id}-summary")).to_contain_text(
        f"{fmt_int(last['total_licenses'])} licenses, {fmt_int(last['assigned'])} assigned", timeout=WAIT
    )


@pytest.mark.parametrize("email", [e for e in ROLES if e != FULL])
def test_each_role_opens_every_page_it_may_see(page, sign_in, services, email):
    role = ROLES[email]
    ctx, v = context(services), view(services, email)
    sign_in(page, email, next="/analytics")
    headline = KPI_GROUPS["headline"].fn(ctx, View(scope=v.scope))
    for key in HEADLINE:
        expect(kpi(page, f"analytics-headline-{key.replace('_', '-')}")).to_have_text(fmt(headline[key]), timeout=WAIT)
    expect(page.locator("#data-as-of")).to_contain_text(f"Data as of {ctx.as_of.isoformat()}")
    expect_sections(page, ctx, v, "Meetings")

    page.locator("#nav-resources").click()
    total = len(load_resources().items)
    expect(page.locator("#resources-count")).to_have_text(f"Showing {total} of {total} resources", timeout=WAIT)

    if may_see(role, "calling"):
        page.locator("#nav-calling").click()
        queues = DATASETS["call_queues"].fn(ctx, v)
        for key, kind in C.QUEUES.kpis:
            expect(kpi(page, C.QUEUES.kpi_id(key))).to_have_text(fmt(queues.kpis[key], kind), timeout=WAIT)
        usage = DATASETS["calling_usage"].fn(ctx, v).frame
        if usage.height:
            expect(cell(page, C.USAGE.grid_id, 0, "customer_name")).to_have_text(
                usage["customer_name"][0], timeout=WAIT
            )
            expect(cell(page, C.USAGE.grid_id, 0, "calls")).to_have_text(fmt_int(usage["calls"][0]))
    else:
        expect(page.locator("#nav-calling")).to_have_count(0)


def test_full_admin_toggle_reload_download_and_screenshots(page, sign_in, services, artifacts):
    """One session, to keep the suite fast: the toggle switches every section
    below it (by keyboard), survives a reload and goes back with the browser;
    the CSV of the page's menu is the API's file; a bad address is a message;
    screenshots at 1280 and 768 px."""
    ctx = context(services)
    meetings, calling = view(services, FULL, "meetings"), view(services, FULL, "calling")
    headline = KPI_GROUPS["headline"].fn(ctx, View(scope=meetings.scope))
    sign_in(page, FULL, next="/analytics")
    expect_sections(page, ctx, meetings, "Meetings")
    screenshot(page, artifacts / "analytics-1280.png", 1280)
    publish(artifacts / "analytics-1280.png", "analytics.png")

    # keyboard only: the toggle is a radio group
    page.locator("#analytics-toggle input[value='meetings']").focus()
    page.keyboard.press("ArrowRight")
    expect(page).to_have_url(re.compile(r"/analytics\?product=calling$"))
    expect_sections(page, ctx, calling, "Calling")
    for key in HEADLINE:  # the headline does not follow the toggle
        expect(kpi(page, f"analytics-headline-{key.replace('_', '-')}")).to_have_text(fmt(headline[key]))

    # the CSV behind the menu is the API's file for the same view
    spec = next(s for s in TABLES if s.dataset == "expiring")
    page.locator(f"#{spec.download_id} .dropdown-toggle").click()
    item = page.locator(f"#{spec.download_id}-csv")
    expect(item).to_be_visible()
    with page.expect_download() as info:
        item.click()
    download = info.value
    assert download.suggested_filename == f"expiring_{ctx.as_of.isoformat()}.csv"
    body = Path(download.path()).read_bytes()
    api = page.request.get("/api/v1/datasets/expiring.csv?product=calling")
    assert api.ok and body == api.body()
    assert body.decode("utf-8").count("\n") == DATASETS["expiring"].fn(ctx, calling).frame.height + 1

    page.reload()
    expect(page.locator("#analytics-toggle input[value='calling']")).to_be_checked(timeout=WAIT)
    expect_sections(page, ctx, calling, "Calling")
    screenshot(page, artifacts / "analytics-calling-768.png", 768)

    page.go_back()
    expect(page).to_have_url(re.compile(r"/analytics$"))
    expect(page.locator("#analytics-toggle input[value='meetings']")).to_be_checked(timeout=WAIT)
    expect_sections(page, ctx, meetings, "Meetings")

    page.goto("/analytics?product=fax")
    expect(page.locator("#analytics-url-problems")).to_contain_text("The product “fax” is unknown", timeout=WAIT)
    expect(page.locator("#analytics-url-problems")).to_contain_text("Showing Meetings instead.")
    expect(page.locator("#analytics-toggle input[value='meetings']")).to_be_checked()
