"""The customer page's Overview tab: the numbers of metrics.customer_overview
on a hand-built world (as_of = 2025-06-15, latest week 2025-06-08, the 13
license weeks 2025-03-16 .. 2025-06-08), the tab drawn from them for a
scored and an unscored customer, with and without calling, and the page
through the real router for each kind of role."""

from __future__ import annotations

import json
import math
from datetime import date, timedelta

import pytest
from plotly.io.json import to_json_plotly

from partnerhub.components.health import health_score_text
from partnerhub.metrics.calling import call_queues, calling_usage
from partnerhub.metrics.customer_overview import customer_overview, license_weeks_by_product
from partnerhub.metrics.health import customer_health, health_row
from partnerhub.metrics.health_reasons import reason_list, reason_sentence
from partnerhub.metrics.types import View
from partnerhub.pages._customers.overview_tab import not_applicable, overview_tab
from tests.analytics_support import find, text_of
from tests.customer_pages import FULL, SALES_FULL, context, expected_list, page, scope, signed_in
from tests.test_metrics_support import World, build, d, rows, week

WEEKS = [week(n) for n in range(12, -1, -1)]  # oldest first


@pytest.fixture(scope="module")
def ctx(tmp_path_factory):
    w = World()
    w.customer("O-ONE", "Overview One")
    w.sub("O-P", "O-ONE", start=d(-365), end=d(365), auto_renew=True)
    # week 13 lies before the 13 weeks: not counted
    w.line("O-P", "meetings", 10, {0: (8, 5), 1: (7, 4), 12: (6, 3), 13: (9, 9)})
    # ended 2025-04-01, in the week of 2025-03-30 (week 10): runs in weeks 12..10 only;
    # its usage row of week 9 is not counted (the line does not run that week)
    w.sub("O-OLD", "O-ONE", status="expired", start=d(-400), end=week(10) + timedelta(days=2), auto_renew=False)
    w.line("O-OLD", "meetings", 4, {10: (2, 1), 9: (3, 3)})
    # starts 2025-05-31, the last day of the week of 2025-05-25 (week 2): runs in weeks 2..0
    w.sub("O-NEW", "O-ONE", start=week(2) + timedelta(days=6), end=d(60), auto_renew=False)
    w.line("O-NEW", "calling", 20, {0: (15, 12)})
    w.line("O-NEW", "messaging", 5)
    w.calling("O-ONE", 0, 10, 6, 40)
    w.calling("O-ONE", 3, 10, 4, 25)
    w.calling("O-ONE", 8, 10, 10, 999)  # 9 weeks back: outside the 8 calling weeks
    w.quality("O-ONE", 0, "desk_phone", 30, 3)
    w.quality("O-ONE", 1, "webex_app_desktop", 10, 0)
    w.queue("O-ONE", "O-Q1", 0, 50, 40, 8, 2, 420.0, 160.0)
    w.queue("O-ONE", "O-Q2", 0, 10, 10, 0, 0, 30.0, 0.0)
    w.queue("O-ONE", "O-Q1", 1, 99, 0, 99, 0, 0.0, 999.0)  # the week before: not in the summary
    w.customer("O-TWO", "Overview Two")
    w.sub("O-TWO-P", "O-TWO", start=d(-365), end=d(365))
    w.line("O-TWO-P", "meetings", 7, {0: (7, 7)})
    w.customer("O-NONE", "Overview None")
    return build(tmp_path_factory.mktemp("overview"), w)


# ---- the numbers -----------------------------------------------------------------------------------


def _series(total: dict, assigned: dict, used: dict, default_total: int = 0) -> list[tuple]:
    """Rows (week_start, total, assigned, used) of the 13 weeks, from {n: value}."""
    return [(week(n), total.get(n, default_total), assigned.get(n, 0), used.get(n, 0)) for n in range(12, -1, -1)]


