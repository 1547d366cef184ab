"""The customer list: every status alone and combined, every filter and their
AND/OR combination, tags, scope, server-side paging and the customer page.
Expected values are worked out by hand (as_of = 2025-06-15; the activity
cutoff is 2025-05-16 00:00 UTC)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import polars as pl
import pytest

from partnerhub.data import tags as T
from partnerhub.metrics.customer_detail import customer_detail
from partnerhub.metrics.customers import EXPORT_COLUMNS, customers, customers_page
from partnerhub.metrics.types import Context, Filters, View
from tests.test_metrics_support import RECENT_SIGNIN, World, build, d

ACTOR = "admin@demo.example"
IN_NAME_ORDER = [
    "S-ALL",
    "S-EDGE",
    "S-GONE",
    "S-FUTURE",
    "S-IDLE",
    "S-NEVER",
    "S-NOTSOON",
    "S-OVER",
    "S-PEND",
    "S-SOON",
    "S-SUB",
    "S-SUSP",
    "S-TODAY",
    "S-TRIAL",
    "ZZ-GUARD",
]


@pytest.fixture(scope="module")
def ctx(tmp_path_factory):
    w = World()
    w.customer("S-TRIAL", "Stat Trial")
    w.sub("TRIAL-T", "S-TRIAL", kind="trial", start=d(-10), end=d(50))
    w.line("TRIAL-T", "meetings", 5)
    w.customer("S-SUB", "Stat Sub", managed_by="external")
    w.sub("SUB-P", "S-SUB", start=d(-100), end=d(200), auto_renew=True)
    w.line("SUB-P", "calling", 10, {0: (4, 2)})
    w.customer("S-SOON", "Stat Soon")
    w.sub("SOON-P", "S-SOON", start=d(-100), end=d(30), auto_renew=False)
    w.line("SOON-P", "meetings", 3, {0: (3, 3)})
    w.customer("S-NOTSOON", "Stat Not Soon")
    w.sub("NOTSOON-P", "S-NOTSOON", start=d(-100), end=d(31), auto_renew=False)
    w.customer("S-TODAY", "Stat Today")
    w.sub("TODAY-P", "S-TODAY", start=d(-100), end=d(0), auto_renew=False)
    w.customer("S-OVER", "Stat Over")
    w.sub("OVER-P", "S-OVER", start=d(-100), end=d(200))
    w.line("OVER-P", "messaging", 5, {0: (6, 6)})
    w.customer("S-IDLE", "Stat Idle", signin=datetime(2025, 5, 15, 23, 59, 59, tzinfo=UTC))
    w.sub("IDLE-P", "S-IDLE", start=d(-100), end=d(200))
    w.customer("S-EDGE", "Stat Edge", signin=datetime(2025, 5, 16, 0, 0, 0, tzinfo=UTC))
    w.sub("EDGE-P", "S-EDGE", start=d(-100), end=d(200))
    w.customer("S-NEVER", "Stat Never", signin=None)
    w.customer("S-PEND", "Stat Pending")
    w.sub("PEND-P", "S-PEND", status="pending_setup", start=d(-5), end=d(360))
    w.line("PEND-P", "meetings", 10)
    w.customer("S-SUSP", "Stat Suspended")
    w.sub("SUSP-P", "S-SUSP", status="suspended", start=d(-200), end=d(100))
    w.line("SUSP-P", "meetings", 3, {0: (1, 1)})
    w.customer("S-GONE", "Stat Expired")
    w.sub("GONE-X", "S-GONE", status="expired", start=d(-300), end=d(100), auto_renew=False)
    w.sub("GONE-P", "S-GONE", start=d(-300), end=d(-1), auto_renew=False)
    w.customer("S-FUTURE", "Stat Future")
    w.sub("FUTURE-P", "S-FUTURE", start=d(10), end=d(400))
    w.line("FUTURE-P", "meetings", 7)
    w.customer("S-ALL", "Stat Combined", managed_by="external", signin=None)
    w.sub("ALL-T", "S-ALL", kind="trial", start=d(-5), end=d(25))
    w.line("ALL-T", "meetings", 5)
    w.sub("ALL-P", "S-ALL", start=d(-300), end=d(65), auto_renew=True)
    w.line("ALL-P", "meetings", 10, {0: (12, 5)})
    w.sub("ALL-PS", "S-ALL", status="pending_setup", start=d(0), end=d(365))
    w.line("ALL-PS", "calling", 2)
    w.sub("ALL-SS", "S-ALL", status="suspended", start=d(-100), end=d(100))
    w.order("ORD-1", "ALL-P", date(2024, 8, 19), "new", "=1+1 first order")
    w.order("ORD-2", "ALL-PS", d(-1), "change")
    w.invoice("INV-1", "ALL-P", date(2024, 9, 1), 120.0)
    c = build(tmp_path_factory.mktemp("customers"), w)
    gold = T.create_tag(c.state, ACTOR, "Gold", "#ffd700")
    key = T.create_tag(c.state, ACTOR, "key", "#1f77b4")
    apex = T.create_tag(c.state, ACTOR, "apex", "#2ca02c")
    T.add_tag(c.state, ACTOR, gold["id"], ["S-SUB", "S-ALL"])
    T.add_tag(c.state, ACTOR, key["id"], ["S-ALL", "S-TRIAL"])
    T.add_tag(c.state, ACTOR, apex["id"], ["S-ALL"])
    return c


def ids(ctx, **filters) -> list[str]:
    return customers(ctx, View(filters=Filters(**filters))).frame["customer_id"].to_list()


def by_id(ctx, view=View()) -> dict[str, dict]:
    return {r["customer_id"]: r for r in customers(ctx, view).frame.iter_rows(named=True)}


EXPECTED = {
    # id: (statuses, needs_attention, products, subscription_types, total, assigned, used)
    "S-TRIAL": ("trial", False, "meetings", "trial", 5, 0, 0),
    "S-SUB": ("subscription", False, "calling", "paid", 10, 4, 2),
    "S-SOON": ("subscription;expiring_soon", True, "meetings", "paid", 3, 3, 3),
    "S-NOTSOON": ("subscription", False, "", "paid", 0, 0, 0),
    "S-TODAY": ("subscription;expiring_soon", True, "", "paid", 0, 0, 0),
    "S-OVER": ("subscription;license_overage", True, "messaging", "paid", 5, 6, 6),
    "S-IDLE": ("subscription;no_recent_activity", True, "", "paid", 0, 0, 0),
    "S-EDGE": ("subscription", False, "", "paid", 0, 0, 0),
    "S-NEVER": ("no_recent_activity;expired", True, "", "", 0, 0, 0),
    "S-PEND": ("order_ready_for_setup", True, "meetings", "paid", 10, 0, 0),
    "S-SUSP": ("suspended", True, "meetings", "paid", 3, 1, 1),
    "S-GONE": ("expired", False, "", "", 0, 0, 0),
    "S-FUTURE": ("", False, "", "", 0, 0, 0),
    "S-ALL": (
        "trial;subscription;expiring_soon;license_overage;no_recent_activity;order_ready_for_setup;suspended",
        True,
        "meetings;calling",
        "paid;trial",
        17,
        12,
        5,
    ),
    "ZZ-GUARD": ("expired", False, "", "", 0, 0, 0),
}


def test_every_status_alone_and_combined(ctx):
    got = by_id(ctx)
    assert list(got) == IN_NAME_ORDER
    for cid, (statuses, attention, products, kinds, total, assigned, used) in EXPECTED.items():
        r = got[cid]
        assert (
            r["statuses"],
            r["needs_attention"],
            r["products"],
            r["subscription_types"],
            r["total_licenses"],
            r["assigned"],
            r["used"],
        ) == (statuses, attention, products, kinds, total, assigned, used), cid


def test_columns_types_and_tags(ctx):
    r = customers(ctx, View())
    assert (
        r.export_columns
        == EXPORT_COLUMNS
        == (
            "customer_id",
            "customer_name",
            "managed_by",
            "statuses",
            "needs_attention",
            "products",
            "subscription_types",
            "tags",
            "total_licenses",
            "assigned",
            "used",
            "last_admin_sign_in",
            "health_score",
            "health_band",
        )
    )
    assert r.kpis == {}
    schema = r.frame.schema
    assert schema["needs_attention"] == pl.Boolean and schema["total_licenses"] == pl.Int64
    assert schema["health_score"] == pl.Float64 and schema["health_band"] == pl.Utf8
    assert schema["last_admin_sign_in"] == pl.Datetime("us", "UTC")
    got = by_id(ctx)
    assert got["S-ALL"]["tags"] == "apex;Gold;key"  # sorted whatever the case
    assert (got["S-SUB"]["tags"], got["S-TRIAL"]["tags"], got["S-SOON"]["tags"]) == ("Gold", "key", "")
    assert got["S-ALL"]["managed_by"] == "external" and got["S-ALL"]["last_admin_sign_in"] is None
    # health (metrics.md "Customer health"): a trial of 5 unassigned meetings licenses ending in 50 days:
    # 100 × (25 × 0 + 10 × 1 + 10 × 0.5) / 45; 10 calling licenses, 4 assigned, 2 used, auto-renew:
    # 100 × (25 × 0.4 + 25 × 0.5 + 10 × 1 + 10 × 1) / 70; messaging only: not scored
    assert got["S-TRIAL"]["health_score"] == pytest.approx(100 / 3) and got["S-TRIAL"]["health_band"] == "at_risk"
    assert got["S-SUB"]["health_score"] == pytest.approx(4250 / 70) and got["S-SUB"]["health_band"] == "watch"
    assert got["S-OVER"]["health_score"] is None and got["S-OVER"]["health_band"] is None
    assert got["S-TRIAL"]["last_admin_sign_in"] == RECENT_SIGNIN
    assert got["S-ALL"]["customer_name"] == "Stat Combined"


@pytest.mark.parametrize(
    "filters, expected",
    [
        ({}, IN_NAME_ORDER),
        ({"managed_by": ("external",)}, ["S-ALL", "S-SUB"]),
        ({"managed_by": ("partner", "external")}, IN_NAME_ORDER),
        ({"product": ("calling",)}, ["S-ALL", "S-SUB"]),
        ({"product": ("messaging", "calling")}, ["S-ALL", "S-OVER", "S-SUB"]),
        ({"product": ("webinars",)}, []),  # the guard's webinars line is not current
        ({"status": ("expired",)}, ["S-GONE", "S-NEVER", "ZZ-GUARD"]),
        ({"status": ("trial", "suspended")}, ["S-ALL", "S-SUSP", "S-TRIAL"]),
        ({"status": ("expiring_soon",)}, ["S-ALL", "S-SOON", "S-TODAY"]),
        ({"status": ("no_recent_activity",)}, ["S-ALL", "S-IDLE", "S-NEVER"]),
        ({"status": ("license_overage",)}, ["S-ALL", "S-OVER"]),
        ({"status": ("order_ready_for_setup",)}, ["S-ALL", "S-PEND"]),
        (
            {"status": ("subscription",)},
            ["S-ALL", "S-EDGE", "S-IDLE", "S-NOTSOON", "S-OVER", "S-SOON", "S-SUB", "S-TODAY"],
        ),
        ({"subscription_type": ("trial",)}, ["S-ALL", "S-TRIAL"]),
        (
            {"subscription_type": ("paid",)},
            ["S-ALL", "S-EDGE", "S-IDLE", "S-NOTSOON", "S-OVER", "S-PEND", "S-SOON", "S-SUB", "S-SUSP", "S-TODAY"],
        ),
        (
            {"subscription_type": ("paid", "trial")},
            [
                "S-ALL",
                "S-EDGE",
                "S-IDLE",
                "S-NOTSOON",
                "S-OVER",
                "S-PEND",
                "S-SOON",
                "S-SUB",
                "S-SUSP",
                "S-TODAY",
                "S-TRIAL",
            ],
        ),
        ({"tag": ("Gold",)}, ["S-ALL", "S-SUB"]),
        ({"tag": ("gold", "key")}, ["S-ALL", "S-SUB", "S-TRIAL"]),
        ({"tag": ("nope",)}, []),
        ({"q": "stat s"}, ["S-SOON", "S-SUB", "S-SUSP"]),
        ({"q": "  SUSP "}, ["S-SUSP"]),
        ({"q": "s-t"}, ["S-TODAY", "S-TRIAL"]),  # matches IDs, too
        ({"needs_attention": True}, ["S-ALL", "S-IDLE", "S-NEVER", "S-OVER", "S-PEND", "S-SOON", "S-SUSP", "S-TODAY"]),
        # different filters: AND; several values of one: OR
        ({"status": ("trial",), "managed_by": ("partner",)}, ["S-TRIAL"]),
        ({"status": ("trial", "suspended"), "tag": ("Gold",)}, ["S-ALL"]),
        ({"product": ("meetings",), "needs_attention": True}, ["S-ALL", "S-PEND", "S-SOON", "S-SUSP"]),
        (
            {
                "subscription_type": ("trial",),
                "q": "combined",
                "managed_by": ("external",),
                "tag": ("apex",),
                "product": ("calling",),
                "status": ("suspended",),
            },
            ["S-ALL"],
        ),
    ],
)
def test_filters(ctx, filters, expected):
    assert ids(ctx, **filters) == expected


@pytest.mark.parametrize(
    "filters, name",
    [
        ({"status": ("bogus",)}, "status"),
        ({"managed_by": ("internal",)}, "managed_by"),
        ({"product": ("zoom",)}, "product"),
        ({"subscription_type": ("free",)}, "subscription_type"),
        ({"q": "x" * 201}, "q"),
    ],
)
def test_bad_filters_are_refused(ctx, filters, name):
    with pytest.raises(ValueError, match=name):
        customers(ctx, View(filters=Filters(**filters)))


def test_status_windows_are_settings(ctx):
    longer = Context(ctx.snapshot, ctx.state, ctx.settings.with_(expiring_soon_days=31, no_recent_activity_days=26))
    got = by_id(longer)
    assert got["S-NOTSOON"]["statuses"] == "subscription;expiring_soon"
    assert got["S-EDGE"]["statuses"] == "subscription;no_recent_activity"  # cutoff now 2025-05-20
    assert by_id(ctx)["S-EDGE"]["statuses"] == "subscription"


def test_scope(ctx):
    view = View(scope=frozenset({"S-ALL", "S-TRIAL", "NOT-A-CUSTOMER"}))
    assert customers(ctx, view).frame["customer_id"].to_list() == ["S-ALL", "S-TRIAL"]
    assert customers(ctx, View(scope=frozenset())).frame.height == 0
    scoped = View(scope=frozenset({"S-ALL", "S-TRIAL"}), filters=Filters(tag=("Gold",)))
    assert customers(ctx, scoped).frame["customer_id"].to_list() == ["S-ALL"]


def test_a_tag_change_shows_at_once(ctx, tmp_path):
    before = by_id(ctx)["S-EDGE"]["tags"]
    tag = T.create_tag(ctx.state, ACTOR, "Fresh", "#123456")
    T.add_tag(ctx.state, ACTOR, tag["id"], ["S-EDGE"])
    try:
        assert (before, by_id(ctx)["S-EDGE"]["tags"]) == ("", "Fresh")
        assert ids(ctx, tag=("fresh",)) == ["S-EDGE"]
    finally:
        T.delete_tag(ctx.state, ACTOR, tag["id"])
    assert by_id(ctx)["S-EDGE"]["tags"] == ""


# ---- server-side paging ------------------------------------------------------------------------------


def test_customers_page_sorts_and_pages_in_the_database(ctx):
    page, total = customers_page(ctx, View(), [("total_licenses", "desc")], 0, 3)
    assert total == 15 and page["customer_id"].to_list() == ["S-ALL", "S-PEND", "S-SUB"]
    page, total = customers_page(ctx, View(), [("total_licenses", "desc")], 3, 4)
    assert page["customer_id"].to_list() == ["S-OVER", "S-TRIAL", "S-SOON", "S-SUSP"]
    page, total = customers_page(ctx, View(), [], 100, 10)
    assert (page.height, total) == (0, 15) and page.columns == list(EXPORT_COLUMNS)
    page, total = customers_page(ctx, View(), [("last_admin_sign_in", "asc"), ("customer_id", "desc")], 0, 15)
    assert page["customer_id"].to_list()[:2] == ["S-IDLE", "S-EDGE"]
    assert page["customer_id"].to_list()[-2:] == ["S-NEVER", "S-ALL"]  # never signed in: last
    page, total = customers_page(ctx, View(filters=Filters(status=("expired",))), [("customer_name", "desc")], 0, 2)
    assert (page["customer_id"].to_list(), total) == (["ZZ-GUARD", "S-NEVER"], 3)


def test_customers_page_rows_equal_the_list(ctx):
    full = {r["customer_id"]: r for r in customers(ctx, View()).frame.iter_rows(named=True)}
    seen = []
    for offset in range(0, 15, 4):
        page, total = customers_page(ctx, View(), [("statuses", "asc")], offset, 4)
        assert total == 15
        for r in page.iter_rows(named=True):
            assert r == full[r["customer_id"]]
            seen.append(r["customer_id"])
    assert sorted(seen) == sorted(full)
    page, _ = customers_page(ctx, View(), [], 0, 15)
    assert page.equals(customers(ctx, View()).frame)


@pytest.mark.parametrize(
    "sort, offset, limit",
    [
        ([("nope", "asc")], 0, 10),
        ([("customer_id", "sideways")], 0, 10),
        (["customer_id"], 0, 10),
        ([("customer_id; DROP TABLE customers", "asc")], 0, 10),
        ([], -1, 10),
        ([], 0, 0),
        ([], 0, 10_001),
    ],
)
def test_customers_page_refuses_bad_arguments(ctx, sort, offset, limit):
    with pytest.raises(ValueError):
        customers_page(ctx, View(), sort, offset, limit)


# ---- the customer page ---------------------------------------------------------------------------------


def test_customer_detail(ctx):
    detail = customer_detail(ctx, View(), "S-ALL")
    assert detail.customer == by_id(ctx)["S-ALL"]
    assert [
        tuple(r)
        for r in detail.subscriptions.select(
            "subscription_id", "kind", "status", "days_to_end", "auto_renew"
        ).iter_rows()
    ] == [
        ("ALL-PS", "paid", "pending_setup", 365, True),
        ("ALL-T", "trial", "active", 25, False),
        ("ALL-SS", "paid", "suspended", 100, True),
        ("ALL-P", "paid", "active", 65, True),
    ]
    assert [
        tuple(r)
        for r in detail.lines.select(
            "subscription_id", "product", "total_licenses", "assigned", "used", "available"
        ).iter_rows()
    ] == [("ALL-PS", "calling", 2, 0, 0, 2), ("ALL-T", "meetings", 5, 0, 0, 5), ("ALL-P", "meetings", 10, 12, 5, 0)]
    assert detail.trials["subscription_id"].to_list() == ["ALL-T"]
    assert detail.orders["order_id"].to_list() == ["ORD-2", "ORD-1"]
    assert detail.orders["description"].to_list() == [None, "=1+1 first order"]
    assert [tuple(r) for r in detail.invoices.select("invoice_id", "amount", "currency", "status").iter_rows()] == [
        ("INV-1", 120.0, "USD", "paid")
    ]
    assert detail.subscriptions["start_date"].to_list()[0] == d(0)


def test_customer_detail_out_of_scope_is_like_unknown(ctx):
    assert customer_detail(ctx, View(), "NOPE") is None
    assert customer_detail(ctx, View(scope=frozenset({"S-TRIAL"})), "S-ALL") is None
    assert customer_detail(ctx, View(scope=frozenset({"S-TRIAL"})), "NOPE") is None
    assert customer_detail(ctx, View(scope=frozenset({"S-TRIAL"})), "S-TRIAL").customer_id == "S-TRIAL"
    assert customer_detail(ctx, View(), "") is None
    empty = customer_detail(ctx, View(), "S-NEVER")
    assert empty.subscriptions.height == 0 and empty.lines.height == 0 and empty.trials.height == 0
