"""The change since the previous snapshot (metrics/changes.py): the kept
snapshot whose as_of is a week earlier, and KPI differences against it.

The world (as_of N = 2025-06-15, a week earlier P = 2025-06-08):
- A: renews automatically in 200 days; 12 of 10 licenses assigned in the
  latest week (an overage now), 5 of 10 the week before.
- B: ends N + 85 without auto-renew: expiring now (within 90 days of N), not
  at P (P + 92).
- C: ended N - 3 with auto-renew: current and renewing at P (P + 4), not
  current at N.
- D: never signed in; 1 of 10 licenses assigned and none used now (low
  allocation and at risk), 8 of 10 used the week before (healthy).
The previous import is the same folder without the latest week's usage
(as_of = latest week_start + 7 = P).
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from partnerhub.data.importer import import_folder
from partnerhub.data.settings import load_settings
from partnerhub.data.snapshots import SnapshotStore
from partnerhub.data.state import StateStore
from partnerhub.metrics import licenses
from partnerhub.metrics.changes import changes, previous_context
from partnerhub.metrics.types import Context, View
from tests.contract_files import write_folder
from tests.test_metrics_support import AS_OF, LATEST, World, d

P = AS_OF - timedelta(days=7)
USAGE_TABLES = ("license_usage", "calling_usage", "call_quality", "calling_features", "call_queues")


def _world() -> World:
    w = World(guard=False)
    for cid in ("A", "B", "C"):
        w.customer(cid, f"Change {cid}")
    w.customer("D", "Change D", signin=None)
    w.sub("A-S", "A", start=d(-400), end=d(200), auto_renew=True)
    w.line("A-S", "meetings", 10, {0: (12, 5), 1: (5, 5), 2: (5, 5)})
    w.sub("B-S", "B", start=d(-400), end=d(85), auto_renew=False)
    w.line("B-S", "meetings", 10, {0: (5, 5), 1: (5, 5), 2: (5, 5)})
    w.sub("C-S", "C", start=d(-400), end=d(-3), auto_renew=True)
    w.line("C-S", "calling", 10, {1: (5, 5)})
    w.sub("D-S", "D", start=d(-400), end=d(300), auto_renew=True)
    w.line("D-S", "meetings", 10, {0: (1, 0), 1: (8, 8), 2: (8, 8)})
    return w


def _without_weeks(world: World, weeks: int) -> dict[str, list[dict]]:
    """The world's tables as exported `weeks` weeks earlier (no usage rows after)."""
    last = LATEST - timedelta(days=7 * weeks)
    return {
        table: [r for r in rows if table not in USAGE_TABLES or r["week_start"] <= last]
        for table, rows in world.tables.items()
    }


class Home:
    def __init__(self, path: Path):
        self.path = path
        self.settings = load_settings(home=path)
        self.state = StateStore(self.settings.state_url)
        self.state.init_schema()
        self.store = SnapshotStore(self.settings.snapshots_dir)

    def load(self, tables: dict[str, list[dict]], name: str):
        folder = write_folder(self.path / name, tables, "csv")
        result = import_folder(folder, self.store, self.state)
        assert result.ok, result.report.lines()
        return result.as_of

    def context(self) -> Context:
        snap = self.store.current()
        assert snap is not None
        return Context(snap, self.state, self.settings)


@pytest.fixture(scope="module")
def two_weeks(tmp_path_factory) -> Home:
    home = Home(tmp_path_factory.mktemp("two-weeks"))
    world = _world()
    assert home.load(_without_weeks(world, 1), "previous") == P
    assert home.load(dict(world.tables), "now") == AS_OF
    return home


def test_the_previous_context_is_the_kept_snapshot_a_week_earlier(two_weeks):
    ctx = two_weeks.context()
    before = previous_context(ctx, two_weeks.store)
    assert before is not None
    assert before.as_of == P and before.snapshot.id != ctx.snapshot.id
    assert before.state is ctx.state and before.settings is ctx.settings
    # the same open snapshot on every call: no new connection per request
    again = previous_context(ctx, two_weeks.store)
    assert again is not None and again.snapshot is before.snapshot
    assert two_weeks.store.kept_with_as_of(AS_OF) is ctx.snapshot
    assert two_weeks.store.kept_with_as_of(P - timedelta(days=7)) is None


