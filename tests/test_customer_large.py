"""Paging and sorting of the customer list on a larger snapshot (20,000
customers, in a home of its own), through the grid callback's logic
(pages/_customers/list_view.grid_rows) and metrics.customers_page: every
page equals the same slice of the full list, sorted the same way."""

from __future__ import annotations

from collections.abc import Iterator

import polars as pl
import pytest

from partnerhub.metrics.customers import EXPORT_COLUMNS, customers
from partnerhub.metrics.types import Context, Filters, View
from partnerhub.pages._customers.list_view import SORTABLE, grid_rows, view_query

N = 20_000


@pytest.fixture(scope="module")
def big(tmp_path_factory) -> Iterator[Context]:
    from partnerhub.data.generator import generate
    from partnerhub.data.importer import import_folder
    from partnerhub.data.settings import load_settings
    from partnerhub.data.snapshots import SnapshotStore
    from partnerhub.data.state import StateStore

    folder = tmp_path_factory.mktemp("big-data")
    generate(folder, customers=N, weeks=2, seed=11)
    settings = load_settings(home=tmp_path_factory.mktemp("big-home"))
    state = StateStore(settings.state_url)
    state.init_schema()
    snapshots = SnapshotStore(settings.snapshots_dir)
    assert import_folder(folder, snapshots, state).ok
    snapshot = snapshots.current()
    assert snapshot is not None
    yield Context(snapshot, state, settings)
    state.dispose()


def request(start: int, end: int, sort=()) -> dict:
    return {"startRow": start, "endRow": end, "sortModel": [{"colId": c, "sort": d} for c, d in sort]}


def ids(response: dict) -> list[str]:
    return [r["customer_id"] for r in response["rowData"]]


def sorted_like_the_list(frame: pl.DataFrame, column: str, direction: str) -> pl.DataFrame:
    """The list's order: the column (text case-insensitively, the health
    band by urgency, empty values last either way), then name, then ID."""
    key = pl.col(column).str.to_lowercase() if frame.schema[column] == pl.String else pl.col(column)
    if column == "health_band":
        key = pl.col(column).replace_strict({"at_risk": 0, "watch": 1, "healthy": 2}, default=None)
    return frame.sort(
        [key, pl.col("customer_name"), pl.col("customer_id")],
        descending=[direction == "desc", False, False],
        nulls_last=True,
    )


def test_every_page_is_the_same_slice_of_the_list(big):
    everyone = customers(big, View()).frame
    assert everyone.height == N
    for start in (0, 50, 9_950, N - 50):
        response, total, _filters = grid_rows(big, None, "", request(start, start + 50))
        assert total == response["rowCount"] == N
        assert ids(response) == everyone["customer_id"].to_list()[start : start + 50]
    last = everyone.row(N - 1, named=True)
    row = grid_rows(big, None, "", request(N - 1, N + 49))[0]["rowData"]
    assert len(row) == 1 and {k: row[0][k] for k in ("customer_id", "statuses", "total_licenses", "used")} == {
        k: last[k] for k in ("customer_id", "statuses", "total_licenses", "used")
    }


@pytest.mark.parametrize("column", [c for c in SORTABLE if c != "customer_id"])
def test_sorting_any_column_sorts_the_whole_list(big, column):
    everyone = customers(big, View()).frame
    for direction in ("asc", "desc"):
        want = sorted_like_the_list(everyone, column, direction)["customer_id"].to_list()
        for start in (0, 12_000):
            response, _total, _ = grid_rows(big, None, "", request(start, start + 50, [(column, direction)]))
            assert ids(response) == want[start : start + 50], (column, direction, start)


def test_a_page_never_carries_more_than_a_block(big):
    response, total, _ = grid_rows(big, None, "", {"startRow": 0, "endRow": 10**9})
    assert total == N and len(response["rowData"]) == 500


def test_filters_and_scope_on_the_large_list(big):
    everyone = customers(big, View()).frame
    scope = frozenset(everyone["customer_id"].to_list()[::7])
    filters = Filters(status=("subscription",), needs_attention=True, product=("meetings",))
    # the needs-attention view: the least healthy first, customers not scored last
    want = customers(big, View(scope=scope, filters=filters)).frame.sort(
        ["health_score", "customer_name", "customer_id"], nulls_last=True
    )
    assert 0 < want.height < len(scope)
    response, total, got_filters = grid_rows(big, scope, view_query(filters), request(0, 500))
    assert got_filters == filters and total == want.height
    assert ids(response) == want["customer_id"].to_list()[:500]
    assert set(ids(response)) <= scope
    for row, expected in zip(response["rowData"], want.head(500).to_dicts()):
        assert {c: row[c] for c in EXPORT_COLUMNS if c != "last_admin_sign_in"} == {
            c: expected[c] for c in EXPORT_COLUMNS if c != "last_admin_sign_in"
        }
