"""Import: validate a folder of contract files, then publish it as a new snapshot.

All or nothing: every file is checked before anything changes. A good import
writes a new DuckDB file next to the current one (in a locked work area,
data/building.py), records its checksum, merges the directory tables into the
app-state store, and switches CURRENT to the new file in one rename. It works
whatever state the current snapshot is in, and so repairs a damaged one.
"""

from __future__ import annotations

import contextlib
import secrets
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import duckdb
from sqlalchemy import insert, select, update

from . import facts
from .contract import ANALYTICS_TABLES, CONTRACT_VERSION, create_table_sql
from .import_report import Problem, Report
from .sessions import ROLE, end_user_sessions
from .snapshots import SnapshotStore
from .state import StateStore, admin_assignments, users, utcnow
from .validate import validate


@dataclass
class ImportResult:
    report: Report
    snapshot_id: str | None = None
    as_of: date | None = None
    rows: dict[str, int] = field(default_factory=dict)
    directory_changes: dict[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.snapshot_id is not None


def new_snapshot_id(now: datetime | None = None) -> str:
    """Ids sort in the order of their imports (to the millisecond): pruning
    keeps the newest, and a damaged current snapshot falls back to the one
    imported before it."""
    now = now or datetime.now(UTC)
    return f"{now:%Y%m%dT%H%M%S}{now.microsecond // 1000:03d}Z-{secrets.token_hex(3)}"


def import_folder(folder: Path, store: SnapshotStore, state: StateStore, keep: int = 3, progress=None) -> ImportResult:
    folder = Path(folder)
    store.directory.mkdir(parents=True, exist_ok=True)
    store.remove_leftovers()
    sid = new_snapshot_id()
    # the work area is removed on leaving, refused, failed or killed (then by
    # the next import or start); a good file has been moved out of it by then
    with store.building(sid) as work:
        con = duckdb.connect(str(work.database))
        try:
            con.execute("SET temp_directory = ?", [str(work.spill)])
            report = validate(con, folder, known=_known(store, state), progress=progress)
            as_of = _as_of(con, report) if report.ok else None
            if not report.ok or as_of is None:
                return ImportResult(report)
            if progress:
                progress("snapshot", "writing")
            rows = _write_tables(con, report)
            facts.build(con, as_of)
            _write_meta(con, sid, as_of, folder, rows)
            directory = _directory_rows(con, report)
            con.execute("CHECKPOINT")
        finally:
            con.close()
        store.install(sid, work.database)
    changes = merge_directory(state, *directory)
    store.publish(sid, keep=keep)
    return ImportResult(report, sid, as_of, rows, changes)


def _known(store: SnapshotStore, state: StateStore) -> dict[str, set]:
    """Rows outside this import that customer_admins may refer to."""
    known: dict[str, set] = {}
    snap = store.current()  # never raises: a damaged current snapshot is set aside
    if snap is not None:
        # damaged past its checksum (imported before checksums): the import repairs it
        with contextlib.suppress(duckdb.Error):
            known["customer_admins.customer_id"] = {r[0] for r in snap.rows("SELECT customer_id FROM customers")}
    with state.read() as conn:
        known["customer_admins.email"] = {r[0] for r in conn.execute(select(users.c.email))}
    return known


def _as_of(con, report: Report) -> date | None:
    latest = con.execute("SELECT max(week_start) FROM typed_license_usage").fetchall()[0][0]
    if latest is None:
        report.add(
            Problem(
                report.files["license_usage"].name,
                0,
                "week_start",
                "",
                "no rows: as_of (latest week_start + 7 days) cannot be determined",
            )
        )
        return None
    return latest + timedelta(days=7)


def _write_tables(con, report: Report) -> dict[str, int]:
    rows = {}
    for table in ANALYTICS_TABLES:
        con.execute(create_table_sql(table))
        if table.name in report.files:
            cols = ", ".join(table.column_names)
            con.execute(f"INSERT INTO {table.name} SELECT {cols} FROM typed_{table.name} ORDER BY __row")
        rows[table.name] = con.execute(f"SELECT count(*) FROM {table.name}").fetchall()[0][0]
    return rows


def _write_meta(con, sid: str, as_of: date, folder: Path, rows: dict[str, int]) -> None:
    con.execute(
        "CREATE TABLE meta (snapshot_id VARCHAR, as_of DATE, imported_at TIMESTAMPTZ, "
        "source VARCHAR, contract_version INTEGER)"
    )
    con.execute(
        "INSERT INTO meta VALUES (?, ?, ?, ?, ?)",
        [sid, as_of, datetime.now(UTC), str(folder.resolve()), CONTRACT_VERSION],
    )
    con.execute("CREATE TABLE row_counts (table_name VARCHAR, count BIGINT)")
    con.executemany("INSERT INTO row_counts VALUES (?, ?)", list(rows.items()))


def _directory_rows(con, report: Report):
    admins = []
    if "partner_admins" in report.files:
        admins = con.sql("SELECT email, name, role FROM typed_partner_admins ORDER BY __row").fetchall()
    links = []
    if "customer_admins" in report.files:
        links = con.sql("SELECT customer_id, email FROM typed_customer_admins ORDER BY __row").fetchall()
    return admins, links


def merge_directory(state: StateStore, admins: list[tuple], links: list[tuple]) -> dict[str, int]:
    """Inserts or updates partner admins and their customer assignments; never
    deletes, and never brings back an assignment removed in the app."""
    changes = {"admins_added": 0, "admins_updated": 0, "assignments_added": 0}
    if not admins and not links:
        return changes
    with state.write() as conn:
        existing = {r.email: r for r in conn.execute(select(users.c.id, users.c.email, users.c.name, users.c.role))}
        for email, name, role in admins:
            old = existing.get(email)
            if old is None:
                conn.execute(insert(users).values(email=email, name=name, role=role, source="import", disabled=False))
                state.audit(conn, "import", "user.add", target=email, after={"name": name, "role": role})
                changes["admins_added"] += 1
            elif (old.name, old.role) != (name, role):
                conn.execute(update(users).where(users.c.id == old.id).values(name=name, role=role))
                if old.role != role:
                    end_user_sessions(conn, old.id, ROLE)
                state.audit(
                    conn,
                    "import",
                    "user.update",
                    target=email,
                    before={"name": old.name, "role": old.role},
                    after={"name": name, "role": role},
                )
                changes["admins_updated"] += 1
        ids = dict(conn.execute(select(users.c.email, users.c.id)).all())
        have = {
            (r.user_id, r.customer_id)
            for r in conn.execute(select(admin_assignments.c.user_id, admin_assignments.c.customer_id))
        }
        new = [
            {
                "user_id": ids[email],
                "customer_id": cid,
                "source": "import",
                "assigned_by": "import",
                "assigned_at": utcnow(),
            }
            for cid, email in links
            if (ids[email], cid) not in have
        ]
        if new:
            conn.execute(insert(admin_assignments), new)
            state.audit(
                conn, "import", "assignment.import", target=f"{len(new)} assignments", after={"count": len(new)}
            )
        changes["assignments_added"] = len(new)
    return changes
