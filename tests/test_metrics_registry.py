"""The registry (metrics/datasets.py), the /api/v1/kpis body, the
definitions, export types, and the per-snapshot cache."""

from __future__ import annotations

import math

import polars as pl
import pytest

from partnerhub.data.generator import generate
from partnerhub.data.importer import import_folder
from partnerhub.data.snapshots import SnapshotStore
from partnerhub.metrics import cache
from partnerhub.metrics.datasets import DATASETS, KPI_GROUPS, kpis
from partnerhub.metrics.definitions import DEFINITIONS, NEEDS_ATTENTION, STATUS_LABELS, STATUSES, definition
from partnerhub.metrics.types import Context, View
from tests.test_metrics_support import World, build, d, import_generated

NAMES = (
    "customers",
    "license_trend",
    "recently_added",
    "expiring",
    "renewing",
    "low_allocation",
    "overage",
    "calling_usage_trend",
    "calling_usage",
    "call_quality_trend",
    "call_quality_by_endpoint",
    "call_quality",
    "calling_features",
    "call_queues",
    "customer_health",
)
TEXT = {
    "customer_id",
    "customer_name",
    "subscription_id",
    "managed_by",
    "statuses",
    "products",
    "subscription_types",
    "tags",
    "calls_trend",
    "endpoint_type",
    "worst_endpoint_type",
    "feature",
    "health_band",
    "reasons",
}
RATIOS = {
    "allocation_ratio",
    "usage_ratio",
    "peer_baseline",
    "active_ratio",
    "minutes",
    "active_users_change_ratio",
    "poor_ratio",
    "poor_ratio_change",
    "average_answer_wait_seconds",
    "average_abandon_wait_seconds",
    "abandon_ratio",
    "health_score",
    "allocation_score",
    "usage_score",
    "usage_trend_score",
    "engagement_score",
    "call_quality_score",
    "renewal_score",
}
BOOLS = {"needs_attention", "auto_renew"}


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    folder = tmp_path_factory.mktemp("reg-data")
    generate(folder, customers=60, weeks=14, seed=5)
    return import_generated(tmp_path_factory.mktemp("reg-home"), folder)


def test_registry_names_and_areas():
    assert tuple(DATASETS) == NAMES
    assert {n: d.area for n, d in DATASETS.items()} == {
        "customers": "customers",
        **{n: "analytics" for n in NAMES[1:7]},
        **{n: "calling" for n in NAMES[7:14]},
        "customer_health": "customers",
    }
    assert all(d.name == n and d.title for n, d in DATASETS.items())
    assert {n: g.area for n, g in KPI_GROUPS.items()} == {
        "headline": "analytics",
        "recently_added": "analytics",
        "expiring": "analytics",
        "renewing": "analytics",
        "low_allocation": "analytics",
        "overage": "analytics",
        "call_queues": "calling",
        "health": "customers",
    }


def test_kpis_body(demo):
    body = kpis(demo, View(product="calling"), {"customers", "analytics", "calling"})
    assert list(body) == [
        "as_of",
        "product",
        "headline",
        "recently_added",
        "expiring",
        "renewing",
        "low_allocation",
        "overage",
        "call_queues",
        "health",
    ]
    assert body["as_of"] == demo.as_of.isoformat() and body["product"] == "calling"
    assert body["expiring"] == DATASETS["expiring"].fn(demo, View(product="calling")).kpis
    meetings = kpis(demo, View(product="meetings"), {"analytics", "calling"})
    assert meetings["headline"] == body["headline"] and meetings["call_queues"] == body["call_queues"]
    assert body["health"] == DATASETS["customer_health"].fn(demo, View()).kpis  # toggle-independent
    assert set(kpis(demo, View(), {"customers", "analytics"})) == {
        "as_of",
        "product",
        "headline",
        "recently_added",
        "expiring",
        "renewing",
        "low_allocation",
        "overage",
        "health",
    }
    assert set(kpis(demo, View(), {"customers", "calling"})) == {"as_of", "product", "call_queues", "health"}
    assert set(kpis(demo, View(), set())) == {"as_of", "product"}
    with pytest.raises(ValueError, match="product"):
        kpis(demo, View(product="webinars"), {"analytics"})


def test_every_column_and_kpi_has_a_definition_and_its_type(demo):
    for name, ds in DATASETS.items():
        r = ds.fn(demo, View())
        assert r.name == name and r.as_of == demo.as_of
        assert r.export().columns == list(r.export_columns)
        assert r.frame.height > 0, name  # the demo data has something in every section
        for col in r.export_columns:
            assert definition(col), col
            dtype = r.frame.schema[col]
            if col in TEXT:
                assert dtype == pl.Utf8, (name, col)
            elif col in RATIOS:
                assert dtype == pl.Float64, (name, col)
            elif col in BOOLS:
                assert dtype == pl.Boolean, (name, col)
            elif col == "week_start":
                assert dtype == pl.Date
            elif col == "last_admin_sign_in":
                assert dtype == pl.Datetime("us", "UTC")
            else:
                assert dtype == pl.Int64, (name, col)
            if dtype == pl.Float64:
                assert not r.frame[col].is_nan().any(), (name, col)
        for key, value in r.kpis.items():
            assert key in DEFINITIONS, key
            assert value is None or (
                isinstance(value, (int, float)) and not (isinstance(value, float) and math.isnan(value))
            )
    for key in kpis(demo, View(), {"analytics", "calling"})["headline"]:
        assert key in DEFINITIONS


def test_statuses_and_labels():
    assert STATUSES == (
        "trial",
        "subscription",
        "expiring_soon",
        "license_overage",
        "no_recent_activity",
        "order_ready_for_setup",
        "suspended",
        "expired",
    )
    assert set(STATUS_LABELS) == set(STATUSES) and all(STATUS_LABELS.values())
    assert {
        "expiring_soon",
        "license_overage",
        "no_recent_activity",
        "order_ready_for_setup",
        "suspended",
    } == NEEDS_ATTENTION
    assert all(definition(s) for s in STATUSES)


def test_results_are_cached_per_snapshot(tmp_path):
    w = World()
    w.customer("C1", "One")
    w.sub("C1-S", "C1", start=d(-10), end=d(300))
    w.line("C1-S", "meetings", 10, {0: (2, 1)})
    first = build(tmp_path, w)
    r1 = DATASETS["recently_added"].fn(first, View())
    assert DATASETS["recently_added"].fn(first, View()) is r1
    assert r1.kpis == {"new_customers": 1, "total_licenses": 10}
    # a second import into the same home: a new snapshot, new numbers; the old context keeps its own
    w.customer("C2", "Two")
    w.sub("C2-S", "C2", start=d(-5), end=d(300))
    w.line("C2-S", "meetings", 5, {0: (1, 1)})
    from tests.contract_files import write_folder

    folder = write_folder(tmp_path / "contract2", dict(w.tables))
    store = SnapshotStore(first.settings.snapshots_dir)
    assert import_folder(folder, store, first.state).ok
    second = Context(store.current(), first.state, first.settings)
    assert second.snapshot.id != first.snapshot.id
    assert DATASETS["recently_added"].fn(second, View()).kpis == {"new_customers": 2, "total_licenses": 15}
    assert DATASETS["recently_added"].fn(first, View()) is r1
    cache.clear()
    assert DATASETS["recently_added"].fn(first, View()) is not r1
