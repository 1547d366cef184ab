"""Customer health (metrics.md "Customer health") on a world built by hand:
every edge the spec names, worked out on paper.

as_of = 2025-06-15, latest = 2025-06-08. The recent 4 weeks are week(0..3)
(U), the 4 before week(4..7) (U′). The activity cutoffs are 2025-05-16
00:00 UTC (30 days) and 2025-03-17 00:00 UTC (90 days). Unless a customer
says otherwise it has one paid, auto-renewing meetings line of 10 licenses,
all assigned and used in the latest week and none before (so usage_trend is
null), an administrator who signed in 5 days ago and no calls: allocation 1,
usage 1, engagement 1, renewal 1 over the weights 25 + 25 + 10 + 10 = 70,
a score of 100.
"""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import sys
from datetime import UTC, date, datetime

import duckdb
import openpyxl
import polars as pl
import pytest
from polars.testing import assert_frame_equal
from werkzeug.datastructures import MultiDict

from partnerhub.data.snapshots import Snapshot
from partnerhub.metrics import cache
from partnerhub.metrics.customers import customers, customers_page
from partnerhub.metrics.datasets import DATASETS, KPI_GROUPS, kpis
from partnerhub.metrics.health import (
    BANDS,
    COLUMNS,
    EXPORT_COLUMNS,
    REASONS,
    WEIGHTS,
    customer_health,
    health_kpis,
    health_row,
)
from partnerhub.metrics.health_reasons import (
    band_label,
    component_advice,
    component_label,
    reason_sentence,
    reason_sentences,
)
from partnerhub.metrics.types import Context, Filters, View
from partnerhub.metrics.view_query import BadView, narrowed_view, read_view
from tests.conftest import ROOT
from tests.contract_files import write_folder
from tests.test_metrics_support import World, build, d

FULL_ADMIN, ADMIN = "full@health.example", "admin@health.example"
ADMIN_SCOPE = frozenset({"H-ALL", "H-EDGE40", "H-TRIAL", "H-MSG"})
H = 100 / 70 * 60  # a score of 100 × 60 / 70 (one of engagement or renewal at 0, the rest 1)
HALF = 100 / 70 * 65  # 100 × 65 / 70 (one of them at 0.5)


def plain(w: World, cid: str, licenses: int = 10, signin=datetime(2025, 6, 10, 9, 30, tzinfo=UTC), **sub) -> str:
    """A customer with the defaults of the module's docstring; `sub` changes the subscription."""
    w.customer(cid, cid, signin=signin)
    w.sub(f"{cid}-S", cid, **{"start": d(-365), "end": d(365), **sub})
    w.line(f"{cid}-S", "meetings", licenses, {0: (licenses, licenses)})
    return cid


