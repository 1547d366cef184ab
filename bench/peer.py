"""`make bench-peer` (`python -m bench.peer`): our /analytics beside an Apache
Superset 6.1 dashboard of the same KPIs and tables, on the same snapshot, in
the same run (issue 12: "our page settled in ≤ 0.3× the time of its
dashboard").

Superset lives in a virtual env of its own (bench/.peer-venv, git-ignored,
made on the first run from PyPI; Superset's code is never committed). The run:
import tier M (10,000 customers × 52 weeks) into a temporary PARTNERHUB_HOME,
copy the snapshot's DuckDB file for Superset (opened read-only), start
Superset (SQLite metadata in a temporary folder, no examples, no telemetry,
bench/peer_superset_config.py) and our app (gunicorn 2 × 4, as `make serve`)
on free loopback ports, build the dashboard through Superset's REST API,
check its numbers against our /api/v1/kpis and datasets, then time warm views
of both in Chromium, interleaved, and print the two columns. The figures go
to bench/results/peer.json.

The dashboard: the five headline KPIs of /analytics as big numbers, and the
first two tables of the page (recently added, expiring; Meetings, as our
page's default toggle) as tables of 10 rows a page with server-side paging,
as our grids show them. All seven read `lines`, the precomputed table our
page reads, with the rules of partnerhub/metrics/licenses.py written out for
the snapshot's as_of.

Settled: as bench/pages.py measures it (its Tab: from navigation start until
nothing has happened for 300 ms and no request is in flight, the quiet
window not counted), the page scrolled to its end, so lazily drawn sections
and charts load too. Chromium resolves nothing but loopback: Superset's front
end calls a telemetry host (the config also leaves it out of its content
security policy), and Playwright's request routing would switch the HTTP
cache off, and with it what a warm view is.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import urlsplit

import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.pages import CHROMIUM, CHROMIUM_ARGS, TIMEOUT_S, Tab, _median  # noqa: E402
from bench.server import ADMIN, Server, credentials, free_port, import_in_child, sign_in, tier_folder  # noqa: E402

VENV = ROOT / "bench" / ".peer-venv"
CONFIG = ROOT / "bench" / "peer_superset_config.py"
RESULTS = ROOT / "bench" / "results" / "peer.json"
SUPERSET = "apache-superset==6.1.0"
# 6.1 imports rich and cachetools without depending on them, and breaks on
# Flask-Caching 2.5; duckdb-engine is its DuckDB driver
PACKAGES = (SUPERSET, "rich", "cachetools", "Flask-Caching<2.5", "duckdb-engine", "duckdb", "gunicorn")
# Chromium as bench/pages.py starts it, and nothing but loopback resolves
LOOPBACK_ONLY = "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"
RUNS = 5
# the requests that fetch a page's numbers: Dash callbacks, Superset's chart data
DATA = {"ours": "/_dash-update-component", "superset": "/api/v1/chart/data"}
PAGE_ROWS = 10  # partnerhub/pages/_analytics/sections.py PAGE_SIZE


# ---- Superset: install, configure, start --------------------------------------------------------


def ensure_venv() -> Path:
    """bench/.peer-venv with Superset 6.1, made once (Python 3.11, as Superset
    6.1 supports it)."""
    superset = VENV / "bin" / "superset"
    if superset.exists():
        return VENV / "bin"
    python = shutil.which("python3.11")
    if python is None:
        raise SystemExit("bench-peer needs python3.11 to install Superset 6.1")
    print(f"installing {SUPERSET} into {VENV.relative_to(ROOT)} (once)")
    subprocess.run([python, "-m", "venv", str(VENV)], check=True)
    pip = [str(VENV / "bin" / "python"), "-m", "pip", "install", "-q"]
    subprocess.run(pip + ["--upgrade", "pip"], check=True)
    subprocess.run(pip + list(PACKAGES), check=True)
    return VENV / "bin"


class Superset:
    """Superset over a fresh metadata DB in `home`: gunicorn 2 × 4 (gthread),
    as ours runs, on a free loopback port."""

    def __init__(self, bin_dir: Path, home: Path):
        self.bin = bin_dir
        self.home = home
        self.port = free_port()
        self.user = "admin"
        self.password = secrets.token_urlsafe(16)
        self.env = dict(
            os.environ,
            SUPERSET_CONFIG_PATH=str(CONFIG),
            PEER_SUPERSET_HOME=str(home),
            PEER_SUPERSET_SECRET=secrets.token_urlsafe(42),
            FLASK_APP="superset",
        )
        self.proc: subprocess.Popen | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _cli(self, *args: str) -> None:
        out = subprocess.run(
            [str(self.bin / "superset"), *args], env=self.env, cwd=self.home, capture_output=True, text=True
        )
        if out.returncode != 0:
            tail = "\n".join((out.stdout + out.stderr).splitlines()[-15:])
            raise SystemExit(f"superset {args[0]} failed ({out.returncode}):\n{tail}")

    def setup(self) -> None:
        self._cli("db", "upgrade")
        self._cli(
            "fab",
            "create-admin",
            "--username",
            self.user,
            "--firstname",
            "Bench",
            "--lastname",
            "Peer",
            "--email",
            "bench.peer@example.invalid",
            "--password",
            self.password,
        )
        self._cli("init")

    def start(self, timeout: float = 180) -> None:
        self.proc = subprocess.Popen(
            [str(self.bin / "gunicorn"), "--workers", "2", "--threads", "4", "--worker-class", "gthread"]
            + ["--timeout", "120", "--bind", f"127.0.0.1:{self.port}", "superset.app:create_app()"],
            env=self.env,
            cwd=self.home,
            stdout=open(self.home / "gunicorn.log", "wb"),  # noqa: SIM115 (the child keeps it)
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if self.proc.poll() is not None:
                raise SystemExit(
                    f"Superset's gunicorn exited with {self.proc.returncode}: see {self.home}/gunicorn.log"
                )
            try:
                if requests.get(self.base + "/health", timeout=5).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.5)
        raise SystemExit("Superset did not answer in time")

    def stop(self) -> None:
        if self.proc is None:
            return
        os.killpg(self.proc.pid, signal.SIGTERM)  # its own session: the master and its workers
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
        self.proc = None


class Api:
    """Superset's REST API as its admin: bearer token and CSRF token."""

    def __init__(self, base: str, user: str, password: str):
        self.base = base
        self.s = requests.Session()
        res = self.s.post(
            base + "/api/v1/security/login",
            json={"username": user, "password": password, "provider": "db", "refresh": True},
            timeout=60,
        )
        res.raise_for_status()
        self.s.headers["Authorization"] = "Bearer " + res.json()["access_token"]
        csrf = self.s.get(base + "/api/v1/security/csrf_token/", timeout=60)
        csrf.raise_for_status()
        self.s.headers.update({"X-CSRFToken": csrf.json()["result"], "Referer": base})

    def call(self, method: str, path: str, body: dict | None = None) -> dict:
        res = self.s.request(method, self.base + path, json=body, timeout=120)
        if res.status_code >= 400:
            raise SystemExit(f"Superset {method} {path} answered {res.status_code}: {res.text[:800]}")
        return res.json()


