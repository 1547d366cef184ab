"""Benchmarks at scale tiers: `make bench` (or `python -m bench [--tiers 10000,100000]`).

`python -m bench exports [--customers 20000] [--clients 8]`: KPI latency idle
and under an XLSX export flood, against gunicorn on loopback (bench/exports.py).

For each tier: generate demo data (cached under bench/.data), import it, then
time every dataset function, the customer list's first page, and each export
format. Figures are printed next to a baseline measured in the same process on
the same snapshot — a bare DuckDB scan of the largest table — so a slow
machine shows up in both columns and the ratio stays comparable. Nothing here
asserts a time: tests stay deterministic, benchmarks report.
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
DATA = ROOT / "bench" / ".data"


def timed(fn, repeat: int = 3) -> float:
    """Median wall time in milliseconds."""
    runs = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        runs.append((time.perf_counter() - t) * 1000)
    return statistics.median(runs)


def _uncached(fn, *args):
    """Time the computation, not the result cache."""
    from partnerhub.metrics import cache

    cache.clear()
    return fn(*args)


def tier(customers: int, weeks: int) -> None:
    from partnerhub.api.exports import WRITERS
    from partnerhub.data.generator import generate
    from partnerhub.data.importer import import_folder
    from partnerhub.data.settings import load_settings
    from partnerhub.data.snapshots import SnapshotStore
    from partnerhub.data.state import StateStore
    from partnerhub.metrics import cache
    from partnerhub.metrics.customers import customers_page
    from partnerhub.metrics.datasets import DATASETS, kpis
    from partnerhub.metrics.types import Context, View

    folder = DATA / f"{customers}x{weeks}"
    if not (folder / "license_usage.parquet").exists():
        t = time.perf_counter()
        generate(folder, customers=customers, weeks=weeks, seed=1)
        print(f"  generate            {time.perf_counter() - t:8.1f} s")
    home = Path(tempfile.mkdtemp(prefix="bench-home-"))
    try:
        state = StateStore(f"sqlite:///{home}/state.sqlite")
        state.init_schema()
        store = SnapshotStore(home / "snapshots")
        t = time.perf_counter()
        result = import_folder(folder, store, state)
        assert result.ok, result.report.lines()[:5]
        print(f"  import              {time.perf_counter() - t:8.1f} s   ({result.rows['license_usage']:,} usage rows)")
        snap = store.current()
        assert snap is not None
        ctx = Context(snap, state, load_settings(home=home))
        baseline = timed(lambda: snap.rows("SELECT sum(used)::BIGINT, count(*) FROM license_usage"))
        print(f"  baseline scan       {baseline:8.1f} ms  (sum over license_usage)")
        print(f"  {'dataset':22} {'ms':>8} {'× baseline':>11} {'rows':>9}")
        view = View()
        for name, ds in DATASETS.items():
            cache.clear()
            ms = timed(lambda ds=ds: _uncached(ds.fn, ctx, view))
            rows = ds.fn(ctx, view).frame.height
            print(f"  {name:22} {ms:8.1f} {ms / baseline:11.1f} {rows:9,}")
        ms = timed(lambda: _uncached(kpis, ctx, view, {"customers", "analytics", "calling"}))
        print(f"  {'kpis (all groups)':22} {ms:8.1f} {ms / baseline:11.1f}")
        ms = timed(lambda: _uncached(customers_page, ctx, view, [("customer_name", "desc")], customers // 2, 100))
        print(f"  {'customer page (mid)':22} {ms:8.1f} {ms / baseline:11.1f}")
        frame = DATASETS["customers"].fn(ctx, view).export()
        for fmt, writer in WRITERS.items():
            ms = timed(lambda writer=writer: sum(len(c) for c in writer(frame)), repeat=1)
            print(f"  {'export customers.' + fmt:22} {ms:8.1f} {ms / baseline:11.1f} {frame.height:9,}")
        store.close()
        state.dispose()
    finally:
        shutil.rmtree(home, ignore_errors=True)


def main() -> None:
    if sys.argv[1:2] == ["exports"]:
        from bench.exports import main as exports_main

        exports_main(sys.argv[2:])
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tiers", default="10000,100000", help="customer counts, comma separated")
    parser.add_argument("--weeks", type=int, default=52)
    args = parser.parse_args()
    for n in (int(x) for x in args.tiers.split(",")):
        print(f"tier: {n:,} customers × {args.weeks} weeks")
        tier(n, args.weeks)


if __name__ == "__main__":
    main()