def world() -> World:
    w = World()
    plain(w, "H-FULL")
    # engagement: a sign-in exactly 30 days before as_of counts as recent, 31 days not; 90 and 91 likewise
    plain(w, "H-S30", signin=datetime(2025, 5, 16, 0, 0, tzinfo=UTC))
    plain(w, "H-S31", signin=datetime(2025, 5, 15, 0, 0, tzinfo=UTC))
    plain(w, "H-S90", licenses=20, signin=datetime(2025, 3, 17, 0, 0, tzinfo=UTC))
    plain(w, "H-S91", signin=datetime(2025, 3, 16, 0, 0, tzinfo=UTC))
    plain(w, "H-NEVER", signin=None)
    # usage trend: nothing in the recent 4 weeks (U = 0, U′ = 10: 0), nothing at all (null)
    w.customer("H-DROP")
    w.sub("H-DROP-S", "H-DROP")
    w.line("H-DROP-S", "meetings", 10, {4: (10, 10)})
    w.customer("H-ZERO")
    w.sub("H-ZERO-S", "H-ZERO")
    w.line("H-ZERO-S", "meetings", 10, {0: (0, 0), 4: (0, 0)})
    # call quality of the latest week only: 19 calls (null), 20 calls over two endpoint types, 12.5 % poor
    plain(w, "H-C19")
    w.quality("H-C19", 0, "desk_phone", 19, 5)
    w.quality("H-C19", 1, "desk_phone", 100, 50)
    plain(w, "H-C20")
    w.quality("H-C20", 0, "desk_phone", 12, 1)
    w.quality("H-C20", 0, "webex_app_desktop", 8, 0)
    plain(w, "H-CPOOR")
    w.quality("H-CPOOR", 0, "room_device", 40, 5)
    # renewal: an end without auto-renew at 30, 31, 90 and 91 days; with auto-renew; a trial
    plain(w, "H-R30", end=d(30), auto_renew=False)
    plain(w, "H-R31", end=d(31), auto_renew=False)
    plain(w, "H-R90", end=d(90), auto_renew=False)
    plain(w, "H-R91", end=d(91), auto_renew=False)
    plain(w, "H-RAUTO", end=d(30), auto_renew=True)
    plain(w, "H-TRIAL", kind="trial", start=d(-18), end=d(12))
    # band edges: 100 × (25 + 25 × 14/25 + 10 + 0) / 70 = 70; 13 used: 68.57…;
    # 100 × (25 × 25/125 + 25 × 13/25 + 10 + 0) / 70 = 40
    plain(w, "H-EDGE70", licenses=25, end=d(20), auto_renew=False)
    w.tables["license_usage"][-1].update(used=14)
    plain(w, "H-EDGE69", licenses=25, end=d(20), auto_renew=False)
    w.tables["license_usage"][-1].update(used=13)
    plain(w, "H-EDGE40", licenses=125, end=d(20), auto_renew=False)
    w.tables["license_usage"][-1].update(assigned=25, used=13)
    # every reason at once
    w.customer("H-ALL", signin=None)
    w.sub("H-ALL-S", "H-ALL", end=d(10), auto_renew=False)
    w.line("H-ALL-S", "meetings", 10, {0: (4, 1), 4: (4, 4)})
    w.quality("H-ALL", 0, "desk_phone", 20, 2)
    # sums over several lines; a line of another product, of 0 licenses, or not current does not count
    w.customer("H-MULTI")
    w.sub("H-MULTI-1", "H-MULTI")
    w.line("H-MULTI-1", "meetings", 10, {0: (6, 3), 4: (6, 5)})
    w.line("H-MULTI-1", "calling", 20, {0: (14, 7), 4: (14, 10)})
    w.line("H-MULTI-1", "messaging", 100, {0: (0, 0), 4: (100, 100)})
    w.sub("H-MULTI-2", "H-MULTI")
    w.line("H-MULTI-2", "meetings", 0, {0: (5, 5)})
    w.sub("H-MULTI-3", "H-MULTI", status="expired", auto_renew=False)
    w.line("H-MULTI-3", "meetings", 50, {0: (50, 50), 4: (50, 50)})
    # the nearest of several ends without auto-renew decides (45 days: 0.5)
    w.customer("H-NEAR")
    for sid, end, auto in (("H-NEAR-1", d(60), False), ("H-NEAR-2", d(45), False), ("H-NEAR-3", d(5), True)):
        w.sub(sid, "H-NEAR", end=end, auto_renew=auto)
        w.line(sid, "meetings", 10, {0: (10, 10)})
    # not scored: messaging only; meetings of 0 licenses only (the guard ZZ-GUARD: expired webinars)
    w.customer("H-MSG")
    w.sub("H-MSG-S", "H-MSG", end=d(5), auto_renew=False)
    w.line("H-MSG-S", "messaging", 10, {0: (1, 1)})
    w.sub("H-MSG-X", "H-MSG", status="expired")
    w.line("H-MSG-X", "meetings", 10, {0: (1, 1)})
    w.customer("H-ZLIC")
    w.sub("H-ZLIC-S", "H-ZLIC")
    w.line("H-ZLIC-S", "meetings", 0, {0: (3, 3)})
    w.tables["partner_admins"] += [
        dict(email=FULL_ADMIN, name="Full", role="partner_full_admin"),
        dict(email=ADMIN, name="Admin", role="partner_admin"),
    ]
    w.tables["customer_admins"] += [dict(customer_id=c, email=ADMIN) for c in sorted(ADMIN_SCOPE)]
    return w


@pytest.fixture(scope="module")
def ctx(tmp_path_factory) -> Context:
    return build(tmp_path_factory.mktemp("health"), world())


