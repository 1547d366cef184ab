"""The calling page in Chromium: the full administrator reads the calling
metrics' numbers (week line, charts' summaries, queue KPIs, table cells with
the trend arrows); a sales administrator gets neither the link nor the page."""

from __future__ import annotations

import json

from playwright.sync_api import expect

from partnerhub.components import fmt, fmt_int
from partnerhub.metrics.datasets import DATASETS
from partnerhub.metrics.query import latest_week
from partnerhub.pages._analytics import calling as C
from partnerhub.pages._resources.content import load_resources
from tests.analytics_support import ROUTER, context, view
from tests.browser.pages_support import WAIT, cell, publish, screenshot

FULL = "full.admin@demo.example"
TREND_WORDS = {"up": "Up", "down": "Down", "flat": "Flat", None: "—"}


def test_full_admin_reads_the_calling_numbers(page, sign_in, services, artifacts):
    ctx, v = context(services), view(services, FULL)
    sign_in(page, FULL, next="/calling")
    expect(page.locator("#calling-week")).to_have_text(
        f"Data refreshed every Sunday 00:00 UTC; showing the week of {latest_week(ctx).isoformat()}.", timeout=WAIT
    )
    expect(page.locator("#data-as-of")).to_contain_text(f"Data as of {ctx.as_of.isoformat()}")

    queues = DATASETS["call_queues"].fn(ctx, v)
    for key, kind in C.QUEUES.kpis:
        expect(page.locator(f"#{C.QUEUES.kpi_id(key)}")).to_have_text(fmt(queues.kpis[key], kind), timeout=WAIT)
    first = queues.frame.row(0, named=True)
    expect(cell(page, C.QUEUES.grid_id, 0, "customer_name")).to_have_text(first["customer_name"], timeout=WAIT)
    expect(cell(page, C.QUEUES.grid_id, 0, "offered")).to_have_text(fmt_int(first["offered"]))

    usage = DATASETS["calling_usage"].fn(ctx, v).frame
    for i in range(3):
        row = usage.row(i, named=True)
        expect(cell(page, C.USAGE.grid_id, i, "customer_name")).to_have_text(row["customer_name"], timeout=WAIT)
        expect(cell(page, C.USAGE.grid_id, i, "calls")).to_have_text(fmt_int(row["calls"]))
        expect(cell(page, C.USAGE.grid_id, i, "calls_trend")).to_have_text(TREND_WORDS[row["calls_trend"]])
    expect(page.locator(f"#{C.USAGE.grid_id} .ag-row[row-index='0'] [col-id='calls_sparkline'] svg")).to_have_count(1)

    quality = DATASETS["call_quality"].fn(ctx, v).frame.row(0, named=True)
    expect(cell(page, C.QUALITY.grid_id, 0, "customer_name")).to_have_text(quality["customer_name"], timeout=WAIT)

    trend = DATASETS["calling_usage_trend"].fn(ctx, v).frame.row(-1, named=True)
    expect(page.locator(f"#{C.USAGE_TREND.graph_id}-summary")).to_contain_text(
        f"{fmt_int(trend['active_users'])} active users", timeout=WAIT
    )
    features = DATASETS["calling_features"].fn(ctx, v).frame
    expect(page.locator(f"#{C.FEATURES.graph_id}-summary")).to_contain_text(
        f"{C.feature_labels()[features['feature'][0]]}: {fmt_int(features['calls'][0])}", timeout=WAIT
    )
    for spec in C.CHARTS:  # Plotly drew each chart (its PNG download stays in the mode bar)
        expect(page.locator(f"#{spec.graph_id} .main-svg").first).to_be_attached(timeout=WAIT)
        expect(page.locator(f"#{spec.graph_id} .modebar-btn[data-title='Download the chart as PNG']")).to_have_count(1)

    screenshot(page, artifacts / "calling-1280.png", 1280)
    publish(artifacts / "calling-1280.png", "calling.png")
    screenshot(page, artifacts / "calling-768.png", 768)

    page.set_viewport_size({"width": 1280, "height": 900})  # the navigation bar is a menu button below 768 px
    page.locator("#nav-resources").click()  # the last page this role may see
    total = len(load_resources().items)
    expect(page.locator("#resources-count")).to_have_text(f"Showing {total} of {total} resources", timeout=WAIT)


def test_a_sales_admin_gets_neither_the_link_nor_the_page(page, sign_in, browser_errors):
    browser_errors.allow(r"403")
    sign_in(page, "sales@demo.example", next="/analytics")
    expect(page.locator("#nav-analytics")).to_be_visible()
    expect(page.locator("#nav-calling")).to_have_count(0)
    expect(page.locator("a[href='/calling']")).to_have_count(0)

    response = page.goto("/calling")
    assert response.status == 403
    expect(page.locator("#forbidden")).to_contain_text("Not allowed")

    # the pages router refuses it too, whatever the browser sends
    token = next(c["value"] for c in page.context.cookies() if c["name"] == "_csrf_token")
    body = {
        "output": ROUTER,
        "outputs": [{"id": "_pages_content", "property": "children"}, {"id": "_pages_store", "property": "data"}],
        "inputs": [
            {"id": "_pages_location", "property": "pathname", "value": "/calling"},
            {"id": "_pages_location", "property": "search", "value": ""},
        ],
        "state": [],
        "changedPropIds": ["_pages_location.pathname"],
    }
    refused = page.request.post(
        "/_dash-update-component",
        data=json.dumps(body),
        headers={"Content-Type": "application/json", "X-CSRFToken": token},
    )
    assert refused.status == 403
