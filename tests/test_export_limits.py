"""Fair exports: heavy exports are bounded per user and per process (429 with
Retry-After over a bound), a slot lives exactly as long as its response, and
the XLSX written in a worker process is the one the old in-thread writer made.
The latency under an export flood is measured in bench/, never asserted here."""

from __future__ import annotations

import gc
import io
import subprocess
import sys
from datetime import UTC, date, datetime

import openpyxl
import polars as pl
import pytest

from partnerhub.api.export_limits import HEAVY_CELLS, ExportsBusy, ExportSlots, is_heavy
from partnerhub.api.export_pool import ExportPool
from partnerhub.api.exports import xlsx_chunks
from partnerhub.api.routes import CACHE, SLOTS
from tests.auth_client import api_tokens

A = "full.admin@demo.example"
B = "admin@demo.example"
C = "sales@demo.example"
XLSX = "/api/v1/datasets/customers.xlsx"


@pytest.fixture(scope="module")
def tokens(app):
    return api_tokens(app, (A, B, C), "export limits")


@pytest.fixture(autouse=True)
def cold(app):
    """cold(): forget the finished files, so that the next request writes its
    file again (a file written before is served without a slot,
    test_export_cache.py)."""
    app.extensions[CACHE].clear()
    return app.extensions[CACHE].clear


@pytest.fixture
def held(app, client, tokens):
    """held(email, url): a started export whose body is not read yet (the
    client still downloading it); every one is closed after the test."""
    opened = []

    def start(email, url=XLSX):
        res = client.get(url, headers={"Authorization": f"Bearer {tokens[email]}"}, buffered=False)
        opened.append(res)
        return res

    yield start
    for res in opened:
        res.close()
    assert app.extensions[SLOTS].running() == 0


def get(client, tokens, email, url=XLSX):
    return client.get(url, headers={"Authorization": f"Bearer {tokens[email]}"})


def test_the_same_user_over_the_bound_gets_429_with_retry_after(app, client, tokens, held, cold):
    first = held(A)
    assert first.status_code == 200
    cold()

    refused = get(client, tokens, A)
    assert refused.status_code == 429
    assert int(refused.headers["Retry-After"]) > 0
    body = refused.get_json()
    assert body["limit"] == "PARTNERHUB_EXPORTS_PER_USER" and body["allowed"] == 1
    # a whole sentence the download menu can show as it is
    assert body["error"].startswith("You may run 1 large export at a time") and body["error"].endswith(".")

    # the same user's small CSV is not heavy and is not held back
    assert get(client, tokens, A, "/api/v1/datasets/customers.csv").status_code == 200

    first.close()
    assert get(client, tokens, A).status_code == 200


def test_other_users_get_theirs_within_the_process_bound(app, client, tokens, held, cold):
    assert app.extensions[SLOTS].per_process == 2
    assert held(A).status_code == 200
    cold()
    second = held(B)
    assert second.status_code == 200
    cold()

    refused = get(client, tokens, C)
    assert refused.status_code == 429
    assert refused.get_json()["limit"] == "PARTNERHUB_EXPORTS_PER_PROCESS"
    assert refused.get_json()["error"].startswith("The server is already writing 2 large exports")
    assert "Retry-After" in refused.headers

    second.close()
    done = get(client, tokens, C)
    assert done.status_code == 200
    assert openpyxl.load_workbook(io.BytesIO(done.data)).active.max_row > 1


def test_a_slot_is_freed_when_the_client_goes_away_mid_file(app, client, tokens, held, cold):
    res = held(A)
    assert next(iter(res.response))  # part of the file was sent
    assert app.extensions[SLOTS].running() == 1
    res.close()  # what the WSGI server does when the client disconnects
    assert app.extensions[SLOTS].running() == 0
    cold()
    assert get(client, tokens, A).status_code == 200


def test_a_slot_is_freed_when_the_file_was_read_to_the_end(app, client, tokens):
    assert get(client, tokens, A).status_code == 200
    assert app.extensions[SLOTS].running() == 0


def test_a_response_never_closed_frees_its_slot_once_collected(app, client, tokens):
    res = client.get(XLSX, headers={"Authorization": f"Bearer {tokens[A]}"}, buffered=False)
    assert res.status_code == 200 and app.extensions[SLOTS].running() == 1
    del res
    gc.collect()
    assert app.extensions[SLOTS].running() == 0


def test_refused_requests_are_checked_before_the_bound(client, tokens, held):
    assert held(A).status_code == 200
    # a bad parameter or an unknown dataset is still named, not hidden behind a 429
    assert get(client, tokens, A, "/api/v1/datasets/customers.xlsx?product=nosuch").status_code == 400
    assert get(client, tokens, A, "/api/v1/datasets/nosuch.xlsx").status_code == 404


