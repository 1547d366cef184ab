"""The app-state store under several writer processes at once, as under
gunicorn: every write lands, none fails with "database is locked"."""

from __future__ import annotations

import multiprocessing as mp

from sqlalchemy import func, select

from partnerhub.data.state import StateStore, audit_log, tags


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
