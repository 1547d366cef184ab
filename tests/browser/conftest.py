"""Browser tests: the session `app` served over real HTTP, driven by Debian's
Chromium through Playwright (sync API).

Fixtures for every browser test (reuse them for page tests):

- `live_server` (session): base URL ("http://127.0.0.1:PORT") of the session
  `app` served by werkzeug in a daemon thread. Also Playwright's `base_url`,
  so `page.goto("/customers")` works.
- `page` / `context` (pytest-playwright): a fresh browser context per test,
  one Chromium per session (/usr/bin/chromium, headless, COMMON.md flags).
- `sign_in(page, email, password=PASSWORD, next="/")`: signs in through the
  real form and waits until the Dash app has drawn its navigation bar.
  `sign_out(page)` signs out through the account menu.
- `browser_errors`: every test that uses `page` fails on a console error, an
  uncaught page error, a failed request or an HTTP 5xx response. A test that
  provokes an error on purpose declares it: `browser_errors.allow(r"403")`.
- `artifacts`: the test-artifacts/ folder (gitignored) for screenshots.

Every test in this folder is marked `browser`.
"""

from __future__ import annotations

import re
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from tests.conftest import PASSWORD, ROOT

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = ROOT / "test-artifacts"
HERE = Path(__file__).resolve().parent


def pytest_collection_modifyitems(config, items):
    for item in items:
        if HERE in Path(str(item.fspath)).resolve().parents:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def live_server(app):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=5)


@pytest.fixture(scope="session")
def base_url(live_server):
    return live_server


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": CHROMIUM_ARGS,
        "headless": browser_type_launch_args.get("headless", True),
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "en-US", "viewport": {"width": 1280, "height": 900}}


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


class BrowserErrors:
    """Console errors, page errors, failed requests and 5xx responses of one page."""

    def __init__(self):
        self.seen: list[str] = []
        self.allowed: list[re.Pattern] = []

    def allow(self, pattern: str) -> None:
        self.allowed.append(re.compile(pattern))

    def attach(self, page) -> None:
        # a blocked eval() is not always logged to the console; the event is
        page.add_init_script(
            "document.addEventListener('securitypolicyviolation', e => console.error("
            "'CSP violation: ' + e.violatedDirective + ' blocked ' + e.blockedURI));"
        )
        page.on("console", self._console)
        page.on("pageerror", lambda err: self.seen.append(f"page error: {err}"))
        page.on("requestfailed", lambda req: self._failed(req))
        page.on("response", self._response)

    def _console(self, msg) -> None:
        if msg.type == "error":
            self.seen.append(f"console: {msg.text}")

    def _response(self, res) -> None:
        if res.status >= 500:
            self.seen.append(f"HTTP {res.status} {res.url}")

    def _failed(self, request) -> None:
        failure = request.failure or ""
        # a navigation away from a page cancels its pending requests
        if "ERR_ABORTED" in failure:
            return
        self.seen.append(f"request failed: {request.url} {failure}")

    def unexpected(self) -> list[str]:
        return [s for s in self.seen if not any(p.search(s) for p in self.allowed)]


@pytest.fixture
def browser_errors():
    return BrowserErrors()


@pytest.fixture(autouse=True)
def _fail_on_browser_errors(request, browser_errors):
    if "page" not in request.fixturenames:
        yield
        return
    page = request.getfixturevalue("page")
    browser_errors.attach(page)
    yield
    problems = browser_errors.unexpected()
    assert not problems, "errors in the browser:\n" + "\n".join(problems)


def _sign_in(page, email: str, password: str = PASSWORD, next: str = "/") -> None:
    page.goto("/login" + (f"?next={next}" if next != "/" else ""))
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    # the Dash app is up once its navigation bar (from /_dash-layout) is drawn
    page.locator("#account-menu").wait_for()


def _sign_out(page) -> None:
    page.locator("#account-menu").click()
    page.locator("#sign-out").click()
    page.wait_for_url(re.compile(r"/login"))


@pytest.fixture(scope="session")
def sign_in():
    return _sign_in


@pytest.fixture(scope="session")
def sign_out():
    return _sign_out