# id: (health_score, health_band, reasons, licenses,
#      (allocation, usage, usage_trend, engagement, call_quality, renewal)), by hand
EXPECTED = {
    "H-ALL": (
        100 * (25 * 0.4 + 25 * 0.25) / 100,  # U = 1, U′ = 4: r = 0.25, below 0.5: 0; 2 of 20 calls poor: 0
        "at_risk",
        "allocation;usage;usage_trend;engagement;call_quality;renewal",
        10,
        (0.4, 0.25, 0.0, 0.0, 0.0, 0.0),
    ),
    "H-DROP": (100 * (0 + 0 + 10 + 10) / 60, "at_risk", "allocation;usage_trend", 10, (0, None, 0, 1, None, 1)),
    "H-EDGE40": (40.0, "watch", "allocation;renewal", 125, (0.2, 0.52, None, 1, None, 0)),
    "H-ZERO": (100 * 20 / 45, "watch", "allocation", 10, (0, None, None, 1, None, 1)),
    # a = 20/30, u = 10/20, U = 3 + 7, U′ = 5 + 10: r = 2/3, (2/3 − 1/2) / (1/2) = 1/3
    "H-MULTI": (
        100 * (25 * 2 / 3 + 25 * 0.5 + 15 / 3 + 10 + 10) / 85,
        "watch",
        "usage_trend",
        30,
        (2 / 3, 0.5, 1 / 3, 1, None, 1),
    ),
    "H-EDGE69": (100 * 48 / 70, "watch", "renewal", 25, (1, 0.52, None, 1, None, 0)),
    "H-EDGE70": (70.0, "healthy", "renewal", 25, (1, 0.56, None, 1, None, 0)),
    "H-CPOOR": (100 * 70 / 85, "healthy", "call_quality", 10, (1, 1, None, 1, 0, 1)),
    "H-NEVER": (H, "healthy", "engagement", 10, (1, 1, None, 0, None, 1)),
    "H-R30": (H, "healthy", "renewal", 10, (1, 1, None, 1, None, 0)),
    "H-S91": (H, "healthy", "engagement", 10, (1, 1, None, 0, None, 1)),
    "H-TRIAL": (H, "healthy", "renewal", 10, (1, 1, None, 1, None, 0)),
    "H-C20": (100 * (70 + 15 * 0.5) / 85, "healthy", "", 10, (1, 1, None, 1, 0.5, 1)),  # 1 − (1/20) / 0.1
    "H-NEAR": (HALF, "healthy", "", 30, (1, 1, None, 1, None, 0.5)),
    "H-S90": (HALF, "healthy", "", 20, (1, 1, None, 0.5, None, 1)),
    "H-R31": (HALF, "healthy", "", 10, (1, 1, None, 1, None, 0.5)),
    "H-R90": (HALF, "healthy", "", 10, (1, 1, None, 1, None, 0.5)),
    "H-S31": (HALF, "healthy", "", 10, (1, 1, None, 0.5, None, 1)),
    "H-C19": (100.0, "healthy", "", 10, (1, 1, None, 1, None, 1)),
    "H-FULL": (100.0, "healthy", "", 10, (1, 1, None, 1, None, 1)),
    "H-R91": (100.0, "healthy", "", 10, (1, 1, None, 1, None, 1)),
    "H-RAUTO": (100.0, "healthy", "", 10, (1, 1, None, 1, None, 1)),
    "H-S30": (100.0, "healthy", "", 10, (1, 1, None, 1, None, 1)),
}
# health_score ascending, then licenses descending, then name (= id here)
IN_ORDER = list(EXPECTED)
# id: (assigned, used, recent_used, earlier_used, days_since_sign_in, calls, poor_calls,
#      renewal_days, renewal_kind, renewal_end_date)
SUPPORT = {
    "H-ALL": (4, 1, 1, 4, None, 20, 2, 10, "paid", d(10)),
    "H-DROP": (0, 0, 0, 10, 5, None, None, None, None, None),
    "H-MULTI": (20, 10, 10, 15, 5, None, None, None, None, None),
    "H-S30": (10, 10, 10, 0, 30, None, None, None, None, None),
    "H-S31": (10, 10, 10, 0, 31, None, None, None, None, None),
    "H-S90": (20, 20, 20, 0, 90, None, None, None, None, None),
    "H-S91": (10, 10, 10, 0, 91, None, None, None, None, None),
    "H-C19": (10, 10, 10, 0, 5, 19, 5, None, None, None),
    "H-C20": (10, 10, 10, 0, 5, 20, 1, None, None, None),
    "H-R30": (10, 10, 10, 0, 5, None, None, 30, "paid", d(30)),
    "H-R31": (10, 10, 10, 0, 5, None, None, 31, "paid", d(31)),
    "H-R90": (10, 10, 10, 0, 5, None, None, 90, "paid", d(90)),
    "H-R91": (10, 10, 10, 0, 5, None, None, None, None, None),
    "H-RAUTO": (10, 10, 10, 0, 5, None, None, None, None, None),
    "H-TRIAL": (10, 10, 10, 0, 5, None, None, 12, "trial", d(12)),
    "H-NEAR": (30, 30, 30, 0, 5, None, None, 45, "paid", d(45)),
}
SUPPORT_NAMES = (
    "assigned",
    "used",
    "recent_used",
    "earlier_used",
    "days_since_sign_in",
    "calls",
    "poor_calls",
    "renewal_days",
    "renewal_kind",
    "renewal_end_date",
)
COMPONENTS = tuple(f"{r}_score" for r in REASONS)