def test_the_headline_changes_by_hand(two_weeks):
    ctx = two_weeks.context()
    before = previous_context(ctx, two_weeks.store)
    assert before is not None
    now_kpis, before_kpis = licenses.headline(ctx, View()), licenses.headline(before, View())
    # D is low now: 0.1 < 0.5 x the meetings median of 1.2, 0.5, 0.1; before, 0.5, 0.5, 0.8: none
    assert now_kpis == {
        "total_customers": 3,
        "expiring_customers": 1,
        "renewing_customers": 0,
        "low_allocation_customers": 1,
        "overage_customers": 1,
    }
    assert before_kpis == {
        "total_customers": 4,
        "expiring_customers": 0,
        "renewing_customers": 1,
        "low_allocation_customers": 0,
        "overage_customers": 0,
    }
    assert changes(now_kpis, before_kpis) == {
        "total_customers": -1,
        "expiring_customers": 1,
        "renewing_customers": -1,
        "low_allocation_customers": 1,
        "overage_customers": 1,
    }
    # in a partner admin's scope of A and C only
    scope = View(scope=frozenset({"A", "C"}))
    assert changes(licenses.headline(ctx, scope), licenses.headline(before, scope)) == {
        "total_customers": -1,  # A now; A and C before
        "expiring_customers": 0,
        "renewing_customers": -1,
        "low_allocation_customers": 0,
        "overage_customers": 1,
    }


def test_the_health_changes_by_hand(two_weeks):
    # weights: allocation 25, usage 25, engagement 10, renewal 10 (usage_trend has no
    # earlier 4 weeks and call_quality no calls: both null, left out)
    # now: A (25 x 1 + 25 x 5/12 + 10 + 10) / 70 = 79.17, B (12.5 + 25 + 10 + 5) / 70 = 75,
    #      D (2.5 + 0 + 0 + 10) / 70 = 17.86 (at risk, 10 licenses); C is not current
    # before: A, B, C (12.5 + 25 + 10 + 10) / 70 = 82.14 each, D (20 + 25 + 0 + 10) / 70 = 78.57
    from partnerhub.metrics.health import health_kpis

    ctx = two_weeks.context()
    before = previous_context(ctx, two_weeks.store)
    assert before is not None
    now_kpis, before_kpis = health_kpis(ctx, View()), health_kpis(before, View())
    assert now_kpis == {
        "scored_customers": 3,
        "at_risk_customers": 1,
        "watch_customers": 0,
        "healthy_customers": 2,
        "average_health_score": pytest.approx((55.4166667 + 52.5 + 12.5) / 0.7 / 3),
        "licenses_at_risk": 10,
    }
    assert before_kpis == {
        "scored_customers": 4,
        "at_risk_customers": 0,
        "watch_customers": 0,
        "healthy_customers": 4,
        "average_health_score": pytest.approx(81.25),
        "licenses_at_risk": 0,
    }
    assert changes(now_kpis, before_kpis) == {
        "scored_customers": -1,
        "at_risk_customers": 1,
        "watch_customers": 0,
        "healthy_customers": -2,
        "average_health_score": pytest.approx((55.4166667 + 52.5 + 12.5) / 0.7 / 3 - 81.25),
        "licenses_at_risk": 10,
    }


def test_no_previous_when_only_one_snapshot_is_kept(tmp_path):
    home = Home(tmp_path)
    home.load(dict(_world().tables), "now")
    assert previous_context(home.context(), home.store) is None


def test_no_previous_when_the_kept_one_has_another_as_of(tmp_path):
    home = Home(tmp_path)
    world = _world()
    assert home.load(_without_weeks(world, 2), "two-weeks-ago") == AS_OF - timedelta(days=14)
    assert home.load(dict(world.tables), "now") == AS_OF
    assert len(home.store.ids()) == 2
    assert previous_context(home.context(), home.store) is None


def test_changes_of_kpis():
    assert changes({"a": 5, "b": 0.25, "c": None, "d": 3}, {"a": 2, "b": 0.5, "c": 1, "e": 9}) == {
        "a": 3,
        "b": -0.25,
        "c": None,
        "d": None,
    }
    assert changes({"a": 5, "b": None}, None) == {"a": None, "b": None}
    assert changes({}, {"a": 1}) == {}
