"""Each page in Chromium, as a person sees it: time to "settled", callbacks,
bytes, cache behaviour and server time, warm and on the first view after a
server restart.

Settled: from navigation start (performance.timeOrigin; for the toggle, the
click) to the last moment anything was still happening — a Dash callback
request in flight, a loading spinner shown, a resource arriving or the DOM
changing — once nothing has happened for QUIET_MS and no request is in
flight. The quiet window itself is not counted. In-page hooks (installed
before the app's scripts) keep that last moment; the Chrome DevTools
Protocol's Network events give sizes (encodedDataLength: bytes on the wire,
headers included), statuses, cache hits and the Server-Timing header.

Warm: one browser context kept signed in (its cache kept), one view of each
page first, then RUNS views each, interleaved; median. First view: the
server restarted, then the page in a new context (empty cache, the session
cookie only); median of RUNS. The warm views' requests are kept so that
bench/load.py can replay what the server sees.
"""

from __future__ import annotations

import contextlib
import statistics
import time
from dataclasses import dataclass, field
from typing import Any

from playwright.sync_api import Error as PlaywrightError

from bench.server import ADMIN, ROOT, Server

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
QUIET_MS = 300
TIMEOUT_S = 60
CALLBACK = "/_dash-update-component"
TOGGLE = "#analytics-toggle input[value='calling']"
# pages that later issues add: measured once they exist
LATER_PAGES = {"needs_attention": "/needs-attention", "worklist": "/worklist"}

# [callbacks in flight, now, last activity]; 1 in flight while the document is not there yet
POLL = """(scroll) => {
  const root = document.documentElement, B = window.__bench;
  if (!root || !B) return [1, 0, 0];
  if (scroll) window.scrollTo(0, root.scrollHeight);
  return [B.pending, performance.now(), B.last];
}"""
HOOKS = """
(() => {
  const B = window.__bench = {pending: 0, callbacks: 0, last: 0};
  const bump = (why) => { B.last = performance.now(); B.why = why; };
  const fetch0 = window.fetch;
  window.fetch = function (input, init) {
    const url = typeof input === "string" ? input : (input && input.url) || "";
    if (url.indexOf("__CALLBACK__") < 0) return fetch0.apply(this, arguments);
    B.pending++; B.callbacks++; bump("callback");
    const done = () => { B.pending--; bump("callback"); };
    return fetch0.apply(this, arguments).then(
      (res) => { res.clone().arrayBuffer().then(done, done); return res; },
      (err) => { done(); throw err; });
  };
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) if (e.responseEnd > B.last) { B.last = e.responseEnd; B.why = e.name; }
  }).observe({type: "resource", buffered: true});
  const watch = () => new MutationObserver(() => bump("dom")).observe(document,
    {subtree: true, childList: true, attributes: true, characterData: true});
  watch();
  const SPINNERS = '[data-dash-is-loading="true"], .dash-spinner, ._dash-loading, .dash-default-spinner';
  setInterval(() => {
    for (const el of document.querySelectorAll(SPINNERS)) {
      if (el.getClientRects().length) { bump("spinner"); break; }
    }
  }, 20);
})();
""".replace("__CALLBACK__", CALLBACK)


@dataclass
class Request:
    method: str
    url: str
    resource_type: str
    post_data: str | None
    headers: dict
    start: float
    end: float | None = None
    status: int | None = None
    from_cache: bool = False
    bytes: int = 0
    server_ms: float = 0.0


