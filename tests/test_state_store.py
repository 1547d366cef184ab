"""The app-state store under several processes at once, as under gunicorn
(and, on PostgreSQL, several nodes): workers starting together on a new store
migrate it once, every write lands, none fails with "database is locked" or
on a unique key; on SQLite and on PostgreSQL."""

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


def test_workers_starting_together_migrate_a_new_store_once(state_url):
    url = state_url
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
        if conn.dialect.name == "sqlite":
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar_one() == "wal"
        assert compare_metadata(MigrationContext.configure(conn), metadata) == []


def _writer(url: str, worker: int, n: int) -> None:
    from partnerhub.data.tags import add_tag, create_tag

    state = StateStore(url)
    for i in range(n):
        tag = create_tag(state, f"w{worker}@test.example", f"w{worker}-t{i}", "#336699")
        add_tag(state, f"w{worker}@test.example", tag["id"], [f"C{worker}-{i}"])
    state.dispose()


def test_several_processes_write_at_once(state_url):
    url = state_url
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


RACES = 20  # names, customers and failures each worker races for


def _racer(url: str, worker: int, start, results) -> None:
    """Writes that read, check and then write, all workers on the same keys."""
    from partnerhub.auth import throttle
    from partnerhub.data.tags import create_tag
    from partnerhub.data.trials import start_trial

    state = StateStore(url)
    start.wait(60)
    won = {"tags": 0, "trials": 0}
    for i in range(RACES):
        # the same name in another case: unique by casefold, which only the check sees
        name = f"Race {i}".upper() if worker % 2 else f"Race {i}".lower()
        try:
            create_tag(state, f"w{worker}@test.example", name, "#336699")
            won["tags"] += 1
        except ValueError:
            pass
        try:
            start_trial(state, f"w{worker}@test.example", f"C-race-{i}", {"meetings": 5}, 30)
            won["trials"] += 1
        except ValueError:
            pass
        throttle.record_failure(state, "owner@test.example", "192.0.2.77", throttle.Policy(10_000, 600))
    results.put(won)
    state.dispose()


def test_checks_before_a_write_hold_when_processes_race(state_url):
    """One tag per name whatever its case, one ongoing trial per customer,
    every failed sign-in counted: the check and the write are one step."""
    from partnerhub.auth import throttle
    from partnerhub.data.state import login_attempts, trials

    StateStore(state_url).init_schema()
    workers = 4
    ctx = mp.get_context("spawn")
    start, results = ctx.Barrier(workers), ctx.Queue()
    procs = [ctx.Process(target=_racer, args=(state_url, w, start, results)) for w in range(workers)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(180)
    assert [p.exitcode for p in procs] == [0] * workers
    won = [results.get(timeout=5) for _ in procs]
    assert sum(w["tags"] for w in won) == RACES
    assert sum(w["trials"] for w in won) == RACES
    state = StateStore(state_url)
    with state.read() as conn:
        names = conn.execute(select(tags.c.name)).scalars().all()
        assert (
            sorted({n.casefold() for n in names}) == sorted(f"race {i}" for i in range(RACES)) and len(names) == RACES
        )
        customers = Counter(conn.execute(select(trials.c.customer_id)).scalars())
        assert customers == {f"C-race-{i}": 1 for i in range(RACES)}
        failures = {k: n for k, n in conn.execute(select(login_attempts.c.key, login_attempts.c.failures))}
    assert failures == {
        throttle.pair_key("owner@test.example", "192.0.2.77"): workers * RACES,
        throttle.address_key("192.0.2.77"): workers * RACES,
    }
    state.dispose()