def approx(value):
    return None if value is None else pytest.approx(value, rel=1e-12)


def expected_frame(scope=None) -> pl.DataFrame:
    rows = [
        {
            "customer_id": cid,
            "customer_name": cid,
            "health_score": score,
            "health_band": band,
            "reasons": reasons,
            "licenses": licenses,
            **{c: None if v is None else float(v) for c, v in zip(COMPONENTS, parts, strict=True)},
        }
        for cid, (score, band, reasons, licenses, parts) in EXPECTED.items()
        if scope is None or cid in scope
    ]
    schema = {c: pl.Float64 for c in EXPORT_COLUMNS} | {
        "customer_id": pl.Utf8,
        "customer_name": pl.Utf8,
        "health_band": pl.Utf8,
        "reasons": pl.Utf8,
        "licenses": pl.Int64,
    }
    return pl.DataFrame(rows, schema=schema, orient="row").select(EXPORT_COLUMNS)


def test_constants():
    assert BANDS == ("at_risk", "watch", "healthy")
    assert REASONS == ("allocation", "usage", "usage_trend", "engagement", "call_quality", "renewal")
    assert WEIGHTS == {
        "allocation": 25,
        "usage": 25,
        "usage_trend": 15,
        "engagement": 10,
        "call_quality": 15,
        "renewal": 10,
    }
    assert (
        "customer_id",
        "customer_name",
        "health_score",
        "health_band",
        "reasons",
        "licenses",
        *COMPONENTS,
    ) == EXPORT_COLUMNS


def test_every_customer_by_hand(ctx):
    r = customer_health(ctx, View())
    assert r.name == "customer_health" and r.as_of == date(2025, 6, 15)
    assert r.frame.columns == list(COLUMNS) and r.export().columns == list(EXPORT_COLUMNS)
    assert r.frame["customer_id"].to_list() == IN_ORDER  # unscored customers are not listed
    for row in r.frame.iter_rows(named=True):
        score, band, reasons, licenses, parts = EXPECTED[row["customer_id"]]
        cid = row["customer_id"]
        assert row["health_score"] == approx(score), cid
        assert (row["health_band"], row["reasons"], row["licenses"]) == (band, reasons, licenses), cid
        assert tuple(row[c] for c in COMPONENTS) == tuple(approx(p) for p in parts), cid
        if cid in SUPPORT:
            assert tuple(row[c] for c in SUPPORT_NAMES) == SUPPORT[cid], cid
    assert_frame_equal(r.export(), expected_frame(), check_exact=False, rel_tol=1e-12)