def test_license_weeks_per_product(ctx):
    r = license_weeks_by_product(ctx, View(scope=frozenset({"O-ONE"})))
    assert r.frame.columns == ["product", "week_start", "total_licenses", "assigned", "used"]
    assert r.frame["product"].unique(maintain_order=True).to_list() == ["meetings", "calling", "messaging"]

    def of(product):
        return [
            row[1:]
            for row in rows(r, "product", "week_start", "total_licenses", "assigned", "used")
            if row[0] == product
        ]

    # meetings: O-P's 10 every week, O-OLD's 4 in weeks 12..10
    assert of("meetings") == _series(
        {12: 14, 11: 14, 10: 14}, {12: 6, 10: 2, 1: 7, 0: 8}, {12: 3, 10: 1, 1: 4, 0: 5}, default_total=10
    )
    assert of("calling") == _series({2: 20, 1: 20, 0: 20}, {0: 15}, {0: 12})
    assert of("messaging") == _series({2: 5, 1: 5, 0: 5}, {}, {})
    assert [w for w in r.frame["week_start"].to_list()[:13]] == WEEKS
    assert WEEKS[0] == date(2025, 3, 16) and WEEKS[-1] == date(2025, 6, 8)


def test_a_customer_without_lines_has_no_license_weeks(ctx):
    assert license_weeks_by_product(ctx, View(scope=frozenset({"O-NONE"}))).frame.height == 0


def test_the_overview_of_a_scored_customer_with_calling(ctx):
    o = customer_overview(ctx, View(), "O-ONE", calling=True)
    assert o is not None and o.customer_id == "O-ONE"
    # scored lines: O-P meetings (10, 8 assigned, 5 used) and O-NEW calling (20, 15, 12); no usage in
    # the 4 weeks before the last 4 (usage_trend null); signed in recently (1); 3 poor of 30 calls
    # (10 %: 0); O-NEW ends in 60 days without auto-renew (0.5)
    h = o.health
    assert h is not None
    assert h["allocation_score"] == pytest.approx(23 / 30)
    assert h["usage_score"] == pytest.approx(17 / 23)
    assert h["usage_trend_score"] is None
    assert h["engagement_score"] == 1.0 and h["call_quality_score"] == 0.0 and h["renewal_score"] == 0.5
    assert h["health_score"] == pytest.approx(100 * (25 * 23 / 30 + 25 * 17 / 23 + 10 + 0 + 5) / 85)
    assert h["health_band"] == "watch" and h["reasons"] == "call_quality"
    assert h == health_row(ctx, View(), "O-ONE")
    assert o.license_weeks.equals(license_weeks_by_product(ctx, View(scope=frozenset({"O-ONE"}))).frame)

    c = o.calling
    assert c is not None and c.has_data
    calling_weeks = [week(n) for n in range(7, -1, -1)]
    assert [tuple(x) for x in c.usage_trend.select("week_start", "active_users", "inactive_users", "calls").rows()] == [
        (wk, {3: 4, 0: 6}.get(n, 0), {3: 6, 0: 4}.get(n, 0), {3: 25, 0: 40}.get(n, 0))
        for wk, n in zip(calling_weeks, range(7, -1, -1))
    ]
    assert [tuple(x) for x in c.quality_trend.select("week_start", "calls", "poor_calls").rows()] == [
        (wk, {1: 10, 0: 30}.get(n, 0), {0: 3}.get(n, 0)) for wk, n in zip(calling_weeks, range(7, -1, -1))
    ]
    assert c.quality_trend["poor_ratio"].to_list()[-2:] == [0.0, pytest.approx(0.1)]
    # the latest week's two queues: 60 offered, 50 answered, 8 abandoned, 2 overflowed;
    # answer wait 450 s over 52 calls, abandon wait 160 s over 8
    q = c.queues
    assert q is not None
    assert (q["queues"], q["offered"], q["answered"], q["abandoned"], q["overflowed"]) == (2, 60, 50, 8, 2)
    assert q["average_answer_wait_seconds"] == pytest.approx(450 / 52)
    assert q["average_abandon_wait_seconds"] == pytest.approx(20.0)
    assert q["abandon_ratio"] == pytest.approx(8 / 60)
    assert c.queue_kpis == call_queues(ctx, View(scope=frozenset({"O-ONE"}))).kpis


def test_calling_is_left_out_for_roles_that_may_not_see_it(ctx):
    o = customer_overview(ctx, View(), "O-ONE", calling=False)
    assert o is not None and o.calling is None


def test_an_unscored_customer_without_calling_data(ctx):
    o = customer_overview(ctx, View(), "O-NONE", calling=True)
    assert o is not None
    assert o.health is None and o.license_weeks.height == 0
    assert o.calling is not None and not o.calling.has_data and o.calling.queues is None


