"""Japanese mode in Chromium (ja-JP, Asia/Tokyo): every page as each role
that may see it shows its Japanese title and KPI labels, and no English
interface string in its text, its document title or its tooltips (title,
aria-label, placeholder). Two checks name the offenders page by page:
- the catalogue's own messages whose Japanese differs (at least two words, or
  a known single UI word): a string marked but shown untranslated;
- any other phrase of two or more Latin words: a string never marked.
Data values (the snapshot's texts; names, e-mails, tags, tokens, audit
values and user agents of the app state) and brand names are taken out of
the page's text first: they are the partner's, in whatever language it wrote
them. Japanese screenshots of /customers and /analytics for the README."""

from __future__ import annotations

import re
from functools import cache

from babel.messages.pofile import read_po
from playwright.sync_api import expect
from sqlalchemy import select

from partnerhub.auth.roles import ROLES, may_see
from partnerhub.data.state import (
    alerts,
    api_tokens,
    audit_log,
    deliveries,
    follow_ups,
    notes,
    saved_views,
    sessions,
    tags,
    users,
)
from partnerhub.i18n import CATALOGUES
from tests.analytics_support import ROLES as DEMO_USERS
from tests.browser.pages_support import WAIT, publish, screenshot
from tests.conftest import PASSWORD
from tests.customer_pages import expected_list

JA = {"locale": "ja-JP", "timezone_id": "Asia/Tokyo", "viewport": {"width": 1280, "height": 900}}
# single words that are interface words wherever they appear
UI_WORDS = {
    "Customers",
    "Customer",
    "Export",
    "Download",
    "Analytics",
    "Administration",
    "Resources",
    "Overview",
    "Subscriptions",
    "Trials",
    "Search",
    "Filters",
    "Status",
    "Tags",
    "Licenses",
    "Save",
    "Cancel",
    "Close",
    "Clear",
    "Apply",
    "Delete",
    "Rename",
    "Add",
    "Expired",
    "Suspended",
    "Password",
    "Role",
}
# product, brand and API names kept in Latin letters in Japanese too
BRANDS = (
    "Partner Hub Analytics",
    "Partner Hub",
    "Partner Reports / Templates API",
    "Reports API",
    "Webex for Developers",
    "Webex Calling",
    "Control Hub",
    "Webex",
    "OpenAPI",
    "HTTP API",
    "Excel (.xlsx)",
)
# two or more Latin words in a row, once data values and brands are out
LATIN_PHRASE = re.compile(r"[A-Za-z][A-Za-z'’-]*(?:,? [A-Za-z][A-Za-z'’-]*)+")


@cache
def english_strings() -> tuple[str, ...]:
    with (CATALOGUES / "ja" / "LC_MESSAGES" / "messages.po").open("rb") as f:
        catalog = read_po(f, locale="ja")
    found: set[str] = set()
    for message in catalog:
        if not message.id or not message.string:
            continue
        ids = [str(i) for i in message.id] if isinstance(message.id, (tuple, list)) else [str(message.id)]
        strings = [str(t) for t in message.string] if isinstance(message.string, (tuple, list)) else [message.string]
        if ids[0] == strings[0]:
            continue
        for text in ids:
            # a message with placeholders: each of its literal parts
            for part in re.split(r"%\([a-z_]+\)[sdf]|%[sd]|\{[a-z_]*\}", text):
                part = part.strip(" .,:;()“”\"'…-–—/·\n")
                words = part.split()
                if (len(words) >= 2 and len(part) >= 8) or part in UI_WORDS:
                    found.add(part)
    return tuple(sorted(found, key=len, reverse=True))