def test_band_edges_are_exact(ctx):
    rows = {r["customer_id"]: r for r in customer_health(ctx, View()).frame.iter_rows(named=True)}
    assert rows["H-EDGE70"]["health_score"] == 70.0 and rows["H-EDGE70"]["health_band"] == "healthy"
    assert rows["H-EDGE40"]["health_score"] == 40.0 and rows["H-EDGE40"]["health_band"] == "watch"
    assert rows["H-EDGE69"]["health_score"] < 70 and rows["H-EDGE69"]["health_band"] == "watch"
    # 0.5 is not a reason (< 0.5 is): H-C20's call quality, H-S31's engagement
    assert rows["H-C20"]["call_quality_score"] == 0.5 and rows["H-C20"]["reasons"] == ""
    assert rows["H-S31"]["engagement_score"] == 0.5 and rows["H-S31"]["reasons"] == ""


def test_kpis_full_scope_and_a_partner_admins_scope(ctx):
    assert health_kpis(ctx, View()) == {
        "scored_customers": 23,
        "at_risk_customers": 2,
        "watch_customers": 4,
        "healthy_customers": 17,
        "average_health_score": approx(sum(e[0] for e in EXPECTED.values()) / 23),
        "licenses_at_risk": 10 + 10,
    }
    # H-MSG is in scope but not scored
    assert health_kpis(ctx, View(scope=ADMIN_SCOPE)) == {
        "scored_customers": 3,
        "at_risk_customers": 1,
        "watch_customers": 1,
        "healthy_customers": 1,
        "average_health_score": approx((16.25 + 40 + H) / 3),
        "licenses_at_risk": 10,
    }
    assert health_kpis(ctx, View(scope=frozenset({"H-MSG"}))) == {
        "scored_customers": 0,
        "at_risk_customers": 0,
        "watch_customers": 0,
        "healthy_customers": 0,
        "average_health_score": None,
        "licenses_at_risk": 0,
    }
    # the registry: /api/v1/kpis has "health" for the customers area, whatever the toggle
    assert KPI_GROUPS["health"].area == "customers" and DATASETS["customer_health"].area == "customers"
    assert kpis(ctx, View(scope=ADMIN_SCOPE, product="calling"), {"customers"})["health"] == health_kpis(
        ctx, View(scope=ADMIN_SCOPE)
    )


def test_scope_and_health_row(ctx):
    frame = customer_health(ctx, View(scope=ADMIN_SCOPE)).frame
    assert frame["customer_id"].to_list() == ["H-ALL", "H-EDGE40", "H-TRIAL"]
    assert health_row(ctx, View(scope=ADMIN_SCOPE), "H-TRIAL")["renewal_kind"] == "trial"
    # out of scope, not scored and unknown answer alike
    assert health_row(ctx, View(scope=ADMIN_SCOPE), "H-FULL") is None
    assert health_row(ctx, View(), "H-MSG") is None and health_row(ctx, View(), "nope") is None


def ids(frame: pl.DataFrame) -> list[str]:
    return frame["customer_id"].to_list()


def test_customer_list_columns_and_filters(ctx):
    listed = {r["customer_id"]: r for r in customers(ctx, View()).frame.iter_rows(named=True)}
    for cid, (score, band, *_rest) in EXPECTED.items():
        assert (listed[cid]["health_score"], listed[cid]["health_band"]) == (approx(score), band), cid
    for cid in ("H-MSG", "H-ZLIC", "ZZ-GUARD"):
        assert (listed[cid]["health_score"], listed[cid]["health_band"]) == (None, None)

    def listing(**filters) -> list[str]:
        return ids(customers(ctx, View(filters=Filters(**filters))).frame)

    assert listing(health_band=("at_risk",)) == ["H-ALL", "H-DROP"]
    assert listing(health_band=("at_risk", "watch")) == ["H-ALL", "H-DROP", "H-EDGE40", "H-EDGE69", "H-MULTI", "H-ZERO"]
    assert listing(reason=("usage_trend",)) == ["H-ALL", "H-DROP", "H-MULTI"]
    assert listing(reason=("engagement", "call_quality")) == ["H-ALL", "H-CPOOR", "H-NEVER", "H-S91"]
    assert listing(health_band=("watch",), reason=("allocation",)) == ["H-EDGE40", "H-ZERO"]
    assert listing(reason=("usage",), q="zero") == []
    scoped = customers(ctx, View(scope=ADMIN_SCOPE, filters=Filters(health_band=("healthy",))))
    assert ids(scoped.frame) == ["H-TRIAL"]