# ---- the dashboard --------------------------------------------------------------------------------


@dataclass
class Rules:
    """The section rules of partnerhub/metrics/licenses.py over `lines`,
    with the snapshot's dates and the settings written in."""

    as_of: date
    low_factor: float
    low_min_age_days: int

    def _d(self, days: int = 0) -> str:
        return f"DATE '{(self.as_of + timedelta(days=days)).isoformat()}'"

    @property
    def recent(self) -> str:
        return f"is_current AND start_date BETWEEN {self._d(-90)} AND {self._d()}"

    @property
    def expiring(self) -> str:
        return f"is_current AND NOT auto_renew AND end_date BETWEEN {self._d()} AND {self._d(90)}"

    @property
    def renewing(self) -> str:
        return f"is_current AND auto_renew AND end_date BETWEEN {self._d()} AND {self._d(90)}"

    @property
    def low(self) -> str:
        return (
            f"is_current AND total_licenses >= 1 AND start_date <= {self._d(-self.low_min_age_days)} "
            f"AND allocation_ratio < {self.low_factor} * peer_baseline"
        )

    overage = "is_current AND assigned > total_licenses"

    def headline(self) -> dict[str, str]:
        """Each headline KPI's rule: Meetings or Calling lines (metrics.md)."""
        both = "product IN ('meetings', 'calling')"
        return {
            "total_customers": f"{both} AND is_current",
            "expiring_customers": f"{both} AND {self.expiring}",
            "renewing_customers": f"{both} AND {self.renewing}",
            "low_allocation_customers": f"{both} AND {self.low}",
            "overage_customers": f"{both} AND {self.overage}",
        }

    def tables(self) -> dict[str, tuple[str, tuple[str, ...], tuple[str, ...]]]:
        """name: (rule, columns, order) as the page's first two sections."""
        from partnerhub.metrics.licenses import RECENT_COLUMNS, WINDOW_COLUMNS

        meetings = "product = 'meetings'"
        return {
            "recently_added": (
                f"{meetings} AND {self.recent}",
                RECENT_COLUMNS,
                ("days_since_added", "customer_name", "customer_id", "subscription_id"),
            ),
            "expiring": (
                f"{meetings} AND {self.expiring}",
                WINDOW_COLUMNS,
                ("days_to_end", "customer_name", "customer_id", "subscription_id"),
            ),
        }


