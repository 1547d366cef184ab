"""Fair exports: `python -m bench exports [--customers 20000] [--clients 8]`.

Starts the app as `make serve` does (gunicorn, 2 workers × 4 threads) on
loopback over a generated snapshot, then times `/api/v1/kpis` of one user
idle, and again while N clients loop the customers list as XLSX (one row per
customer). Clients that are refused (429) ask again at once unless
--honour-retry-after is given: the worst case is a client that does not
wait. Prints p50/p95 of both runs and their ratio; the target is the flood
within 2× of idle. Finished files are kept in the export cache, so after the
first build the flood is of cached files. Nothing is asserted.

`python -m bench exports --tier 100000x52` (and `run_exports_bench(folder)`
for the main benchmark): the customer list as CSV, XLSX and Parquet, cold
and cached, first byte and total; the XLSX through the background route
(POST, status until ready); cached KPIs p50/p95 idle and while two XLSX
exports of the whole list are written.
"""

from __future__ import annotations

import argparse
import http.client
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "bench" / ".data"
KPI_USER = "readonly@demo.example"
EXPORT = "/api/v1/datasets/customers.xlsx"
KPIS = "/api/v1/kpis"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _prepare(home: Path, customers: int, weeks: int) -> dict[str, str]:
    """Imports the generated data into `home`; an API token per demo user."""
    from partnerhub.data.generator import generate

    folder = DATA / f"{customers}x{weeks}"
    if not (folder / "license_usage.parquet").exists():
        generate(folder, customers=customers, weeks=weeks, seed=1)
    return _import(home, folder)


def _import(home: Path, folder: Path) -> dict[str, str]:
    """Imports `folder` into `home`; an API token per demo user."""
    from partnerhub.auth.tokens import create_token
    from partnerhub.auth.users import get_user_by_email
    from partnerhub.data.generator import DEMO_USERS
    from partnerhub.data.importer import import_folder
    from partnerhub.data.snapshots import SnapshotStore
    from partnerhub.data.state import StateStore

    state = StateStore(f"sqlite:///{home}/state.sqlite")
    state.init_schema()
    store = SnapshotStore(home / "snapshots")
    result = import_folder(folder, store, state)
    assert result.ok, result.report.lines()[:5]
    store.close()
    tokens = {email: create_token(state, get_user_by_email(state, email).id, "bench") for email in DEMO_USERS}
    state.dispose()
    return tokens