def test_large_csv_and_parquet_count_as_heavy():
    assert is_heavy("xlsx", 1, 1)
    assert not is_heavy("csv", 20_000, 25)
    assert is_heavy("csv", HEAVY_CELLS // 10 + 1, 10)
    assert is_heavy("parquet", HEAVY_CELLS + 1, 1)


def test_the_per_user_bound_holds_across_worker_processes(tmp_path):
    # two ExportSlots on one lock folder stand for two gunicorn workers
    worker_1 = ExportSlots(per_user=1, per_process=2, lock_dir=tmp_path)
    worker_2 = ExportSlots(per_user=1, per_process=2, lock_dir=tmp_path)
    slot = worker_1.acquire(7)
    with pytest.raises(ExportsBusy) as busy:
        worker_2.acquire(7)
    assert busy.value.limit == "per_user"
    other = worker_2.acquire(8)  # another user
    slot.release()
    slot.release()  # twice is harmless
    worker_2.acquire(7).release()
    other.release()
    assert worker_1.running() == worker_2.running() == 0


def test_a_killed_worker_leaks_no_slot(tmp_path):
    slots = ExportSlots(per_user=1, per_process=2, lock_dir=tmp_path)
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys; from pathlib import Path; from partnerhub.api.export_limits import ExportSlots;"
            "s = ExportSlots(1, 2, Path(sys.argv[1])).acquire(7); print('held', flush=True); sys.stdin.read()",
            str(tmp_path),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        with pytest.raises(ExportsBusy):
            slots.acquire(7)
    finally:
        holder.kill()
        holder.wait()
    slots.acquire(7).release()


def test_bounds_below_one_are_refused(monkeypatch, tmp_path):
    from partnerhub.data.settings import load_settings

    settings = load_settings(home=tmp_path)
    assert (settings.exports_per_user, settings.exports_per_process) == (1, 2)
    monkeypatch.setenv("PARTNERHUB_EXPORTS_PER_USER", "3")
    monkeypatch.setenv("PARTNERHUB_EXPORTS_PER_PROCESS", "4")
    settings = load_settings(home=tmp_path)
    assert (settings.exports_per_user, settings.exports_per_process) == (3, 4)
    monkeypatch.setenv("PARTNERHUB_EXPORTS_PER_PROCESS", "0")
    with pytest.raises(SystemExit, match="PARTNERHUB_EXPORTS_PER_PROCESS"):
        load_settings(home=tmp_path)


def _cells(body: bytes) -> list[list[tuple[object, str, str]]]:
    ws = openpyxl.load_workbook(io.BytesIO(body)).active
    return [[(c.value, c.data_type, c.number_format) for c in row] for row in ws.iter_rows()]


def test_the_worker_process_writes_what_the_old_writer_wrote(app, tokens):
    frame = pl.DataFrame(
        {
            "customer_name": ['=HYPERLINK("http://x")', "+1", "Ünïcode 名前", None],
            "customer_id": ["c1", "c2", "c3", "c4"],
            "total_licenses": [1, None, 3, 2**40],
            "ratio": [0.5, 1.25, None, -2.0],
            "trial": [True, False, None, True],
            "expires_on": [date(2024, 2, 29), None, date(1999, 12, 31), date(2030, 1, 1)],
            "last_seen": [
                datetime(2024, 3, 1, 23, 59, 59, tzinfo=UTC),
                datetime(2024, 3, 1, 23, 59, 59, 500_000, tzinfo=UTC),
                None,
                datetime(2020, 1, 1, tzinfo=UTC),
            ],
        }
    )
    pool = ExportPool(workers=1)
    try:
        with pool.xlsx_file(frame, "sheet") as f:
            from_worker = f.read()
    finally:
        pool.shutdown()
    in_thread = b"".join(xlsx_chunks(frame, "sheet"))
    assert _cells(from_worker) == _cells(in_thread)
    cells = _cells(from_worker)
    assert [v for v, _t, _f in cells[0]] == frame.columns
    assert cells[1][0] == ('=HYPERLINK("http://x")', "s", "General")  # text, never a formula
    assert all(t != "f" for row in cells for _v, t, _f in row)


def test_the_api_xlsx_equals_the_old_writer_on_the_demo_data(app, client, tokens):
    from partnerhub.metrics.datasets import DATASETS
    from partnerhub.metrics.types import Context, View

    svc = app.extensions["partnerhub"]
    ctx = Context(svc.snapshots.current(), svc.state, svc.settings)
    frame = DATASETS["customers"].fn(ctx, View(scope=None)).export()
    assert _cells(get(client, tokens, A).data) == _cells(b"".join(xlsx_chunks(frame)))
