"""Webex Calling datasets, against hand-computed values (as_of = 2025-06-15;
week n = n weeks before the latest week, 2025-06-08)."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from partnerhub.metrics import calling as C
from partnerhub.metrics.types import View
from tests.test_metrics_support import World, build, rows

ALL = View()
N = None


@pytest.fixture(scope="module")
def ctx(tmp_path_factory):
    w = World()
    for cid, name in [
        ("U1", "Call Up"),
        ("U2", "Call Flat"),
        ("U3", "Call Down"),
        ("U4", "Call New"),
        ("U5", "Call Zero Before"),
        ("U6", "Call No Latest"),
        ("U7", "Call Down Edge"),
        ("Q1", "Qual One"),
        ("Q2", "Qual Two"),
        ("Q3", "Qual Zero"),
        ("Q4", "Qual Tie"),
        ("Q5", "Qual Old"),
        ("F1", "Feat One"),
        ("F2", "Feat Two"),
        ("F3", "Feat Three"),
        ("F4", "Feat Four"),
    ]:
        w.customer(cid, name)
    # calling usage: (customer, week, licensed, active, calls[, minutes])
    for n in (7, 6, 5, 4):
        w.calling("U1", n, 20, 10, 10)
    w.calling("U1", 3, 20, 10, 11)
    w.calling("U1", 2, 20, 10, 12)
    w.calling("U1", 1, 20, 12, 11)
    w.calling("U1", 0, 20, 15, 11, 30.5)
    for n in (7, 6, 5, 4):
        w.calling("U2", n, 10, 10, 10)
    w.calling("U2", 3, 10, 10, 11)
    w.calling("U2", 2, 10, 10, 11)
    w.calling("U2", 1, 10, 0, 11)
    w.calling("U2", 0, 10, 10, 11, 12.0)
    w.calling("U3", 6, 5, 5, 20)
    w.calling("U3", 2, 5, 5, 18)
    w.calling("U3", 0, 0, 0, 17, 8.25)
    w.calling("U4", 1, 3, 4, 5)
    w.calling("U4", 0, 3, 5, 5, 1.0)
    for n in (7, 6, 5, 4):
        w.calling("U5", n, 2, 0, 0)
    w.calling("U5", 0, 2, 1, 3, 0.5)
    for n in (3, 2, 1):
        w.calling("U6", n, 8, 8, 40)
    w.calling("U7", 4, 1, 1, 10)
    w.calling("U7", 0, 1, 1, 9, 2.0)
    w.calling("U7", 8, 1, 1, 1000)  # 9 weeks back: outside every calling window
    # call quality: (customer, week, endpoint, calls, poor)
    w.quality("Q1", 0, "desk_phone", 20, 2)
    w.quality("Q1", 0, "webex_app_mobile", 9, 9)
    w.quality("Q1", 0, "webex_app_desktop", 10, 3)
    w.quality("Q1", 1, "desk_phone", 10, 1)
    w.quality("Q2", 0, "desk_phone", 5, 1)
    w.quality("Q2", 0, "room_device", 9, 0)
    w.quality("Q3", 0, "third_party", 0, 0)
    w.quality("Q3", 1, "third_party", 10, 5)
    w.quality("Q4", 0, "desk_phone", 10, 2)
    w.quality("Q4", 0, "analog_adapter", 20, 4)
    w.quality("Q4", 1, "desk_phone", 10, 5)
    w.quality("Q5", 1, "desk_phone", 50, 0)
    # features of customers with call queues (F1, F2, F4) count; F3 has none
    w.feature("F1", 0, "voicemail", 30)
    w.feature("F1", 0, "hunt_group", 10)
    w.feature("F1", 0, "call_queue", 25)
    w.feature("F1", 1, "voicemail", 999)
    w.feature("F2", 0, "voicemail", 5)
    w.feature("F2", 0, "paging", 10)
    w.feature("F3", 0, "voicemail", 1000)
    w.queue("F1", "F1-Q1", 0, 100, 80, 10, 5, 850.0, 300.0)
    w.queue("F1", "F1-Q2", 0, 20, 15, 5, 0, 150.0, 100.0)
    w.queue("F1", "F1-Q1", 1, 500, 0, 500, 0, 0.0, 9999.0)
    w.queue("F2", "F2-Q1", 3, 10, 10, 0, 0, 10.0, 0.0)
    w.queue("F4", "F4-Q1", 0, 0, 0, 0, 0, 0.0, 0.0)
    return build(tmp_path_factory.mktemp("calling"), w)


def test_calling_usage_trend(ctx):
    r = C.calling_usage_trend(ctx, ALL)
    assert rows(r, "week_start", "active_users", "inactive_users", "calls") == [
        (date(2025, 4, 20), 20, 12, 20),
        (date(2025, 4, 27), 25, 12, 40),
        (date(2025, 5, 4), 20, 12, 20),
        (date(2025, 5, 11), 21, 12, 30),
        (date(2025, 5, 18), 28, 10, 62),
        (date(2025, 5, 25), 33, 10, 81),
        (date(2025, 6, 1), 24, 18, 67),
        (date(2025, 6, 8), 32, 6, 56),
    ]
    assert r.kpis == {}


def test_calling_usage_table_and_calls_trend(ctx):
    r = C.calling_usage(ctx, ALL)
    assert rows(
        r,
        "customer_id",
        "licensed_users",
        "active_users",
        "active_ratio",
        "calls",
        "minutes",
        "active_users_change_ratio",
        "calls_trend",
    ) == [
        ("U3", 0, 0, None, 17, 8.25, None, "down"),
        ("U2", 10, 10, 1.0, 11, 12.0, None, "flat"),  # exactly 1.1 x: flat
        ("U1", 20, 15, 0.75, 11, 30.5, 0.25, "up"),
        ("U7", 1, 1, 1.0, 9, 2.0, None, "flat"),  # exactly 0.9 x: flat
        ("U4", 3, 5, pytest.approx(5 / 3), 5, 1.0, 0.25, None),  # no earlier weeks
        ("U5", 2, 1, 0.5, 3, 0.5, None, None),  # earlier mean 0
    ]
    assert r.export_columns == (
        "customer_id",
        "customer_name",
        "licensed_users",
        "active_users",
        "active_ratio",
        "calls",
        "minutes",
        "active_users_change_ratio",
        "calls_trend",
    )
    spark = dict(zip(r.frame["customer_id"], r.frame["calls_sparkline"].to_list()))
    assert spark["U1"] == [10, 10, 10, 10, 11, 12, 11, 11]
    assert spark["U3"] == [N, 20, N, N, N, 18, N, 17]
    assert spark["U7"] == [N, N, N, 10, N, N, N, 9]


def test_call_quality_trend(ctx):
    r = C.call_quality_trend(ctx, ALL)
    assert rows(r, "calls", "poor_calls") == [(0, 0)] * 6 + [(80, 11), (83, 21)]
    assert r.frame["poor_ratio"].to_list() == [None] * 6 + [pytest.approx(11 / 80), pytest.approx(21 / 83)]


def test_call_quality_by_endpoint(ctx):
    r = C.call_quality_by_endpoint(ctx, ALL)
    assert rows(r, "endpoint_type", "calls", "poor_calls", "poor_ratio") == [
        ("desk_phone", 35, 5, pytest.approx(1 / 7)),
        ("webex_app_desktop", 10, 3, pytest.approx(0.3)),
        ("webex_app_mobile", 9, 9, 1.0),
        ("room_device", 9, 0, 0.0),
        ("analog_adapter", 20, 4, pytest.approx(0.2)),
        ("third_party", 0, 0, None),
    ]


def test_call_quality_table_and_worst_endpoint(ctx):
    r = C.call_quality(ctx, ALL)
    assert rows(r, "customer_id", "calls", "poor_calls", "poor_ratio", "poor_ratio_change", "worst_endpoint_type") == [
        ("Q1", 39, 14, pytest.approx(14 / 39), pytest.approx(14 / 39 - 0.1), "webex_app_desktop"),
        ("Q4", 30, 6, pytest.approx(0.2), pytest.approx(-0.3), "desk_phone"),  # tie: the contract's order
        ("Q2", 14, 1, pytest.approx(1 / 14), None, None),  # nothing with 10 calls
        ("Q3", 0, 0, None, None, None),
    ]


def test_calling_features(ctx):
    r = C.calling_features(ctx, ALL)
    assert rows(r, "feature", "calls") == [("voicemail", 35), ("call_queue", 25), ("hunt_group", 10), ("paging", 10)]


def test_call_queues(ctx):
    r = C.call_queues(ctx, ALL)
    assert rows(
        r,
        "customer_id",
        "queues",
        "offered",
        "answered",
        "abandoned",
        "overflowed",
        "average_answer_wait_seconds",
        "average_abandon_wait_seconds",
        "abandon_ratio",
    ) == [
        ("F1", 2, 120, 95, 15, 5, pytest.approx(10.0), pytest.approx(400 / 15), pytest.approx(0.125)),
        ("F4", 1, 0, 0, 0, 0, None, None, None),
    ]
    assert r.kpis == {
        "average_answer_wait_seconds": pytest.approx(10.0),
        "average_abandon_wait_seconds": pytest.approx(400 / 15),
        "abandon_ratio": pytest.approx(0.125),
    }
    assert C.call_queues(ctx, View(scope=frozenset({"F4"}))).kpis == {
        "average_answer_wait_seconds": None,
        "average_abandon_wait_seconds": None,
        "abandon_ratio": None,
    }


def test_calling_scope_and_toggle_independence(ctx):
    scope = View(scope=frozenset({"U1", "Q4", "F2"}), product="calling")
    assert rows(C.calling_usage(ctx, scope), "customer_id") == [("U1",)]
    trend = C.calling_usage_trend(ctx, scope)
    assert rows(trend, "active_users", "inactive_users", "calls")[-1] == (15, 5, 11)
    assert rows(C.call_quality(ctx, scope), "customer_id", "worst_endpoint_type") == [("Q4", "desk_phone")]
    assert rows(C.calling_features(ctx, scope), "feature", "calls") == [("paging", 10), ("voicemail", 5)]
    assert C.call_queues(ctx, scope).frame.height == 0
    for fn in (C.calling_usage, C.call_quality, C.calling_features, C.call_queues, C.call_quality_by_endpoint):
        assert fn(ctx, View(product="meetings")).frame.equals(fn(ctx, View(product="calling")).frame)


def test_calling_types(ctx):
    r = C.calling_usage(ctx, ALL)
    assert r.frame.schema["licensed_users"] == pl.Int64 and r.frame.schema["active_ratio"] == pl.Float64
    assert r.frame.schema["minutes"] == pl.Float64 and r.frame.schema["calls_trend"] == pl.Utf8
    q = C.call_queues(ctx, ALL)
    assert q.frame.schema["queues"] == pl.Int64 and q.frame.schema["abandon_ratio"] == pl.Float64
