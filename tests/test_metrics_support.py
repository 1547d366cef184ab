"""Hand-built contract worlds for the metrics tests (no tests here).

A World collects contract rows with short helpers; `build()` writes them as
contract files, imports them into a fresh home (real DuckDB snapshot, real
SQLite app-state store) and returns a metrics Context on it.

Dates of every world: as_of = AS_OF (a Sunday), the latest week starts
LATEST = as_of - 7 and the previous PREVIOUS = as_of - 14. A guard line keeps
as_of fixed whatever a test leaves out.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from partnerhub.data.importer import import_folder
from partnerhub.data.settings import load_settings
from partnerhub.data.snapshots import SnapshotStore
from partnerhub.data.state import StateStore
from partnerhub.metrics.types import Context
from tests.contract_files import write_folder

AS_OF = date(2025, 6, 15)  # a Sunday
LATEST = AS_OF - timedelta(days=7)  # 2025-06-08
PREVIOUS = AS_OF - timedelta(days=14)  # 2025-06-01
RECENT_SIGNIN = datetime(2025, 6, 10, 9, 30, tzinfo=UTC)


def d(days: int) -> date:
    """as_of + days."""
    return AS_OF + timedelta(days=days)


def week(n: int) -> date:
    """The week_start n weeks before the latest (0 = latest)."""
    return LATEST - timedelta(days=7 * n)


class World:
    def __init__(self, guard: bool = True):
        self.tables: dict[str, list[dict]] = defaultdict(list)
        if guard:
            # an expired customer whose only line pins as_of (latest week has a row)
            self.customer("ZZ-GUARD", "zz guard", signin=RECENT_SIGNIN)
            self.sub("ZZ-GUARD-S", "ZZ-GUARD", status="expired", start=d(-400), end=d(-200), auto_renew=False)
            self.line("ZZ-GUARD-S", "webinars", 1, {0: (0, 0)})

    def customer(
        self,
        cid: str,
        name: str | None = None,
        managed_by: str = "partner",
        signin: datetime | None = RECENT_SIGNIN,
        created_on: date = date(2020, 1, 1),
    ) -> str:
        self.tables["customers"].append(
            dict(
                customer_id=cid,
                name=name or cid,
                managed_by=managed_by,
                created_on=created_on,
                last_admin_sign_in=signin,
            )
        )
        return cid

    def sub(
        self,
        sid: str,
        cid: str,
        kind: str = "paid",
        status: str = "active",
        start: date = d(-365),
        end: date = d(365),
        auto_renew: bool | None = None,
    ) -> str:
        if auto_renew is None:
            auto_renew = kind == "paid"
        self.tables["subscriptions"].append(
            dict(
                subscription_id=sid,
                customer_id=cid,
                kind=kind,
                status=status,
                start_date=start,
                end_date=end,
                auto_renew=auto_renew,
            )
        )
        return sid

    def line(self, sid: str, product: str, licenses: int, usage: dict[int, tuple[int, int]] | None = None) -> None:
        """usage: {weeks before the latest: (assigned, used)}."""
        self.tables["subscription_licenses"].append(dict(subscription_id=sid, product=product, licenses=licenses))
        for n, (assigned, used) in (usage or {}).items():
            self.tables["license_usage"].append(
                dict(subscription_id=sid, product=product, week_start=week(n), assigned=assigned, used=used)
            )

    def usage_at(self, sid: str, product: str, week_start: date, assigned: int, used: int) -> None:
        self.tables["license_usage"].append(
            dict(subscription_id=sid, product=product, week_start=week_start, assigned=assigned, used=used)
        )

    def calling(self, cid: str, n: int, licensed: int, active: int, calls: int, minutes: float = 0.0) -> None:
        self.tables["calling_usage"].append(
            dict(
                customer_id=cid,
                week_start=week(n),
                licensed_users=licensed,
                active_users=active,
                calls=calls,
                minutes=minutes,
            )
        )

    def quality(self, cid: str, n: int, endpoint: str, calls: int, poor: int) -> None:
        self.tables["call_quality"].append(
            dict(customer_id=cid, week_start=week(n), endpoint_type=endpoint, calls=calls, poor_calls=poor)
        )

    def feature(self, cid: str, n: int, feature: str, calls: int) -> None:
        self.tables["calling_features"].append(dict(customer_id=cid, week_start=week(n), feature=feature, calls=calls))

    def queue(
        self,
        cid: str,
        qid: str,
        n: int,
        offered: int,
        answered: int,
        abandoned: int,
        overflowed: int,
        answer_wait: float,
        abandon_wait: float,
    ) -> None:
        self.tables["call_queues"].append(
            dict(
                customer_id=cid,
                queue_id=qid,
                queue_name=f"Queue {qid}",
                week_start=week(n),
                offered=offered,
                answered=answered,
                abandoned=abandoned,
                overflowed=overflowed,
                answer_wait_seconds=answer_wait,
                abandon_wait_seconds=abandon_wait,
            )
        )

    def order(self, oid: str, sid: str, ordered_on: date, type_: str = "new", description: str | None = None):
        self.tables["orders"].append(
            dict(order_id=oid, subscription_id=sid, ordered_on=ordered_on, type=type_, description=description)
        )

    def invoice(self, iid: str, sid: str, issued_on: date, amount: float, status: str = "paid"):
        self.tables["invoices"].append(
            dict(
                invoice_id=iid,
                subscription_id=sid,
                issued_on=issued_on,
                due_on=issued_on + timedelta(days=30),
                amount=amount,
                currency="USD",
                status=status,
            )
        )


def build(home: Path, world: World, fmt: str = "csv", **settings) -> Context:
    home = Path(home)
    folder = write_folder(home / "contract", dict(world.tables), fmt)
    cfg = load_settings(home=home, **settings)
    state = StateStore(cfg.state_url)
    state.init_schema()
    store = SnapshotStore(cfg.snapshots_dir)
    result = import_folder(folder, store, state)
    assert result.ok, result.report.lines()
    assert result.as_of == AS_OF
    snapshot = store.current()
    assert snapshot is not None
    return Context(snapshot, state, cfg)


def import_generated(home: Path, folder: Path, **settings) -> Context:
    cfg = load_settings(home=home, **settings)
    state = StateStore(cfg.state_url)
    state.init_schema()
    store = SnapshotStore(cfg.snapshots_dir)
    result = import_folder(folder, store, state)
    assert result.ok, result.report.lines()
    snapshot = store.current()
    assert snapshot is not None
    return Context(snapshot, state, cfg)


def rows(result, *columns) -> list[tuple]:
    """The result's frame as tuples of the given columns, in its order."""
    return [tuple(r) for r in result.frame.select(columns).iter_rows()]