def test_out_of_scope_and_unknown_customers_get_the_same_answer(ctx):
    two = View(scope=frozenset({"O-TWO"}))
    assert customer_overview(ctx, two, "O-ONE", calling=True) is None
    assert customer_overview(ctx, two, "NO-SUCH", calling=True) is None
    assert customer_overview(ctx, View(), "NO-SUCH", calling=True) is None
    assert customer_overview(ctx, View(), "", calling=True) is None
    o = customer_overview(ctx, two, "O-TWO", calling=True)
    assert o is not None and o.health is not None and o.health["customer_id"] == "O-TWO"


# ---- the tab, drawn from those numbers ----------------------------------------------------------------


def _drawn(component) -> dict:
    return json.loads(to_json_plotly(component))


def test_the_tab_of_a_scored_customer_with_calling(ctx):
    o = customer_overview(ctx, View(), "O-ONE", calling=True)
    tree = _drawn(overview_tab(o, "subscription;expiring_soon"))
    score = text_of(find(tree, "overview-score"))
    # 61.93… is shown rounded down, with its band in words
    assert score.startswith("61 / 100") and "Watch" in score
    for component, label, percent in (
        ("allocation", "License allocation", "77 %"),
        ("usage", "License usage", "74 %"),
        ("engagement", "Admin engagement", "100 %"),
        ("call_quality", "Call quality", "0 %"),
        ("renewal", "Renewal", "50 %"),
    ):
        shown = text_of(find(tree, f"overview-health-{component}"))
        assert shown.startswith(label + percent), shown
    # the one reason says its number; components under 1 say what would raise them
    quality = text_of(find(tree, "overview-health-call_quality"))
    assert "10.0 % poor calls last week" in quality and "Look into the 3 poor calls of last week" in quality
    assert "Assign the 7 unassigned licenses" in text_of(find(tree, "overview-health-allocation"))
    assert "Help users start using the 6 assigned licenses they do not use" in text_of(
        find(tree, "overview-health-usage")
    )
    assert "poor calls" not in text_of(find(tree, "overview-health-usage"))
    # no usage in the 4 weeks before the last 4: not applicable, and why
    trend = text_of(find(tree, "overview-health-usage_trend"))
    assert trend == "Usage trendNot applicableNo license usage in the 4 weeks before the last 4 to compare with."
    assert "Expiring soon" in text_of(find(tree, "overview-statuses"))
    for product in ("meetings", "calling", "messaging"):
        figure = find(tree, f"overview-licenses-{product}")["figure"]
        assert [t["name"] for t in figure["data"]] == ["Total licenses", "Assigned", "Used"]
        assert len(figure["data"][0]["x"]) == 13
    meetings = find(tree, "overview-licenses-meetings")["figure"]["data"]
    assert [t["y"][-1] for t in meetings] == [10, 8, 5]
    assert text_of(find(tree, "overview-licenses-meetings-title")) == "Meetings"
    usage = find(tree, "overview-calling-usage")["figure"]["data"]
    assert usage[2]["y"] == [0, 0, 0, 0, 25, 0, 0, 40]
    quality_fig = find(tree, "overview-call-quality")["figure"]["data"]
    assert quality_fig[0]["y"] == [0, 0, 0, 0, 0, 0, 10, 30]
    queues = text_of(find(tree, "overview-queues"))
    for expected in ("Queues2", "Offered60", "Answered50", "Abandoned8", "Abandoned share13.3 %", "9 s", "20 s"):
        assert expected in queues, queues
    notes = find(tree, "overview-notes")
    assert notes is not None and not notes.get("children")


def test_the_tab_without_calling_rights_has_no_calling_section(ctx):
    tree = _drawn(overview_tab(customer_overview(ctx, View(), "O-ONE", calling=False), "subscription"))
    assert find(tree, "overview-score") is not None
    for gone in ("overview-calling", "overview-calling-usage", "overview-call-quality", "overview-queues"):
        assert find(tree, gone) is None


def test_the_tab_of_an_unscored_customer_without_calling_data(ctx):
    tree = _drawn(overview_tab(customer_overview(ctx, View(), "O-NONE", calling=True), ""))
    assert find(tree, "overview-score") is None
    assert "This customer has no health score." in text_of(find(tree, "overview-health-none"))
    assert "No licenses in the last 13 weeks." in text_of(find(tree, "overview-licenses-none"))
    assert find(tree, "overview-calling") is None  # no empty boxes
    assert find(tree, "overview-notes") is not None


