"""The precomputed calling tables (data/calling_facts.py): every calling
section over them gives exactly what it gives over the imported tables, and
a snapshot imported before those tables existed is still served, the same."""

from __future__ import annotations

import polars as pl
import pytest

from partnerhub.data import calling_facts
from partnerhub.metrics import cache
from partnerhub.metrics import calling as C
from partnerhub.metrics.datasets import DATASETS
from partnerhub.metrics.types import View
from tests.test_metrics_support import import_generated

CALLING = [name for name, d in DATASETS.items() if d.area == "calling"]


@pytest.fixture(scope="module")
def new(tmp_path_factory, demo_data):
    return import_generated(tmp_path_factory.mktemp("calling-new"), demo_data)


@pytest.fixture(scope="module")
def old(tmp_path_factory, demo_data):
    """A snapshot as the version before the calling tables wrote it: the same
    import, without them."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(calling_facts, "build", lambda *args, **kwargs: None)
        return import_generated(tmp_path_factory.mktemp("calling-old"), demo_data)


def _scopes(ctx) -> list[View]:
    ids = [r[0] for r in ctx.snapshot.rows("SELECT customer_id FROM calling_usage ORDER BY 1")]
    some = sorted(set(ids))[::3]
    return [View(), View(scope=frozenset(some)), View(scope=frozenset({"nobody"}))]


def test_a_new_snapshot_holds_the_calling_tables_and_an_old_one_does_not(new, old):
    assert C.precomputed(new.snapshot)
    assert all(new.snapshot.has_table(t) for t in calling_facts.TABLES)
    assert not C.precomputed(old.snapshot)
    assert not any(old.snapshot.has_table(t) for t in calling_facts.TABLES)


def test_the_calling_tables_hold_one_row_per_customer_and_week(new):
    (dupes,) = new.snapshot.rows(
        "SELECT count(*) FROM (SELECT customer_id, week_start FROM calling_weeks GROUP BY ALL HAVING count(*) > 1)"
    )[0]
    weeks = new.snapshot.rows("SELECT DISTINCT week_start FROM calling_weeks ORDER BY 1")
    assert dupes == 0
    assert [w for (w,) in weeks] == C.weeks_ending_latest(new, calling_facts.TREND_WEEKS)
    for table in ("calling_customers", "call_quality_customers", "call_queue_customers"):
        (n, distinct) = new.snapshot.rows(f"SELECT count(*), count(DISTINCT customer_id) FROM {table}")[0]
        assert n == distinct > 0


@pytest.mark.parametrize("name", CALLING)
def test_each_section_is_the_same_over_the_precomputed_and_the_imported_tables(new, old, name):
    fn = DATASETS[name].fn
    for view in _scopes(new):
        cache.clear()
        a, b = fn(new, view), fn(old, view)
        assert a.frame.schema == b.frame.schema
        assert a.frame.equals(b.frame), (name, view.scope and len(view.scope))
        assert a.kpis == b.kpis
        assert a.export_columns == b.export_columns


def test_an_old_snapshot_serves_every_calling_section(old):
    cache.clear()
    usage = C.calling_usage(old, View())
    queues = C.call_queues(old, View())
    assert usage.frame.height > 0
    assert usage.frame["calls"].to_list() == sorted(usage.frame["calls"].to_list(), reverse=True)
    assert queues.kpis["abandon_ratio"] is not None
    assert C.calling_usage_trend(old, View()).frame.height == calling_facts.TREND_WEEKS
    assert isinstance(C.call_quality_by_endpoint(old, View()).frame, pl.DataFrame)
