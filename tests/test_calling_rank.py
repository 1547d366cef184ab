"""The calling tables rank by impact (metrics.md "Webex Calling"): call
quality by poor_calls, then poor_ratio; call queues by abandoned, then
abandon_ratio; then name and id. The same over the precomputed calling
tables and over a snapshot imported before them."""

from __future__ import annotations

import pytest

from partnerhub.data import calling_facts
from partnerhub.metrics import cache
from partnerhub.metrics import calling as C
from partnerhub.metrics.types import View
from tests.test_metrics_support import World, build, rows


def _world() -> World:
    w = World()
    for cid, name in [
        ("R1", "Rank One Bad Call"),
        ("R2", "Rank Many Calls"),
        ("R3", "Rank Tie High"),
        ("R4", "Rank Tie Low"),
        ("R5", "Rank Zero Calls"),
        ("R6", "Rank No Poor"),
        ("R7", "Aardvark Tie Low"),
        ("K1", "Queue One Lost"),
        ("K2", "Queue Many Lost"),
        ("K3", "Queue Tie High"),
        ("K4", "Queue Tie Low"),
        ("K5", "Queue Idle"),
    ]:
        w.customer(cid, name)
    # latest week: (customer, week, endpoint, calls, poor)
    w.quality("R1", 0, "desk_phone", 1, 1)  # 100 % of one call
    w.quality("R2", 0, "desk_phone", 150, 15)
    w.quality("R2", 0, "webex_app_desktop", 50, 5)  # 20 of 200 over two endpoints
    w.quality("R3", 0, "desk_phone", 10, 5)  # 5 poor, 50 %
    w.quality("R4", 0, "desk_phone", 50, 5)  # 5 poor, 10 %
    w.quality("R7", 0, "room_device", 50, 5)  # as R4: the name decides
    w.quality("R5", 0, "third_party", 0, 0)  # no ratio: last
    w.quality("R6", 0, "desk_phone", 3, 0)
    w.quality("R1", 1, "desk_phone", 1000, 900)  # the previous week does not rank
    # (customer, queue, week, offered, answered, abandoned, overflowed, waits)
    w.queue("K1", "K1-Q", 0, 1, 0, 1, 0, 0.0, 5.0)  # 100 % of one caller
    w.queue("K2", "K2-Q1", 0, 60, 40, 20, 0, 400.0, 200.0)
    w.queue("K2", "K2-Q2", 0, 40, 30, 10, 0, 300.0, 100.0)  # 30 of 100 over two queues
    w.queue("K3", "K3-Q", 0, 20, 10, 10, 0, 100.0, 50.0)  # 10 lost, 50 %
    w.queue("K4", "K4-Q", 0, 100, 90, 10, 0, 900.0, 50.0)  # 10 lost, 10 %
    w.queue("K5", "K5-Q", 0, 0, 0, 0, 0, 0.0, 0.0)
    w.queue("K1", "K1-Q", 1, 500, 0, 500, 0, 0.0, 9999.0)  # the previous week does not rank
    return w


@pytest.fixture(scope="module", params=["precomputed", "imported"])
def ctx(request, tmp_path_factory):
    home = tmp_path_factory.mktemp(f"rank-{request.param}")
    if request.param == "precomputed":
        return build(home, _world())
    with pytest.MonkeyPatch.context() as mp:  # a snapshot as written before the calling tables
        mp.setattr(calling_facts, "build", lambda *args, **kwargs: None)
        return build(home, _world())


def test_call_quality_ranks_by_poor_calls_then_poor_ratio(ctx):
    cache.clear()
    assert C.precomputed(ctx.snapshot) == ctx.snapshot.has_table("call_quality_customers")
    assert rows(C.call_quality(ctx, View()), "customer_id", "calls", "poor_calls", "poor_ratio") == [
        ("R2", 200, 20, pytest.approx(0.1)),  # the most poor calls, though a low share
        ("R3", 10, 5, pytest.approx(0.5)),  # a tie on poor calls: the higher share first
        ("R7", 50, 5, pytest.approx(0.1)),  # a tie on both: by name
        ("R4", 50, 5, pytest.approx(0.1)),
        ("R1", 1, 1, pytest.approx(1.0)),  # 100 % of one call ranks below 20 of 200
        ("R6", 3, 0, pytest.approx(0.0)),
        ("R5", 0, 0, None),
    ]


def test_call_queues_rank_by_abandoned_then_abandon_ratio(ctx):
    cache.clear()
    assert rows(C.call_queues(ctx, View()), "customer_id", "offered", "abandoned", "abandon_ratio") == [
        ("K2", 100, 30, pytest.approx(0.3)),  # the most callers lost, though a lower share
        ("K3", 20, 10, pytest.approx(0.5)),  # a tie on abandoned: the higher share first
        ("K4", 100, 10, pytest.approx(0.1)),
        ("K1", 1, 1, pytest.approx(1.0)),  # one caller of one ranks below 30 of 100
        ("K5", 0, 0, None),
    ]


def test_the_ranking_holds_within_a_scope(ctx):
    cache.clear()
    scope = View(scope=frozenset({"R1", "R4", "K1", "K4"}))
    assert rows(C.call_quality(ctx, scope), "customer_id") == [("R4",), ("R1",)]
    assert rows(C.call_queues(ctx, scope), "customer_id") == [("K4",), ("K1",)]