def test_customer_health_and_other_datasets_are_narrowed_by_the_filters(ctx):
    renewal = Filters(reason=("renewal",))
    expected = ["H-ALL", "H-EDGE40", "H-EDGE69", "H-EDGE70", "H-R30", "H-TRIAL"]  # in health order
    view = narrowed_view(ctx, None, "calling", renewal, "customer_health")
    assert ids(customer_health(ctx, view).frame) == expected
    assert ids(customer_health(ctx, View(filters=renewal)).frame) == expected
    assert ids(customer_health(ctx, View(filters=Filters(q="H-S"))).frame) == ["H-S91", "H-S90", "H-S31", "H-S30"]
    assert customer_health(ctx, View(filters=Filters(health_band=("watch",)))).kpis["watch_customers"] == 4
    at_risk = narrowed_view(ctx, None, "meetings", Filters(health_band=("at_risk",)), "expiring")
    assert ids(DATASETS["expiring"].fn(ctx, at_risk).frame) == ["H-ALL"]


def test_read_view_and_bad_values():
    q = read_view(MultiDict([("health_band", "at_risk,watch"), ("reason", "usage"), ("reason", "renewal")]))
    assert q.filters == Filters(health_band=("at_risk", "watch"), reason=("usage", "renewal")) and not q.problems
    bad = read_view(MultiDict([("health_band", "sick"), ("reason", "usage_score")]))
    assert [(p.parameter, p.value) for p in bad.problems] == [("health_band", "sick"), ("reason", "usage_score")]
    with pytest.raises(BadView, match="health_band"):
        bad.check()


def test_customer_list_sorts_on_health(ctx):
    def page(column, direction):
        frame, total = customers_page(ctx, View(), [(column, direction)], 0, 100)
        assert total == 26
        return ids(frame)

    ascending = page("health_score", "asc")
    assert ascending[:4] == ["H-ALL", "H-DROP", "H-EDGE40", "H-ZERO"]
    assert ascending[-3:] == ["H-MSG", "H-ZLIC", "ZZ-GUARD"]  # nulls last, then by name
    descending = page("health_score", "desc")
    assert descending[:5] == ["H-C19", "H-FULL", "H-R91", "H-RAUTO", "H-S30"]  # ties by name
    assert descending[-3:] == ["H-MSG", "H-ZLIC", "ZZ-GUARD"]
    bands = page("health_band", "asc")
    assert bands[:6] == ["H-ALL", "H-DROP", "H-EDGE40", "H-EDGE69", "H-MULTI", "H-ZERO"]  # at risk, then watch
    assert page("health_band", "desc")[-9:] == [
        *["H-EDGE40", "H-EDGE69", "H-MULTI", "H-ZERO"],  # watch
        *["H-ALL", "H-DROP"],  # at risk
        *["H-MSG", "H-ZLIC", "ZZ-GUARD"],  # not scored: last either way
    ]


def test_a_snapshot_without_the_table_gives_the_same_frames(ctx, tmp_path):
    copy = tmp_path / "old.duckdb"
    shutil.copy(ctx.snapshot.path, copy)
    con = duckdb.connect(str(copy))
    con.execute("DROP TABLE customer_health")
    con.close()
    old = Snapshot("health-old", copy)
    try:
        assert not old.has_table("customer_health")
        legacy = Context(old, ctx.state, ctx.settings)
        cache.clear()
        for view in (View(), View(scope=ADMIN_SCOPE), View(filters=Filters(reason=("renewal",)))):
            assert_frame_equal(customer_health(legacy, view).frame, customer_health(ctx, view).frame)
            assert customer_health(legacy, view).kpis == customer_health(ctx, view).kpis
        for filters in (Filters(), Filters(health_band=("watch",)), Filters(reason=("allocation", "engagement"))):
            assert_frame_equal(
                customers(legacy, View(filters=filters)).frame, customers(ctx, View(filters=filters)).frame
            )
    finally:
        old.close()


def rows_by_id(ctx) -> dict[str, dict]:
    return {r["customer_id"]: r for r in customer_health(ctx, View()).frame.iter_rows(named=True)}