def test_a_customer_with_too_few_calls_says_why_call_quality_does_not_apply():
    row = {"call_quality_score": None, "calls": 19, "usage_score": None, "usage_trend_score": 0.3}
    assert not_applicable(row, "call_quality") == "19 calls rated last week; the score needs at least 20."
    assert not_applicable({**row, "calls": 1}, "call_quality") == "1 call rated last week; the score needs at least 20."
    for calls in (None, 0):
        assert not_applicable({**row, "calls": calls}, "call_quality") == (
            "No calls rated last week; the score needs at least 20."
        )
    assert not_applicable(row, "usage") == "No licenses are assigned, so there is no usage to compare with."
    assert not_applicable(row, "usage_trend") is None


def test_the_score_is_shown_rounded_down_so_it_never_contradicts_its_band():
    assert [health_score_text(v) for v in (69.99, 70.0, 39.6, 40.0, 0.0, 100.0, None)] == [
        "69",
        "70",
        "39",
        "40",
        "0",
        "100",
        "—",
    ]


# ---- the page, through the router -----------------------------------------------------------------


def _demo_customers(services):
    """A scored customer with calling data in both FULL's and SALES_FULL's
    scope, the lowest-health one, and one that is not scored."""
    ctx = context(services)
    health = customer_health(ctx, View()).frame
    calling_ids = set(calling_usage(ctx, View()).frame["customer_id"].to_list())
    sales = scope(services, SALES_FULL)
    with_calling = next(
        cid for cid in health["customer_id"].to_list() if cid in calling_ids and (sales is None or cid in sales)
    )
    scored = set(health["customer_id"].to_list())
    unscored = next(c for c in expected_list(services, FULL)["customer_id"].to_list() if c not in scored)
    return ctx, with_calling, unscored


def test_the_overview_is_the_first_tab_and_opens_by_default(app, services):
    ctx, cid, _unscored = _demo_customers(services)
    full = signed_in(app, FULL)
    layout = page(full, f"/customers/{cid}")["_pages_content"]["children"]
    tabs = find(layout, "customers-detail-tabs")
    assert tabs["active_tab"] == "customers-tab-overview"
    assert [t["props"]["tab_id"] for t in tabs["children"]] == [
        "customers-tab-overview",
        "customers-tab-subscriptions",
        "customers-tab-trials",
        "customers-tab-admins",
    ]
    assert tabs["children"][0]["props"]["label"] == "Overview"
    for search, active in (
        ("?tab=subscriptions", "customers-tab-subscriptions"),
        ("?tab=overview", "customers-tab-overview"),
        ("?tab=admins", "customers-tab-admins"),
        ("?tab=nonsense", "customers-tab-overview"),
    ):
        tabs = find(page(full, f"/customers/{cid}", search)["_pages_content"]["children"], "customers-detail-tabs")
        assert tabs["active_tab"] == active, search
    row = health_row(ctx, View(), cid)
    assert row is not None
    shown = text_of(find(layout, "overview-score"))
    assert shown.startswith(f"{math.floor(row['health_score'])} / 100")
    for r in reason_list(row):
        sentence = reason_sentence(row, r)
        assert sentence[:1].upper() + sentence[1:] in text_of(find(layout, f"overview-health-{r}"))
    weeks = license_weeks_by_product(ctx, View(scope=frozenset({cid}))).frame
    for product in weeks["product"].unique().to_list():
        assert find(layout, f"overview-licenses-{product}") is not None
    assert find(layout, "overview-calling") is not None
    assert find(layout, "overview-notes") is not None


def test_a_sales_role_sees_no_calling_on_the_overview(app, services):
    _ctx, cid, _unscored = _demo_customers(services)
    layout = page(signed_in(app, SALES_FULL), f"/customers/{cid}")["_pages_content"]["children"]
    assert find(layout, "overview-score") is not None
    for gone in ("overview-calling", "overview-calling-usage", "overview-call-quality", "overview-queues"):
        assert find(layout, gone) is None


def test_an_unscored_customer_says_why_on_its_page(app, services):
    _ctx, _cid, unscored = _demo_customers(services)
    layout = page(signed_in(app, FULL), f"/customers/{unscored}")["_pages_content"]["children"]
    assert "This customer has no health score." in text_of(find(layout, "overview-health-none"))
    assert find(layout, "overview-score") is None