def _where(rule: str) -> list[dict]:
    return [{"expressionType": "SQL", "clause": "WHERE", "sqlExpression": rule, "filterOptionName": "rule"}]


def _query_context(dataset_id: int, form_data: dict, query: dict) -> dict:
    return {
        "datasource": {"id": dataset_id, "type": "table"},
        "force": False,
        "queries": [{"filters": [], "applied_time_extras": {}, "url_params": {}, **query}],
        "form_data": form_data,
        "result_format": "json",
        "result_type": "full",
    }


def big_number(dataset_id: int, name: str, rule: str) -> dict:
    metric = {"expressionType": "SQL", "sqlExpression": "COUNT(DISTINCT customer_id)", "label": name}
    form = {
        "datasource": f"{dataset_id}__table",
        "viz_type": "big_number_total",
        "metric": metric,
        "adhoc_filters": _where(rule),
        "header_font_size": 0.4,
        "subheader_font_size": 0.15,
        "y_axis_format": "SMART_NUMBER",
        "time_range": "No filter",
    }
    query = {"columns": [], "metrics": [metric], "extras": {"where": rule, "having": ""}, "row_limit": 1}
    return {"form": form, "query_context": _query_context(dataset_id, form, query)}


def table(dataset_id: int, rule: str, columns: tuple[str, ...], order: tuple[str, ...]) -> dict:
    form = {
        "datasource": f"{dataset_id}__table",
        "viz_type": "table",
        "query_mode": "raw",
        "all_columns": list(columns),
        "order_by_cols": [json.dumps([c, True]) for c in order],
        "adhoc_filters": _where(rule),
        "row_limit": 100000,
        "server_pagination": True,
        "server_page_length": PAGE_ROWS,
        "include_search": False,
        "show_cell_bars": False,
        "time_range": "No filter",
    }
    query = {
        "columns": list(columns),
        "metrics": [],
        "orderby": [[c, True] for c in order],
        "extras": {"where": rule, "having": ""},
        "row_limit": PAGE_ROWS,
        "row_offset": 0,
    }
    return {"form": form, "query_context": _query_context(dataset_id, form, query)}