def data_values(services) -> list[str]:
    """Every text of the partner's data the pages may show: the snapshot's
    strings, the app state's names, e-mails, tags, audit targets and the
    browsers' user agents (the account page lists sessions)."""
    values: set[str] = set(BRANDS)
    cursor = services.snapshots.current().cursor()
    columns = cursor.execute(
        "SELECT table_name, column_name FROM information_schema.columns WHERE data_type = 'VARCHAR'"
    ).fetchall()
    for table, column in columns:
        rows = cursor.execute(f'SELECT DISTINCT "{column}" FROM "{table}" WHERE "{column}" IS NOT NULL').fetchall()
        values.update(r[0] for r in rows)
    with services.state.read() as conn:
        for name, email in conn.execute(select(users.c.name, users.c.email)):
            values.update(filter(None, (name, email)))
        values.update(conn.execute(select(tags.c.name)).scalars())
        values.update(filter(None, conn.execute(select(audit_log.c.target)).scalars()))
        for before, after in conn.execute(select(audit_log.c.before, audit_log.c.after)):
            values.update(strings_in([before, after]))
        values.update(conn.execute(select(api_tokens.c.name)).scalars())
        values.update(filter(None, conn.execute(select(sessions.c.user_agent)).scalars()))
        # what a mail server or webhook answered (the delivery log quotes it as it came)
        values.update(filter(None, conn.execute(select(deliveries.c.last_error)).scalars()))
        # what people typed: notes, follow-ups, the names of saved views, alert values
        values.update(conn.execute(select(notes.c.body)).scalars())
        values.update(conn.execute(select(follow_ups.c.text)).scalars())
        values.update(conn.execute(select(saved_views.c.name)).scalars())
        values.update(filter(None, conn.execute(select(alerts.c.customer_name)).scalars()))
    # a table cell shows a typed text on one line: each of its lines is a value too
    values.update(line for v in list(values) if v and "\n" in v for line in v.splitlines())
    # longest first, so that a name is taken out before a part of it
    return sorted((v for v in values if v and v.strip()), key=len, reverse=True)


@cache
def values_pattern(values: tuple[str, ...]) -> re.Pattern:
    # whole words only: a short value must not cut an interface word in two
    return re.compile(r"(?<![A-Za-z0-9])(?:" + "|".join(map(re.escape, values)) + r")(?![A-Za-z0-9])")


