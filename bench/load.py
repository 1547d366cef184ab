"""Signed-in users replaying page views against the server, for a while.

Each user has a session of their own (signed in through the form) and
replays, page after page, what a warm Chromium view sent to the server as
bench/pages.py recorded it: the document, Dash's layout and dependencies,
the callback POST bodies, in order. Requests the browser sent together are
sent together: a request waits only for those that had finished before it
started in the recording (Chromium's waves), at most 6 at once per user as a
browser does over HTTP/1.1.

Figures: requests per second, per-request p50/p95, page-view p50/p95 (per
page, customer detail among them), errors (an answer ≥ 400 or no answer),
and the gunicorn workers' resident memory before and after.
"""

from __future__ import annotations

import statistics
import threading
import time
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlsplit

import requests

from bench.server import ADMIN, Server, sign_in

PARALLEL = 6  # Chromium's connections per host over HTTP/1.1


def waves(recording: list[dict]) -> list[list[dict]]:
    """The recorded requests grouped so that each waits only for those that
    had finished before it started."""
    level: list[int] = []
    for i, r in enumerate(recording):
        before = [level[j] for j in range(i) if recording[j]["end"] <= r["start"]]
        level.append(max(before) + 1 if before else 0)
    out: list[list[dict]] = [[] for _ in range(max(level) + 1)] if level else []
    for r, n in zip(recording, level, strict=True):
        out[n].append(r)
    return out


def _path(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


class User:
    def __init__(self, base: str, session: requests.Session):
        self.base = base
        self.session = session
        self.pool = ThreadPoolExecutor(PARALLEL)

    def send(self, r: dict) -> tuple[float, int]:
        headers = {}
        if r["method"] == "POST":
            headers["Content-Type"] = r["content_type"] or "application/json"
            headers["X-CSRFToken"] = self.session.cookies.get("_csrf_token", "")
        t = time.perf_counter()
        try:
            res = self.session.request(
                r["method"], self.base + _path(r["url"]), data=r["body"], headers=headers, timeout=60
            )
            status = res.status_code
        except requests.RequestException:
            status = 0
        return (time.perf_counter() - t) * 1000, status

    def view(self, plan: list[list[dict]]) -> tuple[float, list[tuple[float, int]]]:
        t = time.perf_counter()
        results: list[tuple[float, int]] = []
        for wave in plan:
            results.extend(self.pool.map(self.send, wave))
        return (time.perf_counter() - t) * 1000, results


def _p(values: list[float], q: int) -> float | None:
    if len(values) < 2:
        return round(values[0], 1) if values else None
    return round(statistics.quantiles(values, n=100, method="inclusive")[q - 1], 1)


def run_load(
    server: Server, password: str, recordings: dict[str, list[dict]], users: int = 20, seconds: float = 60
) -> dict:
    """`users` signed-in sessions of the broad-scope partner admin replaying
    the recorded page views round robin (each user starting at another page)
    for `seconds`."""
    plans = {name: waves(rec) for name, rec in recordings.items() if rec}
    names = sorted(plans)
    people = [User(server.base, sign_in(server.base, ADMIN, password)) for _ in range(users)]
    for person in people:  # the CSRF cookie comes with the first page
        person.session.get(server.base + "/", timeout=60)
    rss_before = server.worker_rss_mb()
    lock = threading.Lock()
    latencies: list[float] = []
    statuses: dict[int, int] = defaultdict(int)
    views: dict[str, list[float]] = defaultdict(list)
    stop = time.monotonic() + seconds

    def loop(i: int, person: User) -> None:
        k = i
        # every user views every page at least once, however short the run
        while time.monotonic() < stop or k < i + len(names):
            name = names[k % len(names)]
            k += 1
            ms, results = person.view(plans[name])
            with lock:
                views[name].append(ms)
                for lat, status in results:
                    latencies.append(lat)
                    statuses[status] += 1

    start = time.perf_counter()
    threads = [threading.Thread(target=loop, args=(i, p), daemon=True) for i, p in enumerate(people)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    elapsed = time.perf_counter() - start
    for person in people:
        person.pool.shutdown()
        person.session.close()
    errors = sum(n for status, n in statuses.items() if status == 0 or status >= 400)
    return {
        "users": users,
        "seconds": round(elapsed, 1),
        "server": f"gunicorn --workers {server.workers} --threads {server.threads}",
        "requests": len(latencies),
        "req_per_s": round(len(latencies) / elapsed, 1),
        "p50_ms": _p(latencies, 50),
        "p95_ms": _p(latencies, 95),
        "errors": errors,
        "statuses": {str(k): v for k, v in sorted(statuses.items())},
        "page_views": {
            name: {"views": len(v), "p50_ms": _p(v, 50), "p95_ms": _p(v, 95)} for name, v in sorted(views.items())
        },
        "worker_rss_mb_before": rss_before,
        "worker_rss_mb_after": server.worker_rss_mb(),
    }