def _position(title: str, kpi_ids: list[int], table_ids: list[int], names: dict[int, str]) -> dict:
    """Five big numbers in the first row, then one table per row."""
    layout: dict = {
        "DASHBOARD_VERSION_KEY": "v2",
        "ROOT_ID": {"type": "ROOT", "id": "ROOT_ID", "children": ["GRID_ID"]},
        "HEADER_ID": {"type": "HEADER", "id": "HEADER_ID", "meta": {"text": title}},
    }
    rows = [("ROW-kpis", kpi_ids, 2, 25)] + [(f"ROW-table-{i}", [cid], 12, 70) for i, cid in enumerate(table_ids)]
    layout["GRID_ID"] = {"type": "GRID", "id": "GRID_ID", "children": [r[0] for r in rows], "parents": ["ROOT_ID"]}
    for row_id, ids, width, height in rows:
        chart_keys = [f"CHART-{cid}" for cid in ids]
        layout[row_id] = {
            "type": "ROW",
            "id": row_id,
            "children": chart_keys,
            "parents": ["ROOT_ID", "GRID_ID"],
            "meta": {"background": "BACKGROUND_TRANSPARENT"},
        }
        for cid, key in zip(ids, chart_keys, strict=True):
            layout[key] = {
                "type": "CHART",
                "id": key,
                "children": [],
                "parents": ["ROOT_ID", "GRID_ID", row_id],
                "meta": {"chartId": cid, "width": width, "height": height, "sliceName": names[cid]},
            }
    return layout


@dataclass
class Dashboard:
    path: str
    kpi_charts: dict[str, dict] = field(default_factory=dict)  # name: {"id", "query_context"}
    table_charts: dict[str, dict] = field(default_factory=dict)


def build_dashboard(api: Api, duckdb_file: Path, rules: Rules) -> Dashboard:
    db = api.call(
        "POST",
        "/api/v1/database/",
        {
            "database_name": "partnerhub snapshot",
            "sqlalchemy_uri": f"duckdb:///{duckdb_file}?access_mode=read_only",
            "expose_in_sqllab": True,
        },
    )["id"]
    dataset = api.call("POST", "/api/v1/dataset/", {"database": db, "schema": "main", "table_name": "lines"})["id"]
    title = "Partner Hub: license analytics"
    dash_id = api.call("POST", "/api/v1/dashboard/", {"dashboard_title": title, "published": True})["id"]
    made = Dashboard(path="")
    names: dict[int, str] = {}

    def chart(name: str, viz: str, spec: dict) -> dict:
        body = {
            "slice_name": name,
            "viz_type": viz,
            "datasource_id": dataset,
            "datasource_type": "table",
            "params": json.dumps(spec["form"]),
            "query_context": json.dumps(spec["query_context"]),
            "dashboards": [dash_id],
        }
        cid = api.call("POST", "/api/v1/chart/", body)["id"]
        names[cid] = name
        return {"id": cid, "query_context": spec["query_context"]}

    for name, rule in rules.headline().items():
        made.kpi_charts[name] = chart(name, "big_number_total", big_number(dataset, name, rule))
    for name, (rule, columns, order) in rules.tables().items():
        made.table_charts[name] = chart(name, "table", table(dataset, rule, columns, order))
    position = _position(
        title, [c["id"] for c in made.kpi_charts.values()], [c["id"] for c in made.table_charts.values()], names
    )
    api.call(
        "PUT",
        f"/api/v1/dashboard/{dash_id}",
        {"position_json": json.dumps(position)},
    )
    made.path = f"/superset/dashboard/{dash_id}/"
    return made


# ---- the same numbers? ----------------------------------------------------------------------------


def superset_rows(api: Api, query_context: dict) -> list[dict]:
    return api.call("POST", "/api/v1/chart/data", query_context)["result"][0]["data"]