def test_reason_sentences_with_their_numbers(ctx):
    rows = rows_by_id(ctx)
    assert reason_sentences(rows["H-ALL"]) == [
        "assigns 40 % of its licenses",
        "uses 25 % of its assigned licenses",
        "used 75 % less in the last 4 weeks than in the 4 before",
        "no administrator has ever signed in",
        "10.0 % poor calls last week",
        "ends in 10 days without auto-renew",
    ]
    assert reason_sentences(rows["H-S91"]) == ["no administrator sign-in for 91 days"]
    assert reason_sentences(rows["H-TRIAL"]) == ["trial ends in 12 days"]
    assert reason_sentences(rows["H-CPOOR"]) == ["12.5 % poor calls last week"]
    assert reason_sentences(rows["H-DROP"]) == [
        "assigns 0 % of its licenses",
        "used 100 % less in the last 4 weeks than in the 4 before",
    ]
    assert reason_sentences(rows["H-MULTI"]) == ["used 33 % less in the last 4 weeks than in the 4 before"]
    assert reason_sentences(rows["H-FULL"]) == []
    # a sentence for any component, reason or not (the Overview tab shows all six)
    assert reason_sentence(rows["H-C20"], "call_quality_score") == "5.0 % poor calls last week"
    assert reason_sentence(rows["H-R31"], "renewal") == "ends in 31 days without auto-renew"
    assert reason_sentence({**rows["H-R30"], "renewal_days": 1}, "renewal") == "ends in 1 day without auto-renew"
    assert reason_sentence({**rows["H-R30"], "renewal_days": 0}, "renewal") == "ends today without auto-renew"


def test_what_would_raise_each_component(ctx):
    rows = rows_by_id(ctx)
    row = rows["H-ALL"]
    assert [component_advice(row, c) for c in REASONS] == [
        "Assign the 6 unassigned licenses",
        "Help users start using the 3 assigned licenses they do not use",
        "Find out why fewer licenses were used in the last 4 weeks than in the 4 before",
        "Ask a customer administrator to sign in to the admin console",
        "Look into the 2 poor calls of last week",
        "Schedule a renewal conversation before 2025-06-25",
    ]
    assert component_advice(rows["H-TRIAL"], "renewal_score") == (
        "Talk about a paid subscription before the trial ends on 2025-06-27"
    )
    assert (
        component_advice(rows["H-EDGE70"], "usage") == "Help users start using the 11 assigned licenses they do not use"
    )
    assert component_advice({**rows["H-EDGE70"], "used": 24}, "usage") == (
        "Help users start using the 1 assigned license they do not use"
    )
    # full (1) or not applying (null): nothing to raise
    assert [component_advice(rows["H-FULL"], c) for c in REASONS] == [""] * 6
    assert component_label("usage_score") == "License usage" and component_label("renewal") == "Renewal"
    assert [band_label(b) for b in (*BANDS, None)] == ["At risk", "Watch", "Healthy", ""]


# ---- through the HTTP API: a process of its own (Dash allows one app a process) ------------------

API_SCRIPT = r"""
import json, sys
from pathlib import Path

from partnerhub.auth.tokens import create_token
from partnerhub.auth.users import get_user_by_email
from partnerhub.data.importer import import_folder
from partnerhub.data.settings import load_settings
from partnerhub.data.snapshots import SnapshotStore
from partnerhub.data.state import StateStore

home, data, out = Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3])
settings = load_settings(home=home, argon2_profile="cheap")
state = StateStore(settings.state_url)
state.init_schema()
assert import_folder(data, SnapshotStore(settings.snapshots_dir), state).ok
tokens = {e: create_token(state, get_user_by_email(state, e).id, "t") for e in json.loads(sys.argv[4])}
state.dispose()

from app import create_app

server = create_app(settings)
server.config.update(TESTING=True)
client = server.test_client()
seen = {}
for email, token in tokens.items():
    for url in json.loads(sys.argv[5]):
        r = client.get(url, headers={"Authorization": f"Bearer {token}"})
        name = f"{len(seen)}.bin"
        (out / name).write_bytes(r.get_data())
        seen[f"{email} {url}"] = [r.status_code, name]
print(json.dumps(seen))
"""
URLS = [
    "/api/v1/datasets/customer_health.csv",
    "/api/v1/datasets/customer_health.xlsx",
    "/api/v1/datasets/customer_health.parquet",
    "/api/v1/kpis?product=calling",
    "/api/v1/datasets/customers.csv?health_band=at_risk&health_band=watch&reason=allocation",
    "/api/v1/datasets/customer_health.csv?reason=renewal",
    "/api/v1/datasets/customer_health.csv?health_band=sick",
    "/api/v1/datasets",
]


