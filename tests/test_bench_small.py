"""The benchmark's own code at a tiny tier (200 customers × 8 weeks): every
figure `make bench` reports is there and sane — pages measured in Chromium
with their callbacks and bytes, server time summed, the replayed load
answered without errors, the JSON written with the machine. Times are
reported, never asserted."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor

import pytest

pytestmark = pytest.mark.browser

PAGES = ("customers", "customer_detail", "analytics", "calling", "toggle")


@pytest.fixture(scope="module")
def figures(tmp_path_factory):
    from bench.__main__ import run_tier
    from partnerhub.data.generator import generate

    folder = tmp_path_factory.mktemp("tier")
    generate(folder, customers=200, weeks=8, seed=1)
    results = tmp_path_factory.mktemp("results")
    # Playwright's sync API refuses a thread with a running asyncio loop, which
    # pytest-playwright's fixtures leave behind when browser tests ran first
    with ThreadPoolExecutor(1) as pool:
        out = pool.submit(
            run_tier,
            200,
            8,
            ("datasets", "pages", "load"),
            runs=1,
            users=2,
            seconds=3,
            results=results,
            folder=folder,
            restart_each_page=False,
        ).result()
    return out, results


def test_the_json_holds_every_figure_and_the_machine(figures):
    _, results = figures
    written = json.loads((results / "200x8.json").read_text())
    assert written["tier"] == "200x8"
    assert "recordings" not in written["pages"]  # what load replays stays out of the results
    machine = written["machine"]
    assert machine["cores"] >= 1 and machine["python"] and machine["duckdb"]
    assert "Chromium" in machine["chromium"]
    assert written["import"]["rows"]["customers"] == 200
    assert written["import"]["peak_rss_mb"] > 0


def test_datasets_are_timed_with_their_rows(figures):
    out, _ = figures
    names = {row["dataset"] for row in out["datasets"]}
    assert {"customers", "expiring", "calling_usage"} <= names
    customers = next(row for row in out["datasets"] if row["dataset"] == "customers")
    assert customers["rows"] == 200
    assert all(row["product_ms"] > 0 for row in out["datasets"])


def test_each_page_settles_with_callbacks_bytes_and_server_time(figures):
    out, _ = figures
    pages = out["pages"]
    assert pages["pages"]["customer_detail"].startswith("/customers/")
    for name in PAGES:
        warm, first = pages["warm"][name], pages["first_view"][name]
        for view in (warm, first):
            assert view["settled_ms"] > 0
            assert view["callbacks"] >= 1
            assert view["errors"] == 0
            assert view["bytes"] > 0
            assert view["server_ms"] > 0
        if name != "toggle":
            # an empty cache fetches the app's scripts and styles; a warm one keeps them
            assert first["downloaded_static"] > 0
            assert first["bytes"] > warm["bytes"]


def test_the_replayed_load_is_answered_without_errors(figures):
    out, _ = figures
    load = out["load"]
    assert load["users"] == 2
    assert load["requests"] > 0
    assert load["errors"] == 0
    assert set(load["statuses"]) == {"200"}
    assert load["page_views"]["customer_detail"]["views"] >= 1
    assert len(load["worker_rss_mb_before"]) == 2 and len(load["worker_rss_mb_after"]) == 2


def test_the_table_names_every_page(figures):
    from bench.report import table

    printed = table(figures[0])
    for name in PAGES:
        assert name in printed
    assert "2 users" in printed
