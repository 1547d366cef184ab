"""App-state backups (`data backup` / `data restore`): a backup taken while
another process writes holds whole transactions only; restored into an empty
store (either backend, from either backend) it gives the same rows and the
store goes on working; a file that is not a backup is refused with nothing
changed; files are 0600. On SQLite and on PostgreSQL."""

from __future__ import annotations

import multiprocessing as mp
import os
import sqlite3
import stat
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select

from partnerhub.data import backup as B
from partnerhub.data import migrations
from partnerhub.data.state import StateStore, audit_log, metadata, tags
from tests.conftest import BACKENDS, ROOT

# ---- the rows of a store -----------------------------------------------------------------------


def _plain(value):
    # SQLite hands back naive UTC datetimes, PostgreSQL aware ones
    if hasattr(value, "tzinfo") and value.tzinfo is not None:
        return value.astimezone(UTC).replace(tzinfo=None)
    return value


def rows_of(store: StateStore, skip: frozenset[str] = frozenset()) -> dict[str, list[tuple]]:
    """Every row of every table, in primary-key order, comparable across backends."""
    with store.read() as conn:
        return {
            table.name: [
                tuple(_plain(v) for v in row)
                for row in conn.execute(select(table).order_by(*table.primary_key.columns))
            ]
            for table in metadata.sorted_tables
            if table.name not in skip
        }


def fill(store: StateStore) -> None:
    """Rows in every table, through the store's own writes."""
    from partnerhub.auth import throttle
    from partnerhub.auth.tokens import create_token
    from partnerhub.auth.users import add_or_update_user, assign_customers, get_user_by_email, unassign_customers
    from partnerhub.data import sessions
    from partnerhub.data.tags import add_tag, create_tag
    from partnerhub.data.trials import start_trial

    add_or_update_user(
        store, "cli", "full@test.example", "Full Admin", "partner_full_admin", password="correct horse battery"
    )
    add_or_update_user(store, "cli", "partner@test.example", "Ann Ångström 東京", "partner_admin")
    partner = get_user_by_email(store, "partner@test.example")
    create_token(store, partner.id, "reporting", actor="cli")
    assign_customers(store, "cli", "partner@test.example", ["C0001", "C0002"])
    unassign_customers(store, "cli", "partner@test.example", ["C0002"])  # a tombstone
    tag = create_tag(store, "full@test.example", "Renewal risk", "#dc3545")
    add_tag(store, "full@test.example", tag["id"], ["C0001", "C0003"])
    start_trial(store, "full@test.example", "C0001", {"meetings": 25, "calling": 10}, 60)
    throttle.record_failure(store, "full@test.example", "192.0.2.1", throttle.Policy(5, 900))
    sessions.start(store, partner.id, "pytest", "127.0.0.1", timedelta(hours=8))
    # notes, follow-ups and saved views (revision 0005)
    from datetime import date

    from partnerhub.data import follow_ups, notes, saved_views

    notes.add_note(store, partner.email, partner.id, "C0001", "Renewal call on Monday; 東京 office")
    follow_ups.set_follow_up(store, partner.email, partner.id, "C0001", date(2027, 1, 15), "Send the quote")
    _, view = saved_views.save_view(store, partner.email, partner.id, "customers", "Gold", "tag=Gold", True)
    saved_views.set_landing(store, partner.email, partner.id, view.id)
    # alerts and their outbox (revision 0006)
    from partnerhub.data import alerts

    alerts.set_weekly_digest(store, partner.email, partner.id, True)
    rule = alerts.create_rule(
        store, partner.email, partner.id, "health_drop", {"points": 15}, {"tag": ["Renewal risk"]}, ["inbox", "email"]
    )

    def mails(rule, opened, resolved):
        return [
            alerts.NewDelivery(
                "email",
                "alert.opened",
                f"alert:{a['id']}:opened:email",
                partner.email,
                {"subject": "東京"},
                partner.id,
                rule["id"],
                a["id"],
            )
            for a in opened
        ]

    alerts.apply_evaluation(
        store,
        rule["id"],
        "snap-1",
        date(2027, 1, 10),
        [alerts.Firing("C0001", "東京商事", {"health_score": 35})],
        mails,
    )
    claimed = alerts.claim_due(
        store, datetime.now(UTC) + timedelta(minutes=1), datetime.now(UTC) + timedelta(minutes=5)
    )
    assert claimed is not None
    alerts.record_attempt(store, claimed.id, False, "421 try again later")
    with store.read() as conn:
        empty = [t.name for t in metadata.sorted_tables if conn.execute(select(t)).first() is None]
    assert empty == []


# ---- a backup while another process writes ------------------------------------------------------


def _writer(url: str, started, stop) -> None:
    """Tags, each with its audit row in the same transaction, until told to stop."""
    from partnerhub.data.tags import create_tag

    state = StateStore(url)
    i = 0
    while not stop.is_set():
        create_tag(state, "writer@test.example", f"busy {i}", "#336699")
        i += 1
        if i == 20:
            started.set()
    state.dispose()


