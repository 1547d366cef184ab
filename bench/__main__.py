"""Benchmarks at scale tiers: `make bench` (or `python -m bench [--tiers 10000,100000] [--parts pages,load]`).

For each tier (customers × weeks, generated with seed 1 and cached under
bench/.data): the import (time, and peak memory of the process that does
it), each dataset against its hand-written query (bench/datasets.py), each
page in Chromium warm and on the first view after a restart
(bench/pages.py), 20 signed-in users replaying page views for 60 s
(bench/load.py), and the exports (bench/exports.py), all against gunicorn
2 × 4 on loopback as `make serve` runs it. Prints one table and writes
bench/results/<customers>x<weeks>.json with the figures and the machine.
Nothing here asserts a time: tests stay deterministic, benchmarks report.

`python -m bench exports [--customers 20000] [--clients 8]`: KPI latency idle
and under an XLSX export flood (bench/exports.py).
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench import report  # noqa: E402
from bench.server import ADMIN, Server, credentials, import_in_child, tier_folder  # noqa: E402

PARTS = ("datasets", "pages", "load", "exports")


def _context(home: Path):
    from partnerhub.data.settings import load_settings
    from partnerhub.data.snapshots import SnapshotStore
    from partnerhub.data.state import StateStore
    from partnerhub.metrics.types import Context

    settings = load_settings(home=home)
    snap = SnapshotStore(settings.snapshots_dir).current()
    assert snap is not None
    return Context(snap, StateStore(settings.state_url), settings)


def _busiest_customer(ctx) -> str:
    """The customer with the most subscriptions: its page has the most to show."""
    rows = ctx.snapshot.rows(
        "SELECT customer_id FROM subscriptions GROUP BY customer_id ORDER BY count(*) DESC, customer_id LIMIT 1"
    )
    return rows[0][0]


def datasets(ctx, repeat: int = 5) -> list[dict]:
    try:
        from bench.datasets import compare_datasets
    except ImportError:  # written by another change; until then, the product's side alone
        return _product_only(ctx, repeat)
    return compare_datasets(ctx, repeat=repeat)


def _product_only(ctx, repeat: int) -> list[dict]:
    from partnerhub.metrics import cache
    from partnerhub.metrics.datasets import DATASETS
    from partnerhub.metrics.types import View

    out = []
    view = View()
    for name, ds in DATASETS.items():
        runs = []
        for _ in range(repeat):
            cache.clear()
            t = time.perf_counter()
            frame = ds.fn(ctx, view).frame
            runs.append((time.perf_counter() - t) * 1000)
        out.append(
            {
                "dataset": name,
                "product_ms": statistics.median(runs),
                "hand_ms": None,
                "ratio": None,
                "rows": frame.height,
            }
        )
    return out


def run_tier(
    customers: int,
    weeks: int,
    parts: tuple[str, ...] = PARTS,
    runs: int = 5,
    users: int = 20,
    seconds: float = 60,
    results: Path | None = report.RESULTS,
    folder: Path | None = None,
    restart_each_page: bool = True,
) -> dict:
    """Every figure of one tier; written to `results`/<tier>.json unless None
    (bench/pages.py says what `restart_each_page` changes)."""
    from bench.pages import chromium_version

    folder = folder or tier_folder(customers, weeks)
    name = f"{customers}x{weeks}"
    figures: dict = {"tier": name, "customers": customers, "weeks": weeks, "parts": list(parts), "skipped": {}}
    figures["machine"] = report.machine(chromium_version() if {"pages", "load"} & set(parts) else None)
    home = Path(tempfile.mkdtemp(prefix="bench-home-"))
    try:
        figures["import"] = import_in_child(folder, home)
        ctx = _context(home)
        customer_id = _busiest_customer(ctx)
        if "datasets" in parts:
            figures["datasets"] = datasets(ctx, repeat=runs)
        ctx.snapshot.close()  # the server opens the file itself
        ctx.state.dispose()
        if {"pages", "load"} & set(parts):
            _browser_parts(figures, home, customer_id, parts, runs, users, seconds, restart_each_page)
        if "exports" in parts:
            try:
                from bench.exports import run_exports_bench
            except ImportError:
                figures["skipped"]["exports"] = "bench/exports.py has no run_exports_bench yet"
            else:
                figures["exports"] = run_exports_bench(folder)
    finally:
        shutil.rmtree(home, ignore_errors=True)
    if not figures["skipped"]:
        del figures["skipped"]
    if results is not None:
        figures["written_to"] = str(report.write(figures, name, results))
    return figures


def _browser_parts(
    figures: dict, home: Path, customer_id: str, parts, runs: int, users: int, seconds: float, restart_each_page: bool
) -> None:
    from bench.load import run_load
    from bench.pages import run_pages

    password = credentials(home)[ADMIN]
    with Server(home) as server:
        # without the pages part, one warm view of each records what load replays
        pages = "pages" in parts
        measured = run_pages(server, password, customer_id, runs if pages else 1, pages, restart_each_page)
        recordings = measured.pop("recordings")
        if "pages" in parts:
            figures["pages"] = {"runs": runs, "customer_id": customer_id} | measured
        if "load" in parts:
            server.restart()  # the load starts from the same state every run
            figures["load"] = run_load(server, password, recordings, users=users, seconds=seconds)


def main() -> None:
    if sys.argv[1:2] == ["exports"]:
        from bench.exports import main as exports_main

        exports_main(sys.argv[2:])
        return
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--tiers", default="10000,100000", help="customer counts, comma separated")
    parser.add_argument("--weeks", type=int, default=52)
    parser.add_argument("--parts", default=",".join(PARTS), help=f"comma separated, of {', '.join(PARTS)}")
    parser.add_argument("--runs", type=int, default=5, help="runs per figure (median)")
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=60, help="length of the load run")
    args = parser.parse_args()
    parts = tuple(p.strip() for p in args.parts.split(",") if p.strip())
    unknown = set(parts) - set(PARTS)
    if unknown:
        parser.error(f"unknown parts: {', '.join(sorted(unknown))}")
    for n in (int(x) for x in args.tiers.split(",")):
        figures = run_tier(n, args.weeks, parts, args.runs, args.users, args.seconds)
        print(report.table(figures))
        if "exports" in figures:
            from bench.exports import print_exports

            print_exports(figures["exports"])
        print(f"  written to {figures['written_to']}")


if __name__ == "__main__":
    main()
