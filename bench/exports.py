"""Fair exports: `python -m bench exports [--customers 20000] [--clients 8]`.

Starts the app as `make serve` does (gunicorn, 2 workers × 4 threads) on
loopback over a generated snapshot, then times `/api/v1/kpis` of one user
idle, and again while N clients loop the customers list as XLSX (one row per
customer). Clients that are refused (429) ask again at once unless
--honour-retry-after is given: the worst case is a client that does not
wait. Prints p50/p95 of both runs and their ratio; the target is the flood
within 2× of idle. Nothing is asserted.
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
    from partnerhub.auth.tokens import create_token
    from partnerhub.auth.users import get_user_by_email
    from partnerhub.data.generator import DEMO_USERS, generate
    from partnerhub.data.importer import import_folder
    from partnerhub.data.snapshots import SnapshotStore
    from partnerhub.data.state import StateStore

    folder = DATA / f"{customers}x{weeks}"
    if not (folder / "license_usage.parquet").exists():
        generate(folder, customers=customers, weeks=weeks, seed=1)
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
    args = parser.parse_args(argv)
    print(f"exports: {args.clients} clients looping {args.flood} ({args.customers:,} customers), gunicorn 2 × 4")
    run(args.customers, args.weeks, args.clients, args.samples, args.honour_retry_after, args.flood)
