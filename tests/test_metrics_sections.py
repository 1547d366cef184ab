"""License sections: recently added, expiring, renewing, low allocation,
overage, the license trend and the headline KPIs, with the product toggle and
the scope. Expected values are worked out by hand (as_of = 2025-06-15)."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from partnerhub.metrics import licenses as L
from partnerhub.metrics.types import Context, View
from tests.test_metrics_support import World, build, d, rows, week

MEETINGS, CALLING = View(product="meetings"), View(product="calling")


# ---- recently added --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def recent(tmp_path_factory):
    w = World()
    w.customer("R1", "Rec Ninety")
    w.sub("R1-A", "R1", start=d(-90), end=d(300))
    w.line("R1-A", "meetings", 10, {0: (6, 4), 1: (5, 4)})
    w.sub("R1-B", "R1", start=d(-30), end=d(300))
    w.line("R1-B", "meetings", 4, {0: (4, 4)})
    w.customer("R2", "Rec Ninety One")
    w.sub("R2-A", "R2", start=d(-91), end=d(300))
    w.line("R2-A", "meetings", 10, {0: (10, 5)})
    w.customer("R3", "Rec Today")
    w.sub("R3-A", "R3", start=d(0), end=d(300))
    w.line("R3-A", "meetings", 5)
    w.customer("R4", "Rec Future")
    w.sub("R4-A", "R4", start=d(1), end=d(300))
    w.line("R4-A", "meetings", 9)
    w.customer("R5", "Rec Expired")
    w.sub("R5-A", "R5", status="expired", start=d(-10), end=d(300))
    w.line("R5-A", "meetings", 9)
    w.customer("R6", "Rec Calling")
    w.sub("R6-A", "R6", start=d(-20), end=d(300))
    w.line("R6-A", "calling", 7, {0: (2, 1), 1: (1, 1)})
    return build(tmp_path_factory.mktemp("recent"), w)


def test_recently_added_boundaries_and_order(recent):
    r = L.recently_added(recent, MEETINGS)
    assert rows(
        r,
        "customer_id",
        "subscription_id",
        "days_since_added",
        "total_licenses",
        "used",
        "assigned",
        "available",
        "weekly_allocation_change",
        "weekly_usage_change",
    ) == [
        ("R3", "R3-A", 0, 5, 0, 0, 5, None, None),
        ("R1", "R1-B", 30, 4, 4, 4, 0, None, None),
        ("R1", "R1-A", 90, 10, 4, 6, 4, 1, 0),
    ]
    assert r.kpis == {"new_customers": 2, "total_licenses": 19}
    assert r.export_columns == (
        "customer_id",
        "customer_name",
        "subscription_id",
        "days_since_added",
        "total_licenses",
        "used",
        "assigned",
        "available",
        "weekly_allocation_change",
        "weekly_usage_change",
    )


def test_recently_added_product_toggle(recent):
    r = L.recently_added(recent, CALLING)
    assert rows(r, "customer_id", "days_since_added", "weekly_allocation_change") == [("R6", 20, 1)]
    assert r.kpis == {"new_customers": 1, "total_licenses": 7}


def test_recently_added_scope(recent):
    r = L.recently_added(recent, View(scope=frozenset({"R1", "R2"})))
    assert r.frame["subscription_id"].to_list() == ["R1-B", "R1-A"]
    assert r.kpis == {"new_customers": 1, "total_licenses": 14}
    empty = L.recently_added(recent, View(scope=frozenset()))
    assert empty.frame.height == 0 and empty.kpis == {"new_customers": 0, "total_licenses": 0}


def test_unknown_product_is_refused(recent):
    with pytest.raises(ValueError, match="product"):
        L.recently_added(recent, View(product="messaging"))


# ---- expiring and renewing ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def window(tmp_path_factory):
    w = World()
    for cid, name, kw, licenses, usage in [
        ("E1", "Exp As Of", dict(start=d(-300), end=d(0), auto_renew=False), 10, {0: (8, 6), 3: (9, 9)}),
        ("E2", "Exp Ninety", dict(start=d(-300), end=d(90), auto_renew=False), 20, {0: (5, 2)}),
        ("E3", "Exp Ninety One", dict(start=d(-300), end=d(91), auto_renew=False), 10, {0: (10, 10)}),
        ("E4", "Exp Trial", dict(kind="trial", start=d(-10), end=d(20)), 4, {0: (4, 4)}),
        ("E5", "Exp Expired", dict(status="expired", start=d(-300), end=d(10), auto_renew=False), 5, {0: (5, 5)}),
        ("E6", "Exp Ended", dict(start=d(-300), end=d(-1), auto_renew=False), 5, {0: (5, 5)}),
        ("E7", "Exp Suspended", dict(status="suspended", start=d(-300), end=d(60), auto_renew=False), 2, {}),
        ("N1", "Ren Thirty", dict(start=d(-300), end=d(30), auto_renew=True), 10, {0: (7, 7)}),
        ("N2", "Ren Ninety One", dict(start=d(-300), end=d(91), auto_renew=True), 10, {0: (9, 9)}),
    ]:
        w.customer(cid, name)
        w.sub(cid + "-S", cid, **kw)
        w.line(cid + "-S", "meetings", licenses, usage)
    w.customer("N3", "Ren Calling")
    w.sub("N3-S", "N3", start=d(-300), end=d(45), auto_renew=True)
    w.line("N3-S", "calling", 6, {0: (3, 1)})
    return build(tmp_path_factory.mktemp("window"), w)


def test_expiring_boundaries_trials_and_statuses(window):
    r = L.expiring(window, MEETINGS)
    assert rows(
        r, "customer_id", "days_to_end", "total_licenses", "used", "assigned", "available", "usage_3_months"
    ) == [
        ("E1", 0, 10, 6, 8, 2, 9),
        ("E4", 20, 4, 4, 4, 0, 4),
        ("E7", 60, 2, 0, 0, 2, 0),
        ("E2", 90, 20, 2, 5, 15, 2),
    ]
    assert r.kpis["expiring_customers"] == 4
    assert r.kpis["allocation_ratio"] == pytest.approx(17 / 36)
    assert r.kpis["usage_ratio"] == pytest.approx(12 / 36)
    assert "usage_sparkline" in r.frame.columns and "usage_sparkline" not in r.export_columns


def test_renewing(window):
    r = L.renewing(window, MEETINGS)
    assert rows(r, "customer_id", "days_to_end") == [("N1", 30)]
    assert r.kpis == {
        "renewing_customers": 1,
        "allocation_ratio": pytest.approx(0.7),
        "usage_ratio": pytest.approx(0.7),
    }
    c = L.renewing(window, CALLING)
    assert rows(c, "customer_id", "days_to_end", "total_licenses") == [("N3", 45, 6)]
    assert c.kpis == {
        "renewing_customers": 1,
        "allocation_ratio": pytest.approx(0.5),
        "usage_ratio": pytest.approx(1 / 6),
    }


def test_empty_section_has_null_ratios(window):
    r = L.expiring(window, CALLING)
    assert r.frame.height == 0
    assert r.kpis == {"expiring_customers": 0, "allocation_ratio": None, "usage_ratio": None}


def test_headline_counts_meetings_and_calling_whatever_the_toggle(window):
    expected = {
        "total_customers": 8,
        "expiring_customers": 4,
        "renewing_customers": 2,
        "low_allocation_customers": 2,
        "overage_customers": 0,
    }
    assert L.headline(window, MEETINGS) == expected
    assert L.headline(window, CALLING) == expected
    assert L.headline(window, View(scope=frozenset({"E1", "N3", "E5"}))) == {
        "total_customers": 2,
        "expiring_customers": 1,
        "renewing_customers": 1,
        "low_allocation_customers": 0,
        "overage_customers": 0,
    }


# ---- low allocation ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def low(tmp_path_factory):
    w = World()
    spec = [
        # band 1-10: five lines, its own median (0.1 0.2 0.6 0.8 1.0 -> 0.6)
        ("A1", 10, d(-365), {0: (10, 5)}),
        ("A2", 10, d(-365), {0: (8, 5)}),
        ("A3", 10, d(-365), {0: (6, 5)}),
        ("A4", 10, d(-30), {0: (2, 1), 1: (1, 1)}),
        ("A5", 10, d(-29), {0: (1, 1)}),
        # band 11-50: three lines, so the product's median of 8 lines: (0.6 + 0.8) / 2 = 0.7
        ("B1", 20, d(-100), {0: (5, 3)}),
        ("B2", 20, d(-365), {0: (20, 5)}),
        ("B3", 40, d(-365), {0: (36, 5)}),
        # no licenses: neither low nor part of a baseline
        ("Z1", 0, d(-365), {0: (0, 0)}),
    ]
    for cid, licenses, start, usage in spec:
        w.customer(cid, f"Low {cid}")
        w.sub(cid + "-S", cid, start=start, end=d(300))
        w.line(cid + "-S", "meetings", licenses, usage)
    w.customer("X1", "Low X1")
    w.sub("X1-S", "X1", status="expired", start=d(-365), end=d(300))
    w.line("X1-S", "meetings", 10, {0: (0, 0)})
    # the only calling line: its own product's baseline (0.1), so not low
    w.customer("K1", "Low K1")
    w.sub("K1-S", "K1", start=d(-365), end=d(300))
    w.line("K1-S", "calling", 10, {0: (1, 1)})
    return build(tmp_path_factory.mktemp("low"), w)


def test_low_allocation_rule_and_bands(low):
    r = L.low_allocation(low, MEETINGS)
    assert rows(
        r,
        "customer_id",
        "months_since_added",
        "assigned",
        "allocation_ratio",
        "total_licenses",
        "used",
        "available",
        "weekly_allocation_change",
        "peer_baseline",
    ) == [
        ("A4", 0, 2, pytest.approx(0.2), 10, 1, 8, 1, pytest.approx(0.6)),
        ("B1", 3, 5, pytest.approx(0.25), 20, 3, 15, None, pytest.approx(0.7)),
    ]
    assert r.kpis == {
        "low_allocation_customers": 2,
        "allocation_ratio": pytest.approx(7 / 30),
        "assigned_usage_ratio": pytest.approx(4 / 30),
        "unassigned_licenses": 23,
    }
    assert L.low_allocation(low, CALLING).frame.height == 0


def test_peer_baseline_stays_partner_wide_in_a_scope(low):
    # within {A4, A5} alone the median would be 0.15 and A4 (0.2) would not be low
    r = L.low_allocation(low, View(scope=frozenset({"A4", "A5"})))
    assert rows(r, "customer_id", "peer_baseline") == [("A4", pytest.approx(0.6))]
    assert r.kpis["low_allocation_customers"] == 1


def test_low_allocation_settings(low):
    stricter = Context(low.snapshot, low.state, low.settings.with_(low_allocation_factor=0.3))
    r = L.low_allocation(stricter, MEETINGS)  # thresholds 0.18 and 0.21
    assert r.frame.height == 0
    assert r.kpis == {
        "low_allocation_customers": 0,
        "allocation_ratio": None,
        "assigned_usage_ratio": None,
        "unassigned_licenses": 0,
    }
    younger = Context(low.snapshot, low.state, low.settings.with_(low_allocation_min_age_days=29))
    assert L.low_allocation(younger, MEETINGS).frame["customer_id"].to_list() == ["A5", "A4", "B1"]


# ---- overage ----------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def over(tmp_path_factory):
    w = World()
    w.customer("O1", "Over One")
    w.sub("O1-S", "O1", start=d(-300), end=date(2025, 9, 10), auto_renew=True)
    w.line("O1-S", "meetings", 10, {0: (13, 9)})
    w.customer("O2", "Over Two")
    w.sub("O2-A", "O2", start=d(-300), end=d(365), auto_renew=False)
    w.line("O2-A", "meetings", 0, {0: (2, 0)})
    w.sub("O2-B", "O2", start=d(-300), end=d(365), auto_renew=True)
    w.line("O2-B", "meetings", 5, {0: (10, 10)})
    w.customer("O3", "Over None")
    w.sub("O3-S", "O3", start=d(-300), end=d(365))
    w.line("O3-S", "meetings", 10, {0: (10, 10)})
    w.customer("O4", "Over Calling")
    w.sub("O4-S", "O4", start=d(-300), end=d(365))
    w.line("O4-S", "calling", 3, {0: (4, 1)})
    w.customer("O5", "Over Expired")
    w.sub("O5-S", "O5", status="expired", start=d(-300), end=d(365))
    w.line("O5-S", "meetings", 10, {0: (20, 1)})
    w.customer("O6", "Over Messaging")
    w.sub("O6-S", "O6", start=d(-300), end=d(365))
    w.line("O6-S", "messaging", 10, {0: (20, 1)})
    return build(tmp_path_factory.mktemp("over"), w)


def test_overage_rows_and_kpis(over):
    r = L.overage(over, MEETINGS)
    assert rows(
        r,
        "subscription_id",
        "months_remaining",
        "auto_renew",
        "total_licenses",
        "assigned",
        "allocation_ratio",
        "used",
        "usage_ratio",
        "overage",
    ) == [
        ("O2-B", 12, True, 5, 10, pytest.approx(2.0), 10, pytest.approx(2.0), 5),
        ("O1-S", 2, True, 10, 13, pytest.approx(1.3), 9, pytest.approx(0.9), 3),
        ("O2-A", 12, False, 0, 2, None, 0, None, 2),
    ]
    assert r.kpis == {"overage_customers": 2, "overage_licenses": 10, "average_overage": pytest.approx(5.0)}
    c = L.overage(over, CALLING)
    assert c.kpis == {"overage_customers": 1, "overage_licenses": 1, "average_overage": pytest.approx(1.0)}


def test_no_overage_gives_null_average(over):
    r = L.overage(over, View(scope=frozenset({"O3", "O5", "O6"})))
    assert r.kpis == {"overage_customers": 0, "overage_licenses": 0, "average_overage": None}


def test_headline_ignores_other_products(over):
    assert L.headline(over, MEETINGS) == {
        "total_customers": 4,
        "expiring_customers": 0,
        "renewing_customers": 1,
        "low_allocation_customers": 0,
        "overage_customers": 3,
    }


# ---- license trend -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def trend(tmp_path_factory):
    w = World()
    w.customer("T1", "Trend One")
    w.sub("T1-S", "T1", start=date(2025, 3, 29), end=d(300))  # week(11) + 6
    w.line("T1-S", "meetings", 10, {0: (6, 3), 5: (4, 2)})
    w.customer("T2", "Trend Two")
    w.sub("T2-S", "T2", start=d(0), end=d(300))  # after the latest week
    w.line("T2-S", "meetings", 100, {0: (50, 50)})
    w.customer("T3", "Trend Three")
    w.sub("T3-S", "T3", status="expired", start=d(-400), end=date(2025, 5, 18))  # ends on week(3)
    w.line("T3-S", "meetings", 7, {3: (7, 7), 2: (5, 5)})
    w.customer("T4", "Trend Four")
    w.sub("T4-S", "T4", start=date(2025, 5, 10), end=d(300))  # week(5) + 6
    w.line("T4-S", "meetings", 1)
    w.customer("T5", "Trend Calling")
    w.sub("T5-S", "T5", start=d(-400), end=d(300))
    w.line("T5-S", "calling", 50, {0: (20, 10)})
    return build(tmp_path_factory.mktemp("trend"), w)


def test_license_trend(trend):
    r = L.license_trend(trend, MEETINGS)
    assert r.frame.schema == pl.Schema(
        {"week_start": pl.Date, "total_licenses": pl.Int64, "assigned": pl.Int64, "used": pl.Int64}
    )
    assert rows(r, "week_start", "total_licenses", "assigned", "used") == [
        (date(2025, 3, 23), 17, 0, 0),
        (date(2025, 3, 30), 17, 0, 0),
        (date(2025, 4, 6), 17, 0, 0),
        (date(2025, 4, 13), 17, 0, 0),
        (date(2025, 4, 20), 17, 0, 0),
        (date(2025, 4, 27), 17, 0, 0),
        (date(2025, 5, 4), 18, 4, 2),
        (date(2025, 5, 11), 18, 0, 0),
        (date(2025, 5, 18), 18, 7, 7),
        (date(2025, 5, 25), 11, 0, 0),
        (date(2025, 6, 1), 11, 0, 0),
        (date(2025, 6, 8), 11, 6, 3),
    ]
    assert r.kpis == {}


def test_license_trend_toggle_and_scope(trend):
    c = L.license_trend(trend, CALLING)
    assert c.frame["total_licenses"].to_list() == [50] * 12
    assert c.frame["assigned"].to_list() == [0] * 11 + [20]
    s = L.license_trend(trend, View(scope=frozenset({"T1"})))
    assert s.frame["total_licenses"].to_list() == [10] * 12
    assert s.frame["assigned"].to_list() == [0] * 6 + [4] + [0] * 4 + [6]
    nobody = L.license_trend(trend, View(scope=frozenset()))
    assert nobody.frame.height == 12 and nobody.frame["total_licenses"].sum() == 0
    assert week(11) == date(2025, 3, 23)
