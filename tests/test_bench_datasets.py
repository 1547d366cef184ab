"""The benchmark's hand-written queries (bench/datasets.py) give exactly the
product's rows and KPIs, at a small generated tier. Never asserts a time."""

from __future__ import annotations

import math

import polars as pl
import pytest

from bench.datasets import HAND_SQL, PRODUCT, compare_datasets, hand_frame, hand_kpis
from partnerhub.data.generator import generate
from partnerhub.metrics import cache
from partnerhub.metrics.datasets import DATASETS, kpis
from partnerhub.metrics.types import View
from tests.test_metrics_support import import_generated

VIEW = View(product=PRODUCT)


@pytest.fixture(scope="module")
def ctx(tmp_path_factory):
    folder = tmp_path_factory.mktemp("bench-tier")
    generate(folder, customers=300, weeks=12, seed=1)
    return import_generated(tmp_path_factory.mktemp("bench-home"), folder)


def _same_types(hand: pl.DataFrame, product: pl.DataFrame) -> pl.DataFrame:
    """The hand frame with the product's column types (DuckDB's own types
    differ only in width: INTEGER for BIGINT, Etc/UTC for UTC)."""
    out = []
    for name, dtype in product.schema.items():
        col = hand[name]
        if isinstance(dtype, pl.Datetime) and dtype.time_zone:
            col = col.dt.convert_time_zone(dtype.time_zone)
        out.append(col.cast(dtype))
    return pl.DataFrame(out)


def test_every_dataset_has_a_hand_query():
    assert set(HAND_SQL) == set(DATASETS)


@pytest.mark.parametrize("name", list(DATASETS))
def test_the_hand_query_gives_the_products_rows(ctx, name):
    cache.clear()
    product = DATASETS[name].fn(ctx, VIEW).frame
    hand = hand_frame(ctx, name)
    assert product.height > 0, name  # the tier exercises every section
    assert hand.columns == product.columns
    assert _same_types(hand, product).equals(product)


def _close(a, b) -> bool:
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(_close(a[k], b[k]) for k in a)
    if isinstance(a, float) or isinstance(b, float):
        # a float sum's last bit depends on its order; the product sums in Polars
        return a is not None and b is not None and math.isclose(a, b, rel_tol=1e-12)
    return a == b


def test_the_hand_kpis_are_the_products(ctx):
    cache.clear()
    product = kpis(ctx, VIEW, {"customers", "analytics", "calling"})
    hand = hand_kpis(ctx)
    assert _close(hand, product), (hand, product)
    assert product["headline"]["total_customers"] > 0


def test_the_comparison_reports_every_dataset_and_the_kpis(ctx):
    rows = compare_datasets(ctx, repeat=1)
    assert [r["dataset"] for r in rows] == [*DATASETS, "kpis"]
    for r in rows:
        assert set(r) == {"dataset", "product_ms", "hand_ms", "ratio", "rows"}
        assert r["product_ms"] > 0 and r["hand_ms"] > 0 and r["ratio"] > 0
    assert {r["dataset"]: r["rows"] for r in rows}["customers"] == 300
