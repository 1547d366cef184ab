"""The app-state store under several processes at once, as under gunicorn:
workers starting together on a new store migrate it once, every write lands,
none fails with "database is locked"."""

from __future__ import annotations

import multiprocessing as mp
from collections import Counter

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import func, select

from partnerhub.data import migrations
from partnerhub.data.state import StateStore, audit_log, metadata, tags


def _starting_worker(url: str, start, results) -> None:
    state = StateStore(url)
    start.wait(60)
    results.put(state.init_schema())
    state.dispose()


def test_workers_starting_together_migrate_a_new_store_once(tmp_path):
    url = f"sqlite:///{tmp_path}/state.sqlite"
    ctx = mp.get_context("spawn")
    start, results = ctx.Barrier(4), ctx.Queue()
    procs = [ctx.Process(target=_starting_worker, args=(url, start, results)) for _ in range(4)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(120)
    assert [p.exitcode for p in procs] == [0, 0, 0, 0]
    head = migrations.head()
    # one worker migrated from empty; the others waited for the lock and found it done
    assert Counter(results.get(timeout=5) for _ in procs) == {(None, head): 1, (head, head): 3}
    state = StateStore(url)
    assert state.revision() == head
    with state.read() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM alembic_version").scalar_one() == 1
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar_one() == "wal"
        assert compare_metadata(MigrationContext.configure(conn), metadata) == []


def _writer(url: str, worker: int, n: int) -> None:
    from partnerhub.data.tags import add_tag, create_tag

    state = StateStore(url)
    for i in range(n):
        tag = create_tag(state, f"w{worker}@test.example", f"w{worker}-t{i}", "#336699")
        add_tag(state, f"w{worker}@test.example", tag["id"], [f"C{worker}-{i}"])
    state.dispose()


def test_several_processes_write_at_once(tmp_path):
    url = f"sqlite:///{tmp_path}/state.sqlite"
    StateStore(url).init_schema()
    ctx = mp.get_context("spawn")
    procs = [ctx.Process(target=_writer, args=(url, w, 25)) for w in range(4)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(120)
    assert [p.exitcode for p in procs] == [0, 0, 0, 0]
    state = StateStore(url)
    with state.read() as conn:
        assert conn.execute(select(func.count()).select_from(tags)).scalar_one() == 100
        assert conn.execute(select(func.count()).select_from(audit_log)).scalar_one() >= 200