def strings_in(value) -> list[str]:
    """The texts of a JSON value (an audit entry's before and after)."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        value = list(value.values())
    if isinstance(value, list):
        return [s for v in value for s in strings_in(v)]
    return []


def page_text(page) -> str:
    return page.evaluate(
        "() => document.title + '\\n' + document.body.innerText + '\\n' + "
        "[...document.querySelectorAll('[title],[aria-label],[placeholder],[data-tip]')]"
        ".map(e => [e.title, e.getAttribute('aria-label'), e.placeholder, e.getAttribute('data-tip')]"
        ".filter(Boolean).join('\\n')).join('\\n')"
    )


def offenders(text: str, values: list[str]) -> list[str]:
    """The English interface strings in a page's text: the catalogue's, and
    any other phrase of two or more Latin words (a string never marked)."""
    text = values_pattern(tuple(values)).sub(" ", text)
    found = []
    for english in english_strings():
        pattern = r"(?<![A-Za-z])" + re.escape(english) + r"(?![A-Za-z])"
        if re.search(pattern, text):
            found.append(english)
            text = re.sub(pattern, " ", text)
    found += sorted(set(LATIN_PHRASE.findall(text)))
    return found


class Visit:
    """The pages one test visits and the English strings each showed."""

    def __init__(self, page, values):
        # this browser's own user agent: the account page lists its session
        agent = page.evaluate("navigator.userAgent")
        self.page, self.values, self.report = page, sorted({*values, agent}, key=len, reverse=True), {}

    def check(self, label: str) -> None:
        self.page.wait_for_load_state("networkidle")
        found = offenders(page_text(self.page), self.values)
        if found:
            self.report[label] = found

    def assert_clean(self) -> None:
        lines = [f"{label}: {' | '.join(found)}" for label, found in self.report.items()]
        assert not self.report, "English interface strings in Japanese mode:\n" + "\n".join(lines)


def ja_page(browser, base_url, browser_errors):
    context = browser.new_context(base_url=base_url, **JA)
    page = context.new_page()
    browser_errors.attach(page)
    return context, page


def sign_in_ja(page, email: str, next: str) -> None:
    page.goto(f"/login?next={next}")
    expect(page.get_by_role("heading", name="サインイン")).to_be_visible()
    page.locator("#email").fill(email)
    page.locator("#password").fill(PASSWORD)
    page.locator("#sign-in").click()
    page.locator("#account-menu").wait_for()


def test_the_sign_in_and_404_pages_are_japanese(browser, base_url, browser_errors, services):
    context, page = ja_page(browser, base_url, browser_errors)
    visit = Visit(page, data_values(services))
    try:
        page.goto("/login")
        expect(page.locator("html")).to_have_attribute("lang", "ja")
        expect(page.get_by_label("メールアドレス")).to_be_visible()
        visit.check("/login")
        page.locator("#email").fill("full.admin@demo.example")
        page.locator("#password").fill("wrong password")
        page.locator("#sign-in").click()
        page.locator(".alert, .invalid-feedback").first.wait_for()
        visit.check("/login (wrong password)")
        sign_in_ja(page, "full.admin@demo.example", "/no-such-page")
        expect(page.locator("html")).to_have_attribute("lang", "ja")
        visit.check("/no-such-page")
    finally:
        context.close()
    visit.assert_clean()
    assert not browser_errors.unexpected()


def visit_every_page(page, visit: Visit, services, email: str, artifacts=None) -> None:
    role = DEMO_USERS[email]
    sign_in_ja(page, email, "/")
    expect(page.locator("#main")).to_contain_text("自分のフォローアップ", timeout=WAIT)
    visit.check(f"{role} / (this week)")
    if artifacts is not None:
        screenshot(page, artifacts / "this-week-ja.png", 1280)
        publish(artifacts / "this-week-ja.png", "this-week-ja.png")
    page.goto("/customers")
    expect(page.locator("#nav-customers")).to_contain_text("顧客")
    page.locator("#customers-grid .ag-center-cols-container .ag-row").first.wait_for(timeout=WAIT)
    expect(page.locator("#customers-count")).to_contain_text("件")
    visit.check(f"{role} /customers")
    if artifacts is not None:
        screenshot(page, artifacts / "customers-ja.png", 1280)
        publish(artifacts / "customers-ja.png", "customers-ja.png")

    customer = expected_list(services, email).row(0, named=True)["customer_id"]
    page.goto(f"/customers/{customer}")
    expect(page.get_by_role("tab", name="概要")).to_be_visible(timeout=WAIT)
    visit.check(f"{role} /customers/{customer} [概要]")
    if artifacts is not None:
        screenshot(page, artifacts / "customer-overview-ja.png", 1280)
        publish(artifacts / "customer-overview-ja.png", "customer-overview-ja.png")
    for tab in ("サブスクリプション", "トライアル", "パートナー管理者"):
        page.get_by_role("tab", name=tab).click()
        visit.check(f"{role} /customers/{customer} [{tab}]")

    page.goto("/analytics")
    expect(page.locator("#main")).to_contain_text("ライセンス分配の傾向", timeout=WAIT)
    for label in ("顧客総数", "期限切れ間近", "間もなく更新"):
        expect(page.locator("#main")).to_contain_text(label)
    visit.check(f"{role} /analytics")
    if artifacts is not None:
        screenshot(page, artifacts / "analytics-ja.png", 1280)
        publish(artifacts / "analytics-ja.png", "analytics-ja.png")
    page.goto("/analytics?product=calling")
    expect(page.locator("#main")).to_contain_text("ライセンス分配の傾向", timeout=WAIT)
    visit.check(f"{role} /analytics?product=calling")

    if may_see(role, "calling"):
        page.goto("/calling")
        expect(page.locator("#main")).to_contain_text("通話品質", timeout=WAIT)
        visit.check(f"{role} /calling")
    page.goto("/resources")
    expect(page.locator("#main")).to_contain_text("リソースとヘルプ", timeout=WAIT)
    visit.check(f"{role} /resources")
    page.goto("/alerts")
    expect(page.locator("#main")).to_contain_text("アラート", timeout=WAIT)
    visit.check(f"{role} /alerts")
    page.goto("/account")
    page.locator("#main").wait_for()
    visit.check(f"{role} /account")
    if may_see(role, "administration"):
        # other tests of this session may have logged deliveries meanwhile
        visit.values = Visit(page, data_values(services)).values
        page.goto("/admin")
        for tab in ("ユーザーとロール", "管理者の割り当て", "監査ログ", "データの状態", "配信"):
            page.get_by_role("tab", name=tab).click()
            visit.check(f"{role} /admin [{tab}]")


def test_every_page_as_every_role_is_japanese(browser, base_url, browser_errors, services, artifacts):
    assert set(DEMO_USERS.values()) == set(ROLES)
    values = data_values(services)
    report: dict[str, list[str]] = {}
    for email in DEMO_USERS:
        context, page = ja_page(browser, base_url, browser_errors)
        visit = Visit(page, values)
        try:
            visit_every_page(page, visit, services, email, artifacts if email.startswith("full.") else None)
        finally:
            context.close()
        report.update(visit.report)
    lines = [f"{label}: {' | '.join(found)}" for label, found in report.items()]
    assert not report, "English interface strings in Japanese mode:\n" + "\n".join(lines)
    assert not browser_errors.unexpected()