def test_a_backup_while_another_process_writes_is_one_moment(state, tmp_path, new_store_url):
    ctx = mp.get_context("spawn")
    started, stop = ctx.Event(), ctx.Event()
    writer = ctx.Process(target=_writer, args=(state.url, started, stop))
    writer.start()
    try:
        assert started.wait(60), "the writer did not start"
        target = tmp_path / "backups" / "state.backup"
        target.parent.mkdir()
        info = B.backup(state, target)
    finally:
        stop.set()
        writer.join(60)
    assert writer.exitcode == 0
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert sorted(p.name for p in target.parent.iterdir()) == ["state.backup"]  # no partial, no -wal
    assert info.revision == migrations.head()

    copy = StateStore(f"sqlite:///{tmp_path}/copy.sqlite")
    B.restore(copy, target)
    with copy.read() as conn:
        names = set(conn.execute(select(tags.c.name)).scalars())
        created = set(conn.execute(select(audit_log.c.target).where(audit_log.c.action == "tag.create")).scalars())
    # whole transactions only: every tag with its audit row, no audit row without its tag
    assert names == created
    assert 20 <= len(names) == info.rows["tags"]
    with state.read() as conn:
        assert len(conn.execute(select(tags.c.id)).all()) > len(names)  # the writer went on after the moment
    copy.dispose()


# ---- restoring into an empty store ------------------------------------------------------------


@pytest.mark.parametrize("target_backend", BACKENDS)
def test_a_restore_into_an_empty_store_gives_the_same_rows(state, target_backend, new_store_url, tmp_path):
    from partnerhub.data.tags import create_tag

    fill(state)
    file = tmp_path / "state.backup"
    B.backup(state, file)
    target = StateStore(new_store_url(target_backend))
    target.init_schema()

    info = B.restore(target, file)

    assert info.revision == migrations.head()
    assert target.revision() == migrations.head()
    assert rows_of(target, skip=B.NOT_RESTORED) == rows_of(state, skip=B.NOT_RESTORED)
    assert rows_of(target)["sessions"] == []  # every session ended
    assert info.rows == {name: len(rows) for name, rows in rows_of(state, skip=B.NOT_RESTORED).items()}
    # it goes on working: new ids follow the restored ones
    newest = max(r[0] for r in rows_of(target)["tags"])
    assert create_tag(target, "full@test.example", "After the restore")["id"] == newest + 1
    target.dispose()


def test_a_restore_replaces_every_row_of_a_store_that_has_some(state, tmp_path):
    from partnerhub.data.tags import create_tag

    fill(state)
    file = tmp_path / "state.backup"
    B.backup(state, file)
    before = rows_of(state, skip=B.NOT_RESTORED)
    create_tag(state, "full@test.example", "Made after the backup")
    B.restore(state, file)
    assert rows_of(state, skip=B.NOT_RESTORED) == before


def test_a_backup_of_an_older_revision_is_upgraded(tmp_path, state):
    """A backup made by an older version of the app: restored, then brought to head."""
    from alembic import command
    from sqlalchemy import create_engine, insert

    old = tmp_path / "old.backup"
    engine = create_engine(f"sqlite:///{old}")
    with engine.begin() as conn:
        command.upgrade(migrations.config(conn), migrations.BASELINE)
        conn.execute(insert(tags).values(id=7, name="From 0001", color="#123456", created_at=_naive_now()))
    engine.dispose()
    assert B.restore(state, old).revision == migrations.BASELINE
    assert state.revision() == migrations.head()
    assert [r[1] for r in rows_of(state)["tags"]] == ["From 0001"]


def _naive_now():
    from partnerhub.data.state import utcnow

    return utcnow().replace(tzinfo=None)


# ---- what is not a backup -------------------------------------------------------------------------