@dataclass
class Recorder:
    """The CDP Network events of one page, by request id, since reset()."""

    requests: dict[str, Request] = field(default_factory=dict)
    in_flight: set = field(default_factory=set)

    def attach(self, cdp) -> None:
        cdp.send("Network.enable")
        cdp.on("Network.requestWillBeSent", self._sent)
        cdp.on("Network.requestServedFromCache", self._from_cache)
        cdp.on("Network.responseReceived", self._response)
        cdp.on("Network.loadingFinished", self._finished)
        cdp.on("Network.loadingFailed", self._failed)

    def reset(self) -> None:
        self.requests = {}
        self.in_flight = set()

    def _sent(self, e: dict) -> None:
        r = e["request"]
        self.requests[e["requestId"]] = Request(
            r["method"], r["url"], e.get("type", ""), r.get("postData"), r.get("headers", {}), e["timestamp"]
        )
        self.in_flight.add(e["requestId"])

    def _from_cache(self, e: dict) -> None:
        if e["requestId"] in self.requests:
            self.requests[e["requestId"]].from_cache = True

    def _response(self, e: dict) -> None:
        req = self.requests.get(e["requestId"])
        if req is None:
            return
        res = e["response"]
        req.status = res.get("status")
        req.from_cache = req.from_cache or bool(res.get("fromDiskCache") or res.get("fromPrefetchCache"))
        for name, value in res.get("headers", {}).items():
            if name.lower() == "server-timing":
                req.server_ms += _server_ms(value)

    def _finished(self, e: dict) -> None:
        self.in_flight.discard(e["requestId"])
        req = self.requests.get(e["requestId"])
        if req is not None:
            req.end = e["timestamp"]
            req.bytes = int(e.get("encodedDataLength") or 0)

    def _failed(self, e: dict) -> None:
        self.in_flight.discard(e["requestId"])
        req = self.requests.get(e["requestId"])
        if req is not None:
            req.end = e["timestamp"]

    def figures(self) -> dict:
        reqs = list(self.requests.values())
        network = [r for r in reqs if not r.from_cache and r.status is not None]
        static = [r for r in network if r.resource_type not in ("Document", "Fetch", "XHR")]
        return {
            "requests": len(reqs),
            "callbacks": sum(1 for r in reqs if CALLBACK in r.url),
            "bytes": sum(r.bytes for r in reqs),
            "from_cache": sum(1 for r in reqs if r.from_cache),
            "revalidated_304": sum(1 for r in network if r.status == 304),
            "downloaded_static": sum(1 for r in static if r.status == 200),
            # a cached response repeats its headers: only what reached the server counts
            "server_ms": round(sum(r.server_ms for r in network), 1),
            "errors": sum(1 for r in network if (r.status or 0) >= 400),
        }

    def recording(self) -> list[dict]:
        """What reached the server, in order: for bench/load.py."""
        out = []
        for r in sorted(self.requests.values(), key=lambda r: r.start):
            if r.from_cache or r.status is None or r.status == 304:
                continue
            out.append(
                {
                    "method": r.method,
                    "url": r.url,
                    "body": r.post_data,
                    "content_type": r.headers.get("Content-Type") or r.headers.get("content-type"),
                    "start": r.start,
                    "end": r.end if r.end is not None else r.start,
                }
            )
        return out


def _server_ms(value: str) -> float:
    total = 0.0
    for metric in value.split(","):
        for part in metric.split(";")[1:]:
            key, _, number = part.strip().partition("=")
            if key == "dur":
                with contextlib.suppress(ValueError):
                    total += float(number)
    return total


def page_list(customer_id: str) -> dict[str, str]:
    pages = {
        "customers": "/customers",
        "customer_detail": f"/customers/{customer_id}",
        "analytics": "/analytics",
        "calling": "/calling",
    }
    sources = "\n".join(p.read_text() for p in (ROOT / "partnerhub" / "pages").rglob("*.py"))
    pages.update({name: path for name, path in LATER_PAGES.items() if f'"{path}"' in sources})
    return pages


class Browser:
    """One Chromium; contexts signed in with the cookies of one sign-in."""

    def __init__(self, headless: bool = True):
        from playwright.sync_api import sync_playwright

        self._pw = sync_playwright().start()
        self.browser = self._pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=headless)
        self.storage: Any = None

    def sign_in(self, base: str, email: str, password: str) -> None:
        """Signs in once through the form; later contexts reuse the cookies."""
        ctx = self.browser.new_context(base_url=base)
        page = ctx.new_page()
        page.goto("/login")
        page.get_by_label("E-mail address").fill(email)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Sign in").click()
        page.locator("#account-menu").wait_for(timeout=TIMEOUT_S * 1000)
        self.storage = ctx.storage_state()
        ctx.close()

    def new_tab(self, base: str) -> Tab:
        ctx = self.browser.new_context(
            base_url=base, storage_state=self.storage, locale="en-US", viewport={"width": 1280, "height": 900}
        )
        return Tab(ctx)

    def close(self) -> None:
        self.browser.close()
        self._pw.stop()