def compare_numbers(api: Api, dashboard: Dashboard, rules: Rules, ours_base: str, session, ctx) -> list[str]:
    """Every difference between the dashboard and us, as sentences (none:
    the numbers are equal). KPIs against our /api/v1/kpis; tables by row
    count and by the first page's subscriptions, against our datasets."""
    from partnerhub.metrics.datasets import DATASETS
    from partnerhub.metrics.types import View

    differences = []
    headline = session.get(ours_base + "/api/v1/kpis", timeout=60).json()["headline"]
    for name, chart in dashboard.kpi_charts.items():
        theirs = superset_rows(api, chart["query_context"])[0][name]
        if headline.get(name) != theirs:
            differences.append(f"{name}: ours {headline.get(name)}, Superset {theirs}")
    for name, chart in dashboard.table_charts.items():
        frame = DATASETS[name].fn(ctx, View()).frame
        rule = rules.tables()[name][0]
        count_ctx = json.loads(json.dumps(chart["query_context"]))
        q = count_ctx["queries"][0]
        q.update(columns=[], orderby=[], row_limit=1, row_offset=0)
        q["metrics"] = [{"expressionType": "SQL", "sqlExpression": "COUNT(*)", "label": "rows"}]
        theirs_count = superset_rows(api, count_ctx)[0]["rows"]
        if theirs_count != frame.height:
            differences.append(f"{name}: ours {frame.height} rows, Superset {theirs_count} ({rule})")
        first = [r["subscription_id"] for r in superset_rows(api, chart["query_context"])]
        if first != frame["subscription_id"].head(PAGE_ROWS).to_list():
            differences.append(f"{name}: the first {PAGE_ROWS} rows differ")
    return differences


# ---- settled, in Chromium -------------------------------------------------------------------------


class Outside:
    """Requests that tried to leave loopback (the host resolver refuses
    them): Superset's telemetry pixel, apachesuperset.gateway.scarf.sh."""

    def __init__(self) -> None:
        self.hosts: dict[str, int] = {}

    def watch(self, page) -> None:
        page.on("request", self._seen)

    def _seen(self, request) -> None:
        host = urlsplit(request.url).hostname
        if request.url.startswith("http") and host not in ("127.0.0.1", "localhost"):
            self.hosts[host or "?"] = self.hosts.get(host or "?", 0) + 1