def _not_backups(folder: Path, good: Path) -> dict[str, Path]:
    """Files that are not backups this code can restore, each named for why."""
    made: dict[str, Path] = {}

    def file(name: str, data: bytes) -> Path:
        made[name] = folder / name
        made[name].write_bytes(data)
        return made[name]

    file("empty", b"")
    file("random bytes", os.urandom(8192))
    file("text", b"users,tags\n1,2\n")
    content = good.read_bytes()
    file("truncated", content[: len(content) // 2])
    damaged = bytearray(content)
    damaged[4096:8192] = os.urandom(4096)  # a page of a table
    file("damaged page", bytes(damaged))
    plain = folder / "plain sqlite"
    with sqlite3.connect(plain) as con:
        con.execute("CREATE TABLE notes (body TEXT)")
    con.close()
    made["plain sqlite"] = plain
    newer = file("newer revision", content)
    with sqlite3.connect(newer) as con:
        con.execute("UPDATE alembic_version SET version_num = '9999'")
    con.close()
    missing = file("missing table", content)
    with sqlite3.connect(missing) as con:
        con.execute("DROP TABLE trials")
    con.close()
    made["no such file"] = folder / "nowhere.backup"
    return made


def test_a_file_that_is_not_a_backup_is_refused_and_nothing_changes(state, tmp_path):
    fill(state)
    good = tmp_path / "good.backup"
    B.backup(state, good)
    from partnerhub.data.tags import create_tag

    create_tag(state, "full@test.example", "Only in the store")
    before = rows_of(state)
    for why, path in _not_backups(tmp_path, good).items():
        with pytest.raises(B.NotABackup) as refused:
            B.restore(state, path)
        assert str(path) in str(refused.value), why
        assert rows_of(state) == before, why
    assert "9999, which this code does not know" in _refusal(state, tmp_path / "newer revision")
    assert "not a SQLite database" in _refusal(state, tmp_path / "random bytes")
    assert "not those of app-state revision" in _refusal(state, tmp_path / "missing table")


def _refusal(state, path: Path) -> str:
    with pytest.raises(B.NotABackup) as refused:
        B.restore(state, path)
    return str(refused.value)


def test_a_backup_never_overwrites_the_store_itself(tmp_path):
    state = StateStore(f"sqlite:///{tmp_path}/state.sqlite")
    state.init_schema()
    for name in ("state.sqlite", "state.sqlite-wal"):
        with pytest.raises(ValueError, match="the app-state store itself"):
            B.backup(state, tmp_path / name)
    B.backup(state, tmp_path / "state.sqlite.backup")  # a name beside it is fine
    state.dispose()


# ---- the commands ---------------------------------------------------------------------------------


def _cli_app(url: str, home: Path) -> Flask:
    """The data commands with the services of a store of the test's own (the
    session app holds the one Dash app a process may have)."""
    from partnerhub.cli import register_cli
    from partnerhub.data.runtime import EXTENSION, Services
    from partnerhub.data.settings import load_settings

    server = Flask(__name__)
    server.extensions[EXTENSION] = Services.build(load_settings(home=home, state_url=url))
    register_cli(server)
    return server


def _invoke(server: Flask, *args: str, input: str | None = None):
    """The command's result; its output holds stdout and stderr as a terminal shows them."""
    return server.test_cli_runner().invoke(args=["data", *args], input=input)


def test_the_commands_back_up_and_restore_into_an_empty_home(state, new_store_url, backend, tmp_path):
    fill(state)
    source = _cli_app(state.url, tmp_path / "home-a")
    file = tmp_path / "state.backup"
    made = _invoke(source, "backup", str(file))
    assert made.exit_code == 0, made.output
    assert f"backup written to {file}" in made.output
    assert stat.S_IMODE(file.stat().st_mode) == 0o600

    target_url = new_store_url(backend)
    target = _cli_app(target_url, tmp_path / "home-b")
    restored = _invoke(target, "restore", str(file))
    assert restored.exit_code == 0, restored.output
    assert "every session has ended" in restored.output
    assert rows_of(StateStore(target_url), skip=B.NOT_RESTORED) == rows_of(state, skip=B.NOT_RESTORED)

    # a store with rows: asked first; no answer, nothing changed
    from partnerhub.data.tags import create_tag

    create_tag(StateStore(target_url), "cli", "Kept")
    kept = rows_of(StateStore(target_url))
    declined = _invoke(target, "restore", str(file), input="n\n")
    assert declined.exit_code == 1 and "nothing was changed" in declined.output
    assert rows_of(StateStore(target_url)) == kept
    assert _invoke(target, "restore", "--yes", str(file)).exit_code == 0
    assert "Kept" not in {r[1] for r in rows_of(StateStore(target_url))["tags"]}

    (tmp_path / "notes.txt").write_text("not a backup\n")
    refused = _invoke(target, "restore", "--yes", str(tmp_path / "notes.txt"))
    assert refused.exit_code == 1
    assert "restore refused" in refused.output and "nothing was changed" in refused.output


def test_flask_data_backup_and_restore(tmp_path):
    """The commands as operators run them, on the real app."""
    env = {**os.environ}
    env.pop("PARTNERHUB_STATE_URL", None)

    def flask(home: Path, *args: str) -> subprocess.CompletedProcess:
        home.mkdir(exist_ok=True)
        cmd = [sys.executable, "-m", "flask", "--app", "app", "data", *args]
        return subprocess.run(
            cmd, cwd=ROOT, env={**env, "PARTNERHUB_HOME": str(home)}, capture_output=True, text=True, timeout=120
        )

    source = StateStore(f"sqlite:///{tmp_path / 'a'}/state.sqlite")
    (tmp_path / "a").mkdir()
    source.init_schema()
    fill(source)
    file = tmp_path / "state.backup"
    made = flask(tmp_path / "a", "backup", str(file))
    assert made.returncode == 0, made.stderr
    restored = flask(tmp_path / "b", "restore", str(file))
    assert restored.returncode == 0, restored.stderr
    target = StateStore(f"sqlite:///{tmp_path / 'b'}/state.sqlite")
    assert rows_of(target, skip=B.NOT_RESTORED) == rows_of(source, skip=B.NOT_RESTORED)
    (tmp_path / "junk").write_bytes(b"\x00" * 100)
    refused = flask(tmp_path / "b", "restore", "--yes", str(tmp_path / "junk"))
    assert refused.returncode == 1 and "is not an app-state backup" in refused.stderr