class Tab:
    def __init__(self, context):
        self.context = context
        self.page = context.new_page()
        self.page.add_init_script(HOOKS)
        self.recorder = Recorder()
        self.recorder.attach(context.new_cdp_session(self.page))

    def _settle(self, since: float, scroll: bool) -> float:
        """ms from `since` (performance.now()) to the start of the quiet window."""
        end = time.monotonic() + TIMEOUT_S
        while time.monotonic() < end:
            try:
                pending, now, last = self.page.evaluate(POLL, scroll)
            except PlaywrightError:  # the document is being replaced: ask again
                pending, now, last = 1, 0, 0
            if pending == 0 and not self.recorder.in_flight and now - last >= QUIET_MS:
                return round(last - since, 1)
            time.sleep(0.05)
        raise RuntimeError(f"{self.page.url} did not settle in {TIMEOUT_S} s")

    def view(self, path: str, scroll: bool = False) -> dict:
        self.recorder.reset()
        self.page.goto(path, wait_until="commit")
        settled = self._settle(0.0, scroll)
        if "/login" in self.page.url:
            raise RuntimeError(f"{path}: not signed in")
        return {"settled_ms": settled} | self.recorder.figures()

    def toggle(self) -> dict:
        """The Meetings → Calling toggle on a settled /analytics."""
        if self.page.locator(TOGGLE).is_checked():
            raise RuntimeError("/analytics opened on Calling: the toggle would not change anything")
        self.recorder.reset()
        since = self.page.evaluate(
            "(sel) => { const t = performance.now(); document.querySelector(sel).click(); return t; }", TOGGLE
        )
        settled = self._settle(since, scroll=False)
        if "product=calling" not in self.page.url:
            raise RuntimeError("the toggle did not switch to Calling")
        return {"settled_ms": settled} | self.recorder.figures()

    def close(self) -> None:
        self.context.close()


def _median(runs: list[dict]) -> dict:
    """Each figure's median over the runs (integers stay integers)."""
    out: dict = {"runs": len(runs)}
    for key in runs[0]:
        values = [r[key] for r in runs]
        m = statistics.median(values)
        out[key] = round(m, 1) if isinstance(m, float) else m
    out["settled_ms_all"] = [r["settled_ms"] for r in runs]
    return out


def run_pages(
    server: Server,
    password: str,
    customer_id: str,
    runs: int = 5,
    first_views: bool = True,
    restart_each_page: bool = True,
) -> dict:
    """Figures per page (and the toggle): warm and first view; plus the warm
    views' recordings for bench/load.py under "recordings". Without
    `restart_each_page`, one restart per run serves every page's first view
    (each still in an empty browser cache): quicker, for the tests."""
    pages = page_list(customer_id)
    browser = Browser()
    try:
        browser.sign_in(server.base, ADMIN, password)
        warm: dict[str, list[dict]] = {name: [] for name in [*pages, "toggle"]}
        recordings: dict[str, list[dict]] = {}
        tab = browser.new_tab(server.base)
        for run in range(runs + 1):  # run 0 fills the cache and the server's
            for name, path in pages.items():
                figures = tab.view(path, scroll=name == "analytics")
                if run:
                    warm[name].append(figures)
                    recordings[name] = tab.recorder.recording()
                if name == "analytics":
                    figures = tab.toggle()
                    if run:
                        warm["toggle"].append(figures)
        tab.close()
        first: dict[str, list[dict]] = {name: [] for name in [*pages, "toggle"]}
        if first_views:
            for _ in range(runs):
                for i, (name, path) in enumerate(pages.items()):
                    if restart_each_page or i == 0:
                        server.restart()
                    tab = browser.new_tab(server.base)
                    first[name].append(tab.view(path, scroll=name == "analytics"))
                    if name == "analytics":
                        first["toggle"].append(tab.toggle())
                    tab.close()
        return {
            "pages": {name: path for name, path in pages.items()},
            "settled": f"navigation start to the last callback, spinner, resource or DOM change, "
            f"followed by {QUIET_MS} ms without any (not counted)",
            "warm": {name: _median(r) for name, r in warm.items()},
            "first_view": {name: _median(r) for name, r in first.items() if r},
            "recordings": recordings,
        }
    finally:
        browser.close()


def chromium_version() -> str:
    import subprocess

    try:
        return subprocess.run([CHROMIUM, "--version"], capture_output=True, text=True, timeout=30).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "unknown"
