"""Snapshots that heal: a damaged current snapshot (truncated, random bytes,
a changed byte, not a DuckDB file) is set aside after a restart and the
previous good one served, with a notice on the Administration page and in
`data status`; `data verify` checks every snapshot kept; a good import
repairs; the leftovers of killed imports are removed by the next import and
at start, never a running import's."""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
import textwrap
import time
from datetime import date
from pathlib import Path

import pytest

from partnerhub.data.importer import import_folder
from partnerhub.data.snapshots import SnapshotStore
from partnerhub.data.state import StateStore
from tests.auth_client import router, sign_in
from tests.conftest import PASSWORD
from tests.contract_files import write_folder
from tests.test_import import BASE, PREVIOUS

ROOT = Path(__file__).resolve().parents[1]
NEW_AS_OF, OLD_AS_OF = date(2026, 11, 22), date(2026, 11, 15)
# the same data a week earlier: its latest week is the one before
OLD = {**copy.deepcopy(BASE), "license_usage": [r for r in BASE["license_usage"] if r["week_start"] == PREVIOUS]}


def damage(path: Path, how: str) -> None:
    data = path.read_bytes()
    if how == "truncated":
        path.write_bytes(data[: len(data) // 3])
    elif how == "random-bytes":
        path.write_bytes(os.urandom(len(data)))
    elif how == "one-byte-changed":  # the same size: only the checksum tells
        middle = len(data) // 2
        path.write_bytes(data[:middle] + bytes([data[middle] ^ 0xFF]) + data[middle + 1 :])
    elif how == "empty":
        path.write_bytes(b"")
    else:
        raise ValueError(how)


def two_imports(tmp_path: Path) -> tuple[SnapshotStore, StateStore, str, str]:
    store = SnapshotStore(tmp_path / "snapshots")
    state = StateStore(f"sqlite:///{tmp_path}/state.sqlite")
    state.init_schema()
    old = import_folder(write_folder(tmp_path / "old", OLD), store, state)
    new = import_folder(write_folder(tmp_path / "new", BASE), store, state)
    assert old.ok and new.ok, (old.report.lines(), new.report.lines())
    assert (old.as_of, new.as_of) == (OLD_AS_OF, NEW_AS_OF)
    assert old.snapshot_id is not None and new.snapshot_id is not None
    store.close()  # the process ends; the next SnapshotStore is a restart
    return store, state, old.snapshot_id, new.snapshot_id


DAMAGES = ["truncated", "random-bytes", "one-byte-changed", "empty"]


@pytest.mark.parametrize("how", DAMAGES)
def test_a_damaged_current_snapshot_is_set_aside_and_the_previous_served(tmp_path, how):
    store, state, old_id, new_id = two_imports(tmp_path)
    damage(store.path(new_id), how)

    restarted = SnapshotStore(store.directory)
    snap = restarted.current()
    assert snap is not None and snap.id == old_id and snap.as_of == OLD_AS_OF
    assert restarted.current_id() == new_id  # CURRENT is left for the import to move
    assert not store.path(new_id).exists()
    assert (store.directory / f"{new_id}.duckdb.damaged").exists()
    health = restarted.health()
    assert health.degraded and health.serving is snap
    assert [r.id for r in health.set_aside] == [new_id]
    assert "checksum mismatch" in health.set_aside[0].reason

    # another worker starting later serves the same, without checking again
    other = SnapshotStore(store.directory)
    assert other.current().id == old_id and other.health().set_aside[0].id == new_id

    repaired = import_folder(write_folder(tmp_path / "again", BASE), restarted, state)
    assert repaired.ok, repaired.report.lines()
    for s in (restarted, other):
        assert s.current().id == repaired.snapshot_id and s.current().as_of == NEW_AS_OF
        assert not s.health().degraded
    restarted.close()
    other.close()
    state.dispose()


def test_a_file_duckdb_cannot_open_without_a_checksum_is_set_aside_too(tmp_path):
    # imported by an earlier version: no checksum to compare, DuckDB decides
    store, state, old_id, new_id = two_imports(tmp_path)
    for sid in (old_id, new_id):
        store.path(sid).with_suffix(".sha256").unlink()
    damage(store.path(new_id), "random-bytes")
    restarted = SnapshotStore(store.directory)
    assert restarted.current().id == old_id
    (record,) = restarted.health().set_aside
    assert record.id == new_id and record.reason.startswith("DuckDB cannot read it")
    restarted.close()
    state.dispose()


def test_a_missing_current_file_or_a_garbled_pointer_falls_back(tmp_path):
    store, state, old_id, new_id = two_imports(tmp_path)
    store.path(new_id).unlink()
    restarted = SnapshotStore(store.directory)
    assert restarted.current().id == old_id
    assert restarted.health().set_aside[0].reason.endswith("is missing")
    restarted.close()

    store.pointer.write_bytes(os.urandom(64))
    garbled = SnapshotStore(store.directory)
    assert garbled.current().id == old_id
    assert garbled.health().pointer_problem
    garbled.close()
    state.dispose()


def test_every_snapshot_damaged_serves_nothing_and_import_repairs(tmp_path):
    store, state, old_id, new_id = two_imports(tmp_path)
    for sid in (old_id, new_id):
        damage(store.path(sid), "truncated")
    restarted = SnapshotStore(store.directory)
    assert restarted.current() is None
    assert restarted.health().degraded
    repaired = import_folder(write_folder(tmp_path / "again", BASE), restarted, state)
    assert repaired.ok and restarted.current().id == repaired.snapshot_id
    restarted.close()
    state.dispose()


def test_checksum_recorded_at_import_and_private(tmp_path):
    store, state, _old_id, new_id = two_imports(tmp_path)
    manifest = store.path(new_id).with_suffix(".sha256")
    # the format of sha256sum: an operator can check it by hand
    out = subprocess.run(["sha256sum", "-c", manifest.name], cwd=store.directory, capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr
    assert manifest.stat().st_mode & 0o777 == 0o600
    state.dispose()


def test_pruning_removes_checksums_and_old_damaged_files(tmp_path):
    store, state, _old_id, new_id = two_imports(tmp_path)
    damage(store.path(new_id), "truncated")
    restarted = SnapshotStore(store.directory)
    restarted.current()
    for i in range(4):
        assert import_folder(write_folder(tmp_path / f"n{i}", BASE), restarted, state, keep=2).ok
    names = {p.name for p in store.directory.iterdir()}
    kept = restarted.ids()
    assert len(kept) == 3
    assert {n for n in names if n.endswith(".sha256")} == {f"{sid}.sha256" for sid in kept}
    assert not any("damaged" in n for n in names), names
    restarted.close()
    state.dispose()


# ---- the app: pages, API, Administration, data status / verify / import ---------------------


@pytest.fixture
def damaged_home(app, tmp_path, monkeypatch):
    """The session app restarted on a home whose current snapshot is damaged
    (its services rebuilt, as a new process builds them)."""
    from partnerhub.auth.users import add_or_update_user
    from partnerhub.data.runtime import EXTENSION, Services
    from partnerhub.data.settings import load_settings

    store, state, old_id, new_id = two_imports(tmp_path)
    email = "full.keeper@tests.example"
    add_or_update_user(state, "tests", email, "Keeper", "partner_full_admin", password=PASSWORD)
    state.dispose()
    damage(store.path(new_id), "truncated")
    settings = load_settings(home=tmp_path, state_url=f"sqlite:///{tmp_path}/state.sqlite", argon2_profile="cheap")
    services = Services.build(settings)
    monkeypatch.setitem(app.extensions, EXTENSION, services)
    client = app.test_client()
    assert sign_in(client, email).status_code == 302
    yield client, services, old_id, new_id
    services.snapshots.close()
    services.state.dispose()


def _page(client, path: str) -> str:
    response = router(client, path)
    assert response.status_code == 200, response.get_data(as_text=True)[:2000]
    return response.get_data(as_text=True)


def test_the_app_serves_the_previous_snapshot_and_says_so(app, damaged_home, tmp_path):
    client, services, old_id, new_id = damaged_home

    kpis = client.get("/api/v1/kpis")
    assert kpis.status_code == 200 and kpis.get_json()["as_of"] == OLD_AS_OF.isoformat()
    export = client.get("/api/v1/datasets/customers.csv")
    assert export.status_code == 200 and export.headers["X-Snapshot-Id"] == old_id
    # This week says the data's date; the snapshot's id is on the Administration page (below)
    home = _page(client, "/")
    assert OLD_AS_OF.isoformat() in home
    assert _page(client, "/customers")

    admin = _page(client, "/admin")
    assert "admin-snapshot-notice" in admin
    assert new_id in admin and old_id in admin and "checksum mismatch" in admin

    cli = app.test_cli_runner()
    status = cli.invoke(args=["data", "status"])
    assert status.exit_code == 0, status.output
    assert f"notice: snapshot {new_id} could not be used (checksum mismatch" in status.output
    assert f"notice: serving {old_id}" in status.output
    assert f"snapshot     {old_id}" in status.output and f"as_of        {OLD_AS_OF}" in status.output
    verify = cli.invoke(args=["data", "verify"])
    assert verify.exit_code == 1
    assert f"{old_id}  ok" in verify.output
    assert f"{new_id} (current)  damaged: set aside: checksum mismatch" in verify.output

    # the documented recovery: import again
    again = cli.invoke(args=["data", "import", str(tmp_path / "new")])
    assert again.exit_code == 0, again.output
    assert "Traceback" not in again.output
    new_snapshot = services.snapshots.current()
    assert new_snapshot.as_of == NEW_AS_OF
    assert client.get("/api/v1/kpis").get_json()["as_of"] == NEW_AS_OF.isoformat()
    assert "admin-snapshot-notice" not in _page(client, "/admin")
    status = cli.invoke(args=["data", "status"])
    assert status.exit_code == 0 and "notice" not in status.output
    verify = cli.invoke(args=["data", "verify"])
    assert verify.exit_code == 0, verify.output
    assert f"{new_snapshot.id} (current)  ok" in verify.output


def test_status_and_import_work_when_nothing_good_is_left(app, damaged_home, tmp_path):
    client, services, old_id, new_id = damaged_home
    services.snapshots.close()
    damage(services.snapshots.path(old_id), "random-bytes")
    services.snapshots = SnapshotStore(services.snapshots.directory)  # restarted once more
    cli = app.test_cli_runner()
    status = cli.invoke(args=["data", "status"])
    assert status.exit_code == 1 and "Traceback" not in status.output
    assert "no usable snapshot" in status.output and f"snapshot {new_id} could not be used" in status.output
    assert client.get("/api/v1/kpis").status_code == 503  # no data, as before the first import
    assert "admin-snapshot-notice" in _page(client, "/admin")
    again = cli.invoke(args=["data", "import", str(tmp_path / "new")])
    assert again.exit_code == 0, again.output
    assert client.get("/api/v1/kpis").status_code == 200


def test_verify_checks_every_snapshot_and_moves_nothing(tmp_path):
    from click.testing import CliRunner
    from flask import Flask

    from partnerhub.cli.data import data_cli
    from partnerhub.data.runtime import EXTENSION, Services
    from partnerhub.data.settings import load_settings

    store, state, old_id, new_id = two_imports(tmp_path)
    assert import_folder(write_folder(tmp_path / "third", BASE), store, state).ok
    third = store.current_id()
    store.close()
    state.dispose()
    store.path(new_id).with_suffix(".sha256").unlink()  # as an earlier version imported it
    server = Flask("verify-test")
    settings = load_settings(home=tmp_path, state_url=f"sqlite:///{tmp_path}/state.sqlite")
    server.extensions[EXTENSION] = services = Services.build(settings)
    with server.app_context():
        out = CliRunner().invoke(data_cli, ["verify"])
        assert out.exit_code == 0, out.output
        assert out.output.splitlines() == [
            f"{old_id}  ok",
            f"{new_id}  ok (no checksum recorded (imported by an earlier version))",
            f"{third} (current)  ok",
        ]
        damage(store.path(old_id), "one-byte-changed")
        out = CliRunner().invoke(data_cli, ["verify"])
        assert out.exit_code == 1
        assert out.output.splitlines()[0].startswith(f"{old_id}  damaged: checksum mismatch")
        assert out.output.splitlines()[2] == f"{third} (current)  ok"
        assert store.path(old_id).exists()  # verify only looks
    services.state.dispose()


# ---- leftovers of killed imports -------------------------------------------------------------

KILLED_IMPORT = textwrap.dedent("""
    import os, signal, sys
    from pathlib import Path
    from partnerhub.data.importer import import_folder
    from partnerhub.data.snapshots import SnapshotStore
    from partnerhub.data.state import StateStore

    home = Path(sys.argv[1])
    def progress(table, phase):
        if phase == "writing":
            os.kill(os.getpid(), signal.SIGKILL)  # as the OOM killer or kill -9 would
    state = StateStore(f"sqlite:///{home}/state.sqlite")
    import_folder(Path(sys.argv[2]), SnapshotStore(home / "snapshots"), state, progress=progress)
""")

RUNNING_IMPORT = textwrap.dedent("""
    import sys
    from pathlib import Path
    from partnerhub.data.snapshots import SnapshotStore

    with SnapshotStore(Path(sys.argv[1])).building("20990101T000000Z-abcdef") as work:
        work.database.write_bytes(b"x" * 1000)
        print("ready", flush=True)
        sys.stdin.read()  # until the test lets go
""")


def _leftovers(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir() if ".building" in p.name)


def _killed_import(tmp_path: Path, folder: Path) -> list[str]:
    out = subprocess.run(
        [sys.executable, "-c", KILLED_IMPORT, str(tmp_path), str(folder)], cwd=ROOT, capture_output=True, text=True
    )
    assert out.returncode == -9, out.stderr[-2000:]
    left = _leftovers(tmp_path / "snapshots")
    assert any(n.endswith(".building") for n in left) and any(n.endswith(".building.lock") for n in left), left
    return left


def test_leftovers_of_a_killed_import_are_removed_by_the_next_import(tmp_path):
    store, state, _, _ = two_imports(tmp_path)
    _killed_import(tmp_path, tmp_path / "new")
    assert import_folder(tmp_path / "new", store, state).ok
    assert _leftovers(store.directory) == []
    store.close()
    state.dispose()


def test_leftovers_are_removed_at_start(tmp_path):
    from partnerhub.data.runtime import Services
    from partnerhub.data.settings import load_settings

    store, state, _, _ = two_imports(tmp_path)
    state.dispose()
    _killed_import(tmp_path, tmp_path / "new")
    services = Services.build(load_settings(home=tmp_path, state_url=f"sqlite:///{tmp_path}/state.sqlite"))
    assert _leftovers(store.directory) == []
    services.state.dispose()


def test_a_running_import_keeps_its_files(tmp_path):
    store, state, _, _ = two_imports(tmp_path)
    running = subprocess.Popen(
        [sys.executable, "-c", RUNNING_IMPORT, str(store.directory)],
        cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert running.stdout.readline().strip() == "ready"
        live = _leftovers(store.directory)
        assert ".20990101T000000Z-abcdef.building" in live
        assert import_folder(tmp_path / "new", store, state).ok  # cleans up, and must not touch it
        assert SnapshotStore(store.directory).remove_leftovers() == []
        assert _leftovers(store.directory) == live
    finally:
        running.kill()
        running.wait()
    # killed now: the next clean-up takes it
    assert set(store.remove_leftovers()) >= set(live) - {".20990101T000000Z-abcdef.building.lock"}
    assert _leftovers(store.directory) == []
    store.close()
    state.dispose()


def test_leftovers_of_an_earlier_version_are_removed_once_old(tmp_path):
    store = SnapshotStore(tmp_path / "snapshots")
    for name in (".20250101T000000Z-aaaaaa.building", ".20250101T000000Z-aaaaaa.building.wal"):
        (store.directory / name).write_bytes(b"x")
    (store.directory / ".tmp").mkdir()
    (store.directory / ".tmp" / "duckdb_temp_storage-0.tmp").write_bytes(b"x")
    # an import of the earlier version (it took no lock) may still be writing
    assert store.remove_leftovers() == []
    an_hour_ago = time.time() - 3600
    for path in [*store.directory.glob(".2025*"), store.directory / ".tmp" / "duckdb_temp_storage-0.tmp"]:
        os.utime(path, (an_hour_ago, an_hour_ago))
    assert len(store.remove_leftovers()) == 3
    assert sorted(p.name for p in store.directory.iterdir()) == []


def test_a_set_aside_record_is_plain_json(tmp_path):
    store, state, _old_id, new_id = two_imports(tmp_path)
    damage(store.path(new_id), "truncated")
    SnapshotStore(store.directory).current()
    record = json.loads((store.directory / f"{new_id}.damaged.json").read_text())
    assert record["snapshot_id"] == new_id and record["moved"] is True
    assert (store.directory / f"{new_id}.damaged.json").stat().st_mode & 0o777 == 0o600
    state.dispose()