def _signed_in_superset(browser, superset: Superset):
    context = browser.new_context(base_url=superset.base, locale="en-US", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto("/login/")
    page.locator("input#username, input[name=username]").first.fill(superset.user)
    page.locator("input#password, input[name=password]").first.fill(superset.password)
    page.locator("button[type=submit]").first.click()
    page.wait_for_url(lambda u: "/login" not in u, timeout=TIMEOUT_S * 1000)
    page.close()
    return context


def _signed_in_ours(browser, base: str, email: str, password: str):
    """Through our sign-in form, as bench/pages.py's Browser.sign_in."""
    context = browser.new_context(base_url=base, locale="en-US", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto("/login")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.locator("#account-menu").wait_for(timeout=TIMEOUT_S * 1000)
    page.close()
    return context


def measure(ours: Server, ours_password: str, superset: Superset, dashboard_path: str) -> dict:
    """Warm views of both, interleaved: a first view of each fills the
    caches, then RUNS views each; settled time by bench/pages.py's Tab."""
    from playwright.sync_api import sync_playwright

    outside = Outside()
    with sync_playwright() as p:
        # Playwright's request routing would turn the HTTP cache off (and a
        # warm view with it), so the host resolver blocks everything else
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS + [LOOPBACK_ONLY])
        try:
            tabs = {
                "ours": (Tab(_signed_in_ours(browser, ours.base, ADMIN, ours_password)), "/analytics"),
                "superset": (Tab(_signed_in_superset(browser, superset)), dashboard_path),
            }
            for tab, _path in tabs.values():
                outside.watch(tab.page)
            first = {who: tab.view(path, scroll=True) for who, (tab, path) in tabs.items()}
            views: dict[str, list[dict]] = {who: [] for who in tabs}
            for _ in range(RUNS):  # interleaved, so the machine's noise falls on both
                for who, (tab, path) in tabs.items():
                    view = tab.view(path, scroll=True)
                    view["last_activity"] = tab.page.evaluate("() => window.__bench && window.__bench.why")
                    view["data_requests"] = sum(1 for r in tab.recorder.requests.values() if DATA[who] in r.url)
                    views[who].append(view)
            if "/login" in tabs["superset"][0].page.url:
                raise SystemExit("the Superset dashboard asked for a sign-in")
        finally:
            browser.close()
    out: dict = {}
    for who, runs in views.items():
        out[who] = _median([{k: v for k, v in r.items() if k != "last_activity"} for r in runs])
        out[who]["last_activity"] = [r["last_activity"] for r in runs]
        out[who]["warming_view"] = first[who]
    out["outside_requests"] = outside.hosts
    return out


# ---- the run --------------------------------------------------------------------------------------


def _snapshot_context(home: Path):
    from partnerhub.data.settings import load_settings
    from partnerhub.data.snapshots import SnapshotStore
    from partnerhub.data.state import StateStore
    from partnerhub.metrics.types import Context

    settings = load_settings(home=home)
    store = SnapshotStore(settings.snapshots_dir)
    snap = store.current()
    assert snap is not None
    return Context(snap, StateStore(settings.state_url), settings), store


def _versions(bin_dir: Path) -> dict:
    out = subprocess.run(
        [str(bin_dir / "python"), "-c", "import importlib.metadata as m; print(m.version('apache-superset'))"],
        capture_output=True,
        text=True,
    )
    return {"superset": out.stdout.strip(), "python": platform.python_version(), "machine": platform.platform()}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=10_000)
    parser.add_argument("--weeks", type=int, default=52)
    parser.add_argument("--keep", action="store_true", help="keep the temporary folders (for a look afterwards)")
    args = parser.parse_args(argv)

    bin_dir = ensure_venv()
    work = Path(tempfile.mkdtemp(prefix="bench-peer-"))
    home, peer_home = work / "partnerhub", work / "superset"
    home.mkdir()
    peer_home.mkdir()
    superset = Superset(bin_dir, peer_home)
    ours = Server(home)
    try:
        folder = tier_folder(args.customers, args.weeks)
        print(f"tier: {args.customers:,} customers × {args.weeks} weeks ({folder.relative_to(ROOT)})")
        figures = import_in_child(folder, home)
        print(f"  imported in {figures['import_s']} s")
        ctx, store = _snapshot_context(home)
        copy = peer_home / "snapshot.duckdb"
        shutil.copyfile(ctx.snapshot.path, copy)
        os.chmod(copy, 0o400)
        rules = Rules(ctx.as_of, ctx.settings.low_allocation_factor, ctx.settings.low_allocation_min_age_days)

        t = time.perf_counter()
        superset.setup()
        superset.start()
        ours.start()
        print(f"  Superset set up and started in {time.perf_counter() - t:.0f} s")
        api = Api(superset.base, superset.user, superset.password)
        dashboard = build_dashboard(api, copy, rules)
        session = sign_in(ours.base, ADMIN, credentials(home)[ADMIN])
        differences = compare_numbers(api, dashboard, rules, ours.base, session, ctx)
        print("  numbers: " + ("equal" if not differences else "DIFFERENT: " + "; ".join(differences)))
        store.close()
        result = measure(ours, credentials(home)[ADMIN], superset, dashboard.path)
    finally:
        ours.stop()
        superset.stop()
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)

    a, b = result["ours"], result["superset"]
    ratio = a["settled_ms"] / b["settled_ms"]
    print(f"\nwarm view, median of {RUNS} (interleaved):")
    print(f"  {'':22} {'settled ms':>11} {'bytes':>10} {'requests':>9} {'data requests':>14}")
    for label, x in (("Partner Hub /analytics", a), ("Superset dashboard", b)):
        print(
            f"  {label:22} {x['settled_ms']:11.0f} {x['bytes']:10,.0f} {x['requests']:9.0f} {x['data_requests']:14.0f}"
        )
    print(f"  ratio (ours / Superset's settled time): {ratio:.2f} (target ≤ 0.3)")
    blocked = ", ".join(f"{host} ×{n}" for host, n in result["outside_requests"].items()) or "none"
    print(f"  requests off loopback (refused): {blocked}")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(
        json.dumps(
            {
                "tier": f"{args.customers}x{args.weeks}",
                "runs": RUNS,
                "ours": a,
                "superset": b,
                "ratio": round(ratio, 3),
                "outside_requests_refused": result["outside_requests"],
                "numbers_equal": not differences,
                "differences": differences,
                "machine": {**_versions(bin_dir), "cpus": os.cpu_count()},
            },
            indent=2,
        )
    )
    print(f"  written to {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