class Server:
    def __init__(self, home: Path, port: int):
        env = dict(os.environ, PARTNERHUB_HOME=str(home), HOST="127.0.0.1", PORT=str(port))
        self.port = port
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--workers", "2", "--threads", "4"]
            + ["--bind", f"127.0.0.1:{port}", "app:server"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    def wait_ready(self, token: str, timeout: float = 60) -> None:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            try:
                if _get(self.port, KPIS, token)[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise SystemExit("the server did not answer in time")

    def stop(self) -> None:
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def _get(port: int, path: str, token: str, conn: http.client.HTTPConnection | None = None) -> tuple[int, int, str]:
    """(status, body bytes, Retry-After) of one GET; the body is read in full."""
    own = conn is None
    conn = conn or http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    try:
        conn.request("GET", path, headers={"Authorization": f"Bearer {token}"})
        res = conn.getresponse()
        size = 0
        while chunk := res.read(1024 * 1024):
            size += len(chunk)
        return res.status, size, res.headers.get("Retry-After", "")
    finally:
        if own:
            conn.close()


def _kpi_latencies(port: int, token: str, samples: int, pause: float) -> list[float]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    out = []
    try:
        for _ in range(samples):
            t = time.perf_counter()
            status, _size, _ra = _get(port, KPIS, token, conn)
            out.append((time.perf_counter() - t) * 1000)
            assert status == 200, status
            time.sleep(pause)
    finally:
        conn.close()
    return out


def _flood(port: int, token: str, path: str, stop: threading.Event, counts: Counter, honour: bool) -> None:
    # a connection per request: one kept alive through a Retry-After wait
    # would be closed by gunicorn meanwhile
    while not stop.is_set():
        try:
            status, _size, retry_after = _get(port, path, token)
        except (OSError, http.client.HTTPException):
            counts["error"] += 1
            continue
        counts[status] += 1
        if status == 429 and honour:
            stop.wait(float(retry_after or 1))


def _p(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]


def run(customers: int, weeks: int, clients: int, samples: int, honour: bool, path: str) -> None:
    home = Path(tempfile.mkdtemp(prefix="bench-exports-"))
    server = None
    try:
        t = time.perf_counter()
        tokens = _prepare(home, customers, weeks)
        print(f"  data ready          {time.perf_counter() - t:8.1f} s   ({customers:,} customers × {weeks} weeks)")
        server = Server(home, _free_port())
        server.wait_ready(tokens[KPI_USER])
        # warm both workers: caches, and one export each so the writer processes exist
        for _ in range(4):
            _get(server.port, EXPORT, tokens[KPI_USER])
        _kpi_latencies(server.port, tokens[KPI_USER], 10, 0.01)

        t = time.perf_counter()
        status, size, _ra = _get(server.port, EXPORT, tokens[KPI_USER])
        print(
            f"  one XLSX export     {(time.perf_counter() - t) * 1000:8.0f} ms  ({size / 1e6:.1f} MB, status {status})"
        )

        idle = _kpi_latencies(server.port, tokens[KPI_USER], samples, 0.05)
        # the flood: clients spread over the other demo users, round robin
        flooders = [email for email in tokens if email != KPI_USER]
        stop = threading.Event()
        counts: Counter = Counter()
        threads = [
            threading.Thread(
                target=_flood,
                args=(server.port, tokens[flooders[i % len(flooders)]], path, stop, counts, honour),
                daemon=True,
            )
            for i in range(clients)
        ]
        for th in threads:
            th.start()
        time.sleep(2)  # exports under way
        t = time.perf_counter()
        flooded = _kpi_latencies(server.port, tokens[KPI_USER], samples, 0.05)
        elapsed = time.perf_counter() - t
        stop.set()
        for th in threads:
            th.join(timeout=120)

        print(f"  {'kpis':22} {'p50 ms':>8} {'p95 ms':>8}")
        print(f"  {'idle':22} {_p(idle, 50):8.1f} {_p(idle, 95):8.1f}")
        print(f"  {f'{clients} clients flooding':22} {_p(flooded, 50):8.1f} {_p(flooded, 95):8.1f}")
        print(
            f"  ratio (flood / idle)   {_p(flooded, 50) / _p(idle, 50):8.2f} {_p(flooded, 95) / _p(idle, 95):8.2f}"
            "   (target: within 2×)"
        )
        done = counts[200]
        print(
            f"  flood while measured: {done} answered ({done / elapsed:.1f}/s), {counts[429]} refused (429), "
            f"{sum(n for k, n in counts.items() if k not in (200, 429))} other"
        )
    finally:
        if server is not None:
            server.stop()
        shutil.rmtree(home, ignore_errors=True)


# ---- exports at a tier: first byte and total per format, KPIs beside two XLSX exports ----------

FILE_USER = "full.admin@demo.example"
# a second user of every customer, with a filter that keeps them all, so
# that the two XLSX exports are two files (one key each), not one shared
SECOND_USER = "sales.full@demo.example"
SECOND_QUERY = "?managed_by=partner,external"
FORMATS = ("csv", "xlsx", "parquet")


def _timed_get(port: int, path: str, token: str) -> dict:
    """status, ms to the first byte of the body, ms to its end, bytes."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    try:
        t = time.perf_counter()
        conn.request("GET", path, headers={"Authorization": f"Bearer {token}"})
        res = conn.getresponse()
        first = res.read(1)
        first_ms = (time.perf_counter() - t) * 1000
        size = len(first)
        while chunk := res.read(1024 * 1024):
            size += len(chunk)
        return {
            "status": res.status,
            "first_byte_ms": round(first_ms, 1),
            "total_ms": round((time.perf_counter() - t) * 1000, 1),
            "bytes": size,
        }
    finally:
        conn.close()


def _async_xlsx(port: int, path: str, token: str) -> dict:
    """POST /api/v1/exports/… then its status until ready: ms to the first
    answer, ms until the file is ready, and the file's download."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    headers = {"Authorization": f"Bearer {token}"}
    start = path.replace("/api/v1/datasets/", "/api/v1/exports/")
    try:
        t = time.perf_counter()
        conn.request("POST", start, headers=headers)
        res = conn.getresponse()
        res.read()
        answer_ms = (time.perf_counter() - t) * 1000
        status = res.status
        while status == 202:
            time.sleep(0.25)
            conn.request("GET", start, headers=headers)
            res = conn.getresponse()
            res.read()
            status = res.status
        ready_ms = (time.perf_counter() - t) * 1000
    finally:
        conn.close()
    download = _timed_get(port, path, token)
    return {"answer_ms": round(answer_ms, 1), "ready_ms": round(ready_ms, 1), "status": status, "file": download}


def _forget_files(home: Path) -> None:
    shutil.rmtree(home / "exports", ignore_errors=True)


def _summary(values: list[float]) -> dict:
    return {"p50_ms": round(_p(values, 50), 1), "p95_ms": round(_p(values, 95), 1), "samples": len(values)}


def run_exports_bench(folder: Path, samples: int = 100) -> dict:
    """The export figures of one tier over the generated data in `folder`,
    against gunicorn 2 × 4 on loopback: per format the customer list's file
    cold (nothing cached) and cached, first byte and total; the XLSX also
    through the background route; cached KPIs idle and while two XLSX
    exports of the whole list are written. Nothing is asserted."""
    home = Path(tempfile.mkdtemp(prefix="bench-exports-"))
    server = None
    out: dict = {"folder": str(folder), "server": "gunicorn --workers 2 --threads 4"}
    try:
        t = time.perf_counter()
        tokens = _import(home, folder)
        out["import_s"] = round(time.perf_counter() - t, 1)
        server = Server(home, _free_port())
        server.wait_ready(tokens[KPI_USER])
        _kpi_latencies(server.port, tokens[KPI_USER], 20, 0.01)  # both workers' caches
        files: dict[str, dict] = {}
        for fmt in FORMATS:
            path = f"/api/v1/datasets/customers.{fmt}"
            _timed_get(server.port, path, tokens[FILE_USER])  # the list computed and cached in a worker
            _forget_files(home)
            cold = _timed_get(server.port, path, tokens[FILE_USER])
            cached = [_timed_get(server.port, path, tokens[FILE_USER]) for _ in range(3)]
            files[fmt] = {
                "cold": cold,
                "cached": min(cached, key=lambda r: r["total_ms"])
                | {"median_total_ms": statistics.median(r["total_ms"] for r in cached)},
            }
        _forget_files(home)
        files["xlsx_background"] = _async_xlsx(server.port, "/api/v1/datasets/customers.xlsx", tokens[FILE_USER])
        out["files"] = files

        _forget_files(home)
        idle = _kpi_latencies(server.port, tokens[KPI_USER], samples, 0.05)
        results: list[dict] = []
        exports = [
            threading.Thread(
                target=lambda u=user, q=query: results.append(
                    _timed_get(server.port, f"/api/v1/datasets/customers.xlsx{q}", tokens[u]) | {"user": u}
                ),
                daemon=True,
            )
            for user, query in ((FILE_USER, ""), (SECOND_USER, SECOND_QUERY))
        ]
        for th in exports:
            th.start()
        time.sleep(0.5)  # both under way
        busy: list[float] = []
        while any(th.is_alive() for th in exports):
            busy.extend(_kpi_latencies(server.port, tokens[KPI_USER], 10, 0.05))
        for th in exports:
            th.join()
        out["kpis"] = {
            "idle": _summary(idle),
            "two_xlsx_exports": _summary(busy) if len(busy) >= 2 else {"samples": len(busy)},
            "exports": results,
        }
        if len(busy) >= 2:
            out["kpis"]["ratio_p50"] = round(_p(busy, 50) / _p(idle, 50), 2)
            out["kpis"]["ratio_p95"] = round(_p(busy, 95) / _p(idle, 95), 2)
        out["cache_bytes"] = sum(p.stat().st_size for p in (home / "exports").glob("*/*.*") if p.is_file())
    finally:
        if server is not None:
            server.stop()
        shutil.rmtree(home, ignore_errors=True)
    return out


def print_exports(figures: dict) -> None:
    print(f"  {'customers.<fmt>':22} {'first byte ms':>14} {'total ms':>10} {'MB':>6}")
    for fmt in FORMATS:
        for state in ("cold", "cached"):
            r = figures["files"][fmt][state]
            print(
                f"  {fmt + ' ' + state:22} {r['first_byte_ms']:14.0f} {r['total_ms']:10.0f} {r['bytes'] / 1e6:6.1f}"
                + ("" if r["status"] == 200 else f"  (status {r['status']})")
            )
    bg = figures["files"]["xlsx_background"]
    print(
        f"  xlsx in the background: answer {bg['answer_ms']:.0f} ms, ready {bg['ready_ms']:.0f} ms, "
        f"then the file {bg['file']['total_ms']:.0f} ms"
    )
    k = figures["kpis"]
    print(f"  {'cached kpis':22} {'p50 ms':>8} {'p95 ms':>8} {'n':>5}")
    for name, label in (("idle", "idle"), ("two_xlsx_exports", "2 XLSX exports")):
        r = k[name]
        if "p50_ms" in r:
            print(f"  {label:22} {r['p50_ms']:8.1f} {r['p95_ms']:8.1f} {r['samples']:5}")
    if "ratio_p50" in k:
        print(f"  ratio                  {k['ratio_p50']:8.2f} {k['ratio_p95']:8.2f}   (target: within 2×)")
    for e in k["exports"]:
        print(
            f"  while measured: {e['user']} XLSX {e['total_ms'] / 1000:.1f} s, {e['bytes'] / 1e6:.1f} MB, {e['status']}"
        )


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench exports", description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=20_000, help="rows of the exported XLSX")
    parser.add_argument("--weeks", type=int, default=13)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--samples", type=int, default=100, help="KPI requests per run")
    parser.add_argument("--honour-retry-after", action="store_true", help="refused clients wait as told")
    parser.add_argument(
        "--flood",
        default=EXPORT,
        help=f"the address the clients loop (default {EXPORT}; {KPIS} compares with a flood of cheap requests)",
    )
    parser.add_argument(
        "--tier",
        help="instead of the flood: first byte and total per format and KPIs beside two XLSX exports "
        "over bench/.data/<tier> (e.g. 100000x52), as JSON and a table",
    )
    args = parser.parse_args(argv)
    if args.tier:
        import json

        figures = run_exports_bench(DATA / args.tier, args.samples)
        print_exports(figures)
        print(json.dumps(figures, indent=1))
        return
    print(f"exports: {args.clients} clients looping {args.flood} ({args.customers:,} customers), gunicorn 2 × 4")
    run(args.customers, args.weeks, args.clients, args.samples, args.honour_retry_after, args.flood)
