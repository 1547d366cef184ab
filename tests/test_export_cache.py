"""The export cache: a finished file per (snapshot, scope, view, format) on
disk, written once however many ask at once (also from other processes),
bounded in bytes, dropped with its snapshot, and never served to a viewer of
other customers."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import threading
from pathlib import Path

import openpyxl
import polars as pl
import pytest

from partnerhub.api.export_cache import ExportCache, export_key
from partnerhub.api.routes import CACHE, SLOTS
from tests.auth_client import api_tokens

FULL = "full.admin@demo.example"
ADMIN = "admin@demo.example"
XLSX = "/api/v1/datasets/customers.xlsx"


@pytest.fixture(scope="module")
def tokens(app):
    return api_tokens(app, (FULL, ADMIN), "export cache")


@pytest.fixture(autouse=True)
def cold(app):
    app.extensions[CACHE].clear()


def get(client, token, url=XLSX, **kw):
    return client.get(url, headers={"Authorization": f"Bearer {token}"}, **kw)


def scope_of(app, email) -> set[str]:
    from tests.test_api import scope_of as scope

    return scope(app, email)


def xlsx_ids(body: bytes) -> set[str]:
    ws = openpyxl.load_workbook(io.BytesIO(body)).active
    rows = list(ws.iter_rows(values_only=True))
    column = rows[0].index("customer_id")
    return {row[column] for row in rows[1:]}


def files_in(cache: ExportCache) -> list[Path]:
    return sorted(p for p in cache.directory.glob("*/*") if p.suffix in (".csv", ".xlsx", ".parquet"))


# ---- through the API ---------------------------------------------------------------------------


def test_a_file_asked_for_again_comes_from_disk_without_a_slot(app, client, tokens):
    cache: ExportCache = app.extensions[CACHE]
    first = get(client, tokens[FULL])
    assert first.status_code == 200
    first.close()  # sent: its slot is free again
    assert [p.suffix for p in files_in(cache)] == [".xlsx"]
    # the same user's only slot is taken by another export that is still being sent...
    busy = get(client, tokens[FULL], XLSX + "?status=trial", buffered=False)
    try:
        assert busy.status_code == 200 and app.extensions[SLOTS].running() == 1
        # ...yet the file written before is served: nothing is computed or written for it
        again = get(client, tokens[FULL])
        assert again.status_code == 200
        assert again.data == first.data
        assert again.headers["Content-Disposition"] == first.headers["Content-Disposition"]
    finally:
        busy.close()
    assert app.extensions[SLOTS].running() == 0


def test_every_format_is_kept_and_equals_a_fresh_file(app, client, tokens):
    for fmt in ("csv", "parquet", "xlsx"):
        url = f"/api/v1/datasets/expiring.{fmt}"
        fresh = get(client, tokens[FULL], url).data
        assert get(client, tokens[FULL], url).data == fresh
    assert sorted(p.suffix for p in files_in(app.extensions[CACHE])) == [".csv", ".parquet", ".xlsx"]


def test_a_user_of_another_scope_never_gets_the_file_of_the_first(app, client, tokens):
    everyone = get(client, tokens[FULL])
    theirs = get(client, tokens[ADMIN])
    assert everyone.status_code == theirs.status_code == 200
    admin_scope = scope_of(app, ADMIN)
    assert xlsx_ids(theirs.data) == admin_scope
    assert len(xlsx_ids(everyone.data)) > len(admin_scope)
    # two files, one per scope; asking again still gives each their own
    assert len(files_in(app.extensions[CACHE])) == 2
    assert xlsx_ids(get(client, tokens[ADMIN]).data) == admin_scope
    assert get(client, tokens[FULL]).data == everyone.data


def test_filters_are_part_of_the_key(app, client, tokens):
    whole = pl.read_parquet(io.BytesIO(get(client, tokens[FULL], "/api/v1/datasets/customers.parquet").data))
    trials = pl.read_parquet(
        io.BytesIO(get(client, tokens[FULL], "/api/v1/datasets/customers.parquet?subscription_type=trial").data)
    )
    assert 0 < trials.height < whole.height


def test_files_of_a_snapshot_that_is_gone_are_dropped(app, client, tokens):
    cache: ExportCache = app.extensions[CACHE]
    stale = cache.directory / "20000101T000000Z-gone"
    stale.mkdir(parents=True)
    (stale / "abc.xlsx").write_bytes(b"old")
    assert get(client, tokens[FULL], "/api/v1/datasets/expiring.csv").status_code == 200
    assert not stale.exists()
    assert len(files_in(cache)) == 1


# ---- the cache itself --------------------------------------------------------------------------


def test_two_askers_at_once_write_the_file_once(tmp_path):
    cache = ExportCache(tmp_path, 10**9)
    key = export_key("s1", "xlsx", "customers")
    started, go = threading.Event(), threading.Event()
    builds: list[int] = []
    bodies: list[bytes] = []

    def build(path: str) -> None:
        builds.append(1)
        started.set()
        go.wait(30)
        Path(path).write_bytes(b"the workbook")

    def ask() -> None:
        with cache.get_or_build(key, build) as f:
            bodies.append(f.read())

    first = threading.Thread(target=ask)
    first.start()
    assert started.wait(30)
    assert cache.building(key)
    second = threading.Thread(target=ask)
    second.start()
    go.set()
    first.join(30)
    second.join(30)
    assert builds == [1]
    assert bodies == [b"the workbook", b"the workbook"]
    assert not cache.building(key)


def test_another_process_writing_the_file_is_seen_and_its_death_frees_the_key(tmp_path):
    cache = ExportCache(tmp_path, 10**9)
    key = export_key("s1", "xlsx", "customers")
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys; from pathlib import Path; from partnerhub.api.export_cache import ExportCache, export_key;"
            "c = ExportCache(Path(sys.argv[1]), 10**9).claim(export_key('s1', 'xlsx', 'customers'));"
            "open(Path(sys.argv[1]) / 's1' / ('.' + c.key.digest + '.half.tmp'), 'w').write('half');"
            "print('held', flush=True); sys.stdin.read()",
            str(tmp_path),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        assert cache.building(key)
        assert cache.claim(key) is None
    finally:
        holder.kill()  # a worker killed mid-file
        holder.wait()
    assert not cache.building(key)
    claim = cache.claim(key)
    assert claim is not None
    assert not list((tmp_path / "s1").glob("*.tmp"))  # its half-written file is gone
    claim.release()


def test_a_failed_build_leaves_no_file_and_frees_the_key(tmp_path):
    cache = ExportCache(tmp_path, 10**9)
    key = export_key("s1", "csv", "customers")

    def broken(path: str) -> None:
        Path(path).write_bytes(b"half")
        raise RuntimeError("writer died")

    with pytest.raises(RuntimeError):
        cache.get_or_build(key, broken)
    assert cache.open(key) is None and not cache.building(key)
    assert not [p for p in (tmp_path / "s1").iterdir() if p.suffix != ".lock"]
    with cache.get_or_build(key, lambda path: Path(path).write_bytes(b"ok")) as f:
        assert f.read() == b"ok"


def test_the_least_recently_used_files_go_first_over_the_bound(tmp_path):
    cache = ExportCache(tmp_path, max_bytes=250)
    keys = [export_key("s1", "csv", n) for n in range(3)]
    for age, key in enumerate(keys):
        cache.get_or_build(key, lambda path: Path(path).write_bytes(b"x" * 100)).close()
        os.utime(cache.path(key), (1_000_000 + age, 1_000_000 + age))
    # three files of 100 bytes: the oldest went when the third came
    assert cache.open(keys[0]) is None
    assert cache.size() <= 250
    # the second is used again, so the third is now the least recently used
    with cache.open(keys[1]) as f:
        assert f.read() == b"x" * 100
    cache.get_or_build(export_key("s1", "csv", 3), lambda path: Path(path).write_bytes(b"y" * 100)).close()
    assert cache.open(keys[2]) is None
    assert cache.path(keys[1]).exists()


def test_a_file_over_the_whole_bound_stays_until_the_next_one(tmp_path):
    cache = ExportCache(tmp_path, max_bytes=10)
    big = export_key("s1", "xlsx", "big")
    cache.get_or_build(big, lambda path: Path(path).write_bytes(b"x" * 100)).close()
    assert cache.path(big).exists()  # the background export's asker still fetches it
    cache.get_or_build(export_key("s1", "xlsx", "next"), lambda path: Path(path).write_bytes(b"y" * 100)).close()
    assert not cache.path(big).exists()


def test_the_key_changes_with_every_part_and_is_the_same_in_every_process():
    base = export_key("s1", "xlsx", "customers", ["c1", "c2"], "meetings")
    assert base == export_key("s1", "xlsx", "customers", ["c1", "c2"], "meetings")
    others = [
        export_key("s2", "xlsx", "customers", ["c1", "c2"], "meetings"),
        export_key("s1", "csv", "customers", ["c1", "c2"], "meetings"),
        export_key("s1", "xlsx", "customers", ["c1"], "meetings"),
        export_key("s1", "xlsx", "customers", None, "meetings"),
        export_key("s1", "xlsx", "customers", ["c1", "c2"], "calling"),
    ]
    assert len({base.digest, *(k.digest for k in others)}) == 6
    out = subprocess.run(
        [
            sys.executable,
            "-c",
            "from partnerhub.api.export_cache import export_key;"
            "print(export_key('s1', 'xlsx', 'customers', ['c1', 'c2'], 'meetings').digest)",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.strip() == base.digest


def test_the_bound_is_a_setting(monkeypatch, tmp_path):
    from partnerhub.data.settings import load_settings

    assert load_settings(home=tmp_path).export_cache_mb == 1024
    monkeypatch.setenv("PARTNERHUB_EXPORT_CACHE_MB", "64")
    assert load_settings(home=tmp_path).export_cache_mb == 64
