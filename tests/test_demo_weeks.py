"""`make run`'s demo data comes with a previous snapshot (cli/demo.py): the
generated folder is imported as it stood a week earlier, then whole, so the
kept snapshot with as_of - 7 exists for "the change since the previous
snapshot"."""

from __future__ import annotations

from datetime import date, timedelta

import duckdb
import polars as pl
from flask import Flask

from partnerhub.cli.demo import CREDENTIALS, DEMO_DATA, ensure_demo, import_two_weeks, week_before
from partnerhub.data.contract import BY_NAME
from partnerhub.data.runtime import EXTENSION, Services
from partnerhub.data.settings import load_settings
from partnerhub.data.snapshots import SnapshotStore
from partnerhub.data.state import StateStore
from partnerhub.metrics.changes import previous_context
from partnerhub.metrics.types import Context
from tests.contract_files import write_folder

WEEKLY = [t for t in BY_NAME if "week_start" in BY_NAME[t].column_names]


def _rows(folder, table) -> pl.DataFrame:
    path = next(folder.glob(f"{table}.*"))
    return pl.read_parquet(path) if path.suffix == ".parquet" else pl.read_csv(path, try_parse_dates=True)


def test_the_week_before_drops_exactly_the_latest_week(demo_data, tmp_path):
    out = week_before(demo_data, tmp_path / "before")
    latest = _rows(demo_data, "license_usage")["week_start"].max()
    assert sorted(p.name for p in out.iterdir()) == sorted(p.name for p in demo_data.iterdir())
    assert set(WEEKLY) == {"license_usage", "calling_usage", "call_quality", "calling_features", "call_queues"}
    for table in BY_NAME:
        whole, before = _rows(demo_data, table), _rows(out, table)
        if table in WEEKLY:
            assert before["week_start"].max() < latest
            assert before.height == whole.filter(pl.col("week_start") != latest).height > 0
            assert before.equals(whole.filter(pl.col("week_start") != latest))
        else:
            assert before.equals(whole)


def test_a_csv_folder_keeps_its_texts(tmp_path):
    tables = {
        "customers": [
            dict(customer_id="C1", name='Ünïcode, "quoted"', managed_by="partner", created_on=date(2020, 1, 1))
        ],
        "subscriptions": [
            dict(
                subscription_id="S1",
                customer_id="C1",
                kind="paid",
                status="active",
                start_date=date(2024, 1, 1),
                end_date=date(2026, 1, 1),
                auto_renew=True,
            )
        ],
        "subscription_licenses": [dict(subscription_id="S1", product="meetings", licenses=5)],
        "license_usage": [
            dict(subscription_id="S1", product="meetings", week_start=date(2025, 6, 1), assigned=3, used=2),
            dict(subscription_id="S1", product="meetings", week_start=date(2025, 6, 8), assigned=4, used=2),
        ],
    }
    folder = write_folder(tmp_path / "now", tables, "csv")
    out = week_before(folder, tmp_path / "before")
    assert (out / "customers.csv").read_bytes() == (folder / "customers.csv").read_bytes()
    usage = (out / "license_usage.csv").read_text().splitlines()
    assert usage[1:] == ["S1,meetings,2025-06-01,3,2"]


def test_two_imports_a_week_apart(demo_data, tmp_path):
    settings = load_settings(home=tmp_path)
    state = StateStore(settings.state_url)
    state.init_schema()
    store = SnapshotStore(settings.snapshots_dir)
    result = import_two_weeks(demo_data, store, state, keep=3, previous=tmp_path / "before")
    assert result.ok, result.report.lines()
    now = store.current()
    assert now is not None and len(store.ids()) == 2
    before = previous_context(Context(now, state, settings), store)
    assert before is not None and before.as_of == now.as_of - timedelta(days=7)
    assert before.snapshot.source == str((tmp_path / "before").resolve())


def test_ensure_demo_imports_two_weeks_once(tmp_path):
    app = Flask(__name__)
    app.extensions[EXTENSION] = Services.build(load_settings(home=tmp_path, argon2_profile="cheap"))
    with app.app_context():
        creds = ensure_demo(customers=200, weeks=13, echo=lambda _m: None)
        assert "full.admin@demo.example" in creds
        svc = app.extensions[EXTENSION]
        ids = svc.snapshots.ids()
        as_ofs = []
        for sid in ids:
            con = duckdb.connect(str(svc.snapshots.path(sid)), read_only=True)
            as_ofs.append(con.execute("SELECT as_of FROM meta").fetchone()[0])
            con.close()
        assert len(ids) == 2 and as_ofs[1] - as_ofs[0] == timedelta(days=7)
        assert svc.snapshots.current().id == ids[1]
        assert svc.snapshots.current().source == str((tmp_path / DEMO_DATA).resolve())
        # a second run imports nothing and keeps the sign-ins
        assert ensure_demo(customers=200, weeks=13, echo=lambda _m: None) == creds
        assert svc.snapshots.ids() == ids
        assert (tmp_path / CREDENTIALS).exists()
