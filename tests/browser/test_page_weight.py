"""Issue 12, page weight in Chromium: a first visit (the sign-in page, then
the page) transfers at most 1.5 MB, the full Plotly bundle is never asked
for, and a second visit in the same browser takes every static file from
its cache (no request, no 304) and moves at most 200 KB. The customer list
and a customer's page each make at most 3 callback requests per view.

Bytes are counted as Chromium counts them (CDP Network.loadingFinished's
encodedDataLength: headers and compressed bodies as sent), so they hold
whatever the machine's speed."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from tests.browser.pages_support import WAIT
from tests.customer_pages import FULL, expected_list

FIRST_VISIT_MAX = 1_500_000
WARM_VIEW_MAX = 200_000
CALLBACKS_MAX = 3
STATIC = ("/assets/", "/_dash-component-suites/", "/_favicon.ico")
CALLBACK = "/_dash-update-component"
FULL_PLOTLY = "plotly.min.js"  # the full bundle's name; ours is plotly-basic-<version>.min.js
# what each page shows once it has settled
SETTLED = {
    "/analytics": ".js-plotly-plot .main-svg",
    "/customers": "#customers-grid .ag-center-cols-container .ag-row",
    "customer": "#customers-detail-name",
}


@dataclass
class Request:
    url: str
    status: int | None = None
    size: int = 0
    cached: bool = False  # from the memory or disk cache: nothing went over the network


@dataclass
class Traffic:
    """Every request of a page, from Chromium's own network events."""

    requests: dict[str, Request] = field(default_factory=dict)

    def attach(self, page) -> None:
        cdp = page.context.new_cdp_session(page)
        cdp.on("Network.requestWillBeSent", self._sent)
        cdp.on("Network.requestServedFromCache", lambda e: self._get(e["requestId"]).__setattr__("cached", True))
        cdp.on("Network.responseReceived", self._received)
        cdp.on("Network.loadingFinished", self._finished)
        cdp.send("Network.enable")

    def _get(self, request_id: str) -> Request:
        return self.requests.setdefault(request_id, Request(url=""))

    def _sent(self, event) -> None:
        self._get(event["requestId"]).url = event["request"]["url"]

    def _received(self, event) -> None:
        found, response = self._get(event["requestId"]), event["response"]
        found.status = response["status"]
        found.cached = found.cached or bool(response.get("fromDiskCache") or response.get("fromPrefetchCache"))

    def _finished(self, event) -> None:
        self._get(event["requestId"]).size = int(event["encodedDataLength"])

    def take(self) -> list[Request]:
        taken, self.requests = list(self.requests.values()), {}
        return [r for r in taken if r.url.startswith("http")]  # not data: images


def total(requests: list[Request]) -> int:
    return sum(r.size for r in requests)


def static_over_network(requests: list[Request]) -> list[str]:
    return [f"{r.status} {r.url}" for r in requests if any(p in r.url for p in STATIC) and not r.cached]


def callbacks(requests: list[Request]) -> int:
    return sum(1 for r in requests if CALLBACK in r.url)


def settle(page, what: str) -> None:
    page.locator(SETTLED[what]).first.wait_for(timeout=WAIT)
    page.wait_for_load_state("networkidle")


def describe(requests: list[Request]) -> str:
    return "\n".join(f"{r.size:>9} {r.status} {'cache' if r.cached else 'net  '} {r.url}" for r in requests)


@pytest.fixture
def traffic(page) -> Traffic:
    found = Traffic()
    found.attach(page)
    return found


@pytest.mark.parametrize("path", ["/analytics", "/customers"])
def test_a_first_visit_is_light_and_a_second_comes_from_the_cache(page, sign_in, traffic, path):
    sign_in(page, FULL, next=path)
    settle(page, path)
    first = traffic.take()
    assert total(first) <= FIRST_VISIT_MAX, describe(first)
    assert static_over_network(first)  # the visit did fetch its files: the count is real

    page.goto(path)
    settle(page, path)
    warm = traffic.take()
    assert not static_over_network(warm), describe(warm)
    assert total(warm) <= WARM_VIEW_MAX, describe(warm)
    assert not [r.url for r in first + warm if FULL_PLOTLY in r.url]


def test_the_customer_pages_make_at_most_three_callbacks_a_view(page, sign_in, traffic, services):
    customer_id = expected_list(services, FULL)["customer_id"][0]
    sign_in(page, FULL, next="/customers")
    settle(page, "/customers")
    for path, what in (("/customers", "/customers"), (f"/customers/{customer_id}", "customer")):
        for _view in ("first", "again"):
            traffic.take()
            page.goto(path)
            settle(page, what)
            seen = traffic.take()
            assert 1 <= callbacks(seen) <= CALLBACKS_MAX, describe(seen)
    # a click from the list to a customer's page, as a person goes there
    page.goto("/customers")
    settle(page, "/customers")
    traffic.take()
    page.locator("#customers-grid .ag-center-cols-container .ag-row a").first.click()
    settle(page, "customer")
    seen = traffic.take()
    assert 1 <= callbacks(seen) <= CALLBACKS_MAX, describe(seen)
