"""What one page view costs in callback requests (issue 12: at most 3), in
Chromium: /analytics scrolled to the end, the Meetings → Calling toggle,
/calling, /customers and a customer's page. Each view counts its POSTs to
/_dash-update-component (the pages router's included) until the page has
settled, and the numbers it shows are the API's /api/v1/kpis for the same
view: fewer requests, the same outcome."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from partnerhub.components import fmt, sort_frame
from partnerhub.pages._analytics import calling as C
from partnerhub.pages._analytics.licenses import HEADLINE, TABLES
from tests.analytics_support import context, view
from tests.browser.pages_support import WAIT

FULL = "full.admin@demo.example"
MAX_CALLBACKS = 3


class CallbackCounter:
    """The /_dash-update-component POSTs of the page since `reset()`."""

    def __init__(self, page):
        self.page = page
        self.posts: list[str] = []
        page.on("request", self._seen)

    def _seen(self, request) -> None:
        if request.method == "POST" and "/_dash-update-component" in request.url:
            self.posts.append(request.post_data or "")

    def reset(self) -> None:
        self.posts.clear()

    def settled(self) -> int:
        """The count once nothing is in flight any more, the page scrolled to
        its end (a grid asks for rows when it is drawn)."""
        self.page.wait_for_load_state("networkidle")
        self.page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
        self.page.wait_for_load_state("networkidle")
        # a callback chained to the last response starts a moment later
        self.page.wait_for_timeout(500)
        self.page.wait_for_load_state("networkidle")
        return len(self.posts)

    def outputs(self) -> list[str]:
        """The output keys of the requests (for the failure message)."""
        found = (re.search(r'"output":\s*"([^"]{0,80})', p) for p in self.posts)
        return [m.group(1) if m else p[:80] for m, p in zip(found, self.posts)]


def expect_analytics_kpis(page, api: dict) -> None:
    for key in HEADLINE:
        expect(page.locator(f"#analytics-headline-{key.replace('_', '-')}")).to_have_text(
            fmt(api["headline"][key]), timeout=WAIT
        )
    for spec in TABLES:
        for key, kind in spec.kpis:
            expect(page.locator(f"#{spec.kpi_id(key)}")).to_have_text(fmt(api[spec.dataset][key], kind), timeout=WAIT)


def expect_first_rows(page, specs, frames) -> None:
    for spec, frame in zip(specs, frames):
        if frame.height:
            first = frame.row(0, named=True)
            expect(page.locator(f"#{spec.grid_id} .ag-row[row-index='0'] [col-id='customer_name']").first).to_have_text(
                first["customer_name"], timeout=WAIT
            )


def test_each_view_costs_at_most_three_callback_requests(page, sign_in, services):
    from partnerhub.metrics.datasets import DATASETS

    sign_in(page, FULL)
    page.set_viewport_size({"width": 1600, "height": 900})  # every column of a grid on screen
    counter = CallbackCounter(page)
    counts: dict[str, int] = {}

    counter.reset()
    page.goto("/analytics")
    api = page.request.get("/api/v1/kpis?product=meetings").json()
    expect_analytics_kpis(page, api)
    ctx = context(services)
    frames = [DATASETS[s.dataset].fn(ctx, view(services, FULL, "meetings")).frame for s in TABLES]
    expect_first_rows(page, TABLES, frames)
    counts["/analytics"] = counter.settled()
    expect_first_rows(page, TABLES, frames)

    # a sort is the server's: one request, and the grid shows its answer
    spec = next(s for s in TABLES if s.dataset == "expiring")
    expiring = frames[TABLES.index(spec)]
    counter.reset()
    page.locator(f"#{spec.grid_id} .ag-header-cell[col-id='total_licenses'] .ag-header-cell-label").click()
    smallest = sort_frame(expiring, [("total_licenses", "asc")]).row(0, named=True)
    expect(page.locator(f"#{spec.grid_id} .ag-row[row-index='0'] [col-id='subscription_id']").first).to_have_text(
        smallest["subscription_id"], timeout=WAIT
    )
    assert counter.settled() == 1, counter.outputs()

    counter.reset()
    # by keyboard: the toggle is a radio group
    page.locator("#analytics-toggle input[value='meetings']").focus()
    page.keyboard.press("ArrowRight")
    expect(page).to_have_url(re.compile(r"/analytics\?product=calling$"))
    api = page.request.get("/api/v1/kpis?product=calling").json()
    expect_analytics_kpis(page, api)
    frames = [DATASETS[s.dataset].fn(ctx, view(services, FULL, "calling")).frame for s in TABLES]
    expect_first_rows(page, TABLES, frames)
    counts["toggle"] = counter.settled()
    # the keyboard user is still on the toggle, on the product chosen
    expect(page.locator("#analytics-toggle input[value='calling']")).to_be_focused()
    expect_first_rows(page, TABLES, frames)

    counter.reset()
    page.goto("/calling")
    api = page.request.get("/api/v1/kpis").json()
    for key, kind in C.QUEUES.kpis:
        expect(page.locator(f"#{C.QUEUES.kpi_id(key)}")).to_have_text(fmt(api["call_queues"][key], kind), timeout=WAIT)
    calling_frames = [DATASETS[s.dataset].fn(ctx, view(services, FULL)).frame for s in C.TABLES]
    expect_first_rows(page, C.TABLES, calling_frames)
    counts["/calling"] = counter.settled()

    counter.reset()
    page.goto("/customers")
    expect(page.locator("#customers-grid .ag-row[row-index='0']").first).to_be_visible(timeout=WAIT)
    counts["/customers"] = counter.settled()

    customer = DATASETS["customers"].fn(ctx, view(services, FULL)).frame.row(0, named=True)
    counter.reset()
    page.goto(f"/customers/{customer['customer_id']}")
    expect(page.locator("#main h1").first).to_contain_text(customer["customer_name"], timeout=WAIT)
    counts["customer detail"] = counter.settled()

    print("callback requests per view:", counts)
    over = {name: n for name, n in counts.items() if n > MAX_CALLBACKS}
    assert not over, f"more than {MAX_CALLBACKS} callback requests: {over}"
