"""The app as `make serve` runs it, for the benchmark: gunicorn, 2 workers ×
4 threads, `app:server`, on a free loopback port over a PARTNERHUB_HOME with
a generated tier imported and the demo users' passwords set.

`python -m bench.server import <folder> <home>` imports in a process of its
own and prints its time and peak memory as JSON (bench/__main__.py runs it
so that the figure is the import's alone).
"""

from __future__ import annotations

import json
import os
import re
import resource
import secrets
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "bench" / ".data"
CREDENTIALS = "bench-credentials.json"
# the partner admin with the broadest scope (every customer): the pages' worst case
ADMIN = "full.admin@demo.example"
CSRF_FIELD = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


def tier_folder(customers: int, weeks: int) -> Path:
    """The generated data of a tier, generated once and kept in bench/.data."""
    from partnerhub.data.generator import generate

    folder = DATA / f"{customers}x{weeks}"
    if not (folder / "license_usage.parquet").exists():
        generate(folder, customers=customers, weeks=weeks, seed=1)
    return folder


def import_tier(folder: Path, home: Path) -> dict:
    """Imports `folder` into `home` and gives every demo user a random
    password (kept in home/bench-credentials.json); import seconds and rows."""
    from partnerhub.auth.users import set_passwords
    from partnerhub.data.generator import DEMO_USERS
    from partnerhub.data.importer import import_folder
    from partnerhub.data.settings import load_settings
    from partnerhub.data.snapshots import SnapshotStore
    from partnerhub.data.state import StateStore

    settings = load_settings(home=home)
    state = StateStore(settings.state_url)
    state.init_schema()
    store = SnapshotStore(settings.snapshots_dir)
    t = time.perf_counter()
    result = import_folder(folder, store, state)
    seconds = time.perf_counter() - t
    if not result.ok:
        raise SystemExit("the tier did not import: " + "; ".join(result.report.lines()[:5]))
    store.close()
    passwords = {email: secrets.token_urlsafe(12) for email in DEMO_USERS}
    set_passwords(state, "cli", passwords, source="demo")  # as `demo ensure` does
    state.dispose()
    (home / CREDENTIALS).write_text(json.dumps(passwords))
    return {"import_s": round(seconds, 2), "rows": dict(result.rows)}


def import_in_child(folder: Path, home: Path) -> dict:
    """import_tier in a process of its own: its seconds, rows and peak RSS (MB)."""
    out = subprocess.run(
        [sys.executable, "-m", "bench.server", "import", str(folder), str(home)],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def credentials(home: Path) -> dict[str, str]:
    return json.loads((home / CREDENTIALS).read_text())


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """gunicorn 2 × 4 over `home` on 127.0.0.1:`port`; restart() stops it and
    starts it again on the same port (new workers, empty caches)."""

    def __init__(self, home: Path, port: int | None = None, workers: int = 2, threads: int = 4):
        self.home = home
        self.port = port or free_port()
        self.workers = workers
        self.threads = threads
        self.proc: subprocess.Popen | None = None

    @property
    def log(self) -> Path:
        return self.home / "gunicorn.log"

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 90) -> Server:
        env = dict(os.environ, PARTNERHUB_HOME=str(self.home))
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--workers", str(self.workers), "--threads", str(self.threads)]
            + ["--bind", f"127.0.0.1:{self.port}", "app:server"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=self.log.open("ab"),
        )
        self._wait_ready(timeout)
        return self

    def _wait_ready(self, timeout: float) -> None:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if self.proc is not None and self.proc.poll() is not None:
                tail = self.log.read_text(errors="replace")[-2000:]
                raise SystemExit(f"gunicorn exited with {self.proc.returncode}:\n{tail}")
            try:
                if requests.get(self.base + "/login", timeout=5).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.2)
        raise SystemExit("the server did not answer in time")

    def stop(self) -> None:
        if self.proc is None:
            return
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.proc = None

    def restart(self) -> None:
        self.stop()
        self.start()

    def worker_pids(self) -> list[int]:
        if self.proc is None:
            return []
        path = Path(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children")
        return [int(p) for p in path.read_text().split()] if path.exists() else []

    def worker_rss_mb(self) -> list[float]:
        """Resident memory of each gunicorn worker (not the master), MB."""
        out = []
        for pid in self.worker_pids():
            try:
                status = Path(f"/proc/{pid}/status").read_text()
            except OSError:
                continue
            match = re.search(r"^VmRSS:\s+(\d+) kB", status, re.M)
            if match:
                out.append(round(int(match.group(1)) / 1024, 1))
        return out

    def __enter__(self) -> Server:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def sign_in(base: str, email: str, password: str) -> requests.Session:
    """A signed-in HTTP session through the real form, with the CSRF cookie
    that callbacks send back as X-CSRFToken."""
    s = requests.Session()
    page = s.get(base + "/login", timeout=30)
    match = CSRF_FIELD.search(page.text)
    if match is None:
        raise SystemExit("no CSRF field on /login")
    res = s.post(
        base + "/login",
        data={"email": email, "password": password, "csrf_token": match.group(1)},
        allow_redirects=False,
        timeout=30,
    )
    if res.status_code != 302:
        raise SystemExit(f"sign-in of {email} answered {res.status_code}")
    return s


def _main(argv: list[str]) -> None:
    if argv[:1] != ["import"] or len(argv) != 3:
        raise SystemExit("usage: python -m bench.server import <folder> <home>")
    figures = import_tier(Path(argv[1]), Path(argv[2]))
    figures["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    print(json.dumps(figures))


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    _main(sys.argv[1:])