@pytest.fixture(scope="module")
def over_http(tmp_path_factory):
    base = tmp_path_factory.mktemp("health-http")
    data = write_folder(base / "contract", dict(world().tables))
    out = base / "out"
    out.mkdir()
    done = subprocess.run(
        [sys.executable, "-c", API_SCRIPT, str(base / "home"), str(data), str(out)]
        + [json.dumps([FULL_ADMIN, ADMIN]), json.dumps(URLS)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    seen = json.loads(done.stdout.strip().splitlines()[-1])

    def get(email: str, url: str) -> tuple[int, bytes]:
        status, name = seen[f"{email} {url}"]
        return status, (out / name).read_bytes()

    return get


def read(fmt: str, body: bytes) -> pl.DataFrame:
    if fmt == "csv":
        return pl.read_csv(io.BytesIO(body), schema_overrides={"reasons": pl.Utf8, "customer_name": pl.Utf8})
    if fmt == "parquet":
        return pl.read_parquet(io.BytesIO(body))
    sheet = openpyxl.load_workbook(io.BytesIO(body), read_only=True).worksheets[0]
    header, *rows = list(sheet.values)
    return pl.DataFrame([dict(zip(header, r, strict=True)) for r in rows]).with_columns(
        pl.col("reasons").fill_null(""), pl.col("licenses").cast(pl.Int64)
    )


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "parquet"])
@pytest.mark.parametrize("email", [FULL_ADMIN, ADMIN])
def test_exports_over_http_equal_the_hand_computed_values(over_http, fmt, email):
    status, body = over_http(email, f"/api/v1/datasets/customer_health.{fmt}")
    assert status == 200
    got = read(fmt, body)
    if fmt == "csv":
        got = got.with_columns(pl.col("reasons").fill_null(""))  # an empty text is an empty CSV field
    expected = expected_frame(None if email == FULL_ADMIN else ADMIN_SCOPE)
    assert got.columns == list(EXPORT_COLUMNS)
    assert_frame_equal(got, expected, check_exact=False, rel_tol=1e-12, check_dtypes=False)


def test_kpis_filters_and_errors_over_http(over_http):
    status, body = over_http(ADMIN, "/api/v1/kpis?product=calling")
    assert status == 200
    assert json.loads(body)["health"] == {
        "scored_customers": 3,
        "at_risk_customers": 1,
        "watch_customers": 1,
        "healthy_customers": 1,
        "average_health_score": approx((16.25 + 40 + H) / 3),
        "licenses_at_risk": 10,
    }
    status, body = over_http(FULL_ADMIN, "/api/v1/kpis?product=calling")
    assert json.loads(body)["health"]["scored_customers"] == 23
    status, body = over_http(FULL_ADMIN, URLS[4])
    listed = pl.read_csv(io.BytesIO(body))
    assert status == 200 and ids(listed) == ["H-ALL", "H-DROP", "H-EDGE40", "H-ZERO"]  # at risk or watch: allocation
    assert listed.columns[-3:] == ["last_admin_sign_in", "health_score", "health_band"]
    assert listed["health_score"].to_list() == [16.25, approx(100 * 20 / 60), 40.0, approx(100 * 20 / 45)]
    status, body = over_http(ADMIN, URLS[5])
    assert status == 200 and ids(pl.read_csv(io.BytesIO(body))) == ["H-ALL", "H-EDGE40", "H-TRIAL"]
    status, body = over_http(ADMIN, URLS[6])
    assert status == 400 and "health_band" in json.loads(body)["error"]
    status, body = over_http(ADMIN, "/api/v1/datasets")
    assert "customer_health" in [d["name"] for d in json.loads(body)]
