"""Import: the generate → import → status round trip, one refused import per
rule of the contract, and the atomic switch between snapshots."""

from __future__ import annotations

import copy
import threading
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from partnerhub.data.contract import ANALYTICS_TABLES, BY_NAME
from partnerhub.data.importer import import_folder
from partnerhub.data.snapshots import SnapshotStore
from partnerhub.data.state import StateStore, admin_assignments, users
from tests.contract_files import write_csv, write_folder

AS_OF = date(2026, 11, 22)  # a Sunday; latest week = 2026-11-15
LATEST, PREVIOUS = date(2026, 11, 15), date(2026, 11, 8)

BASE: dict[str, list[dict[str, Any]]] = {
    "customers": [
        {
            "customer_id": "c1",
            "name": "Acme Corp",
            "managed_by": "partner",
            "created_on": date(2024, 1, 5),
            "last_admin_sign_in": datetime(2026, 11, 20, 8, 30, tzinfo=UTC),
        },
        {
            "customer_id": "c2",
            "name": "株式会社さくら物流",
            "managed_by": "external",
            "created_on": date(2025, 3, 1),
            "last_admin_sign_in": None,
        },
    ],
    "subscriptions": [
        {
            "subscription_id": "s1",
            "customer_id": "c1",
            "kind": "paid",
            "status": "active",
            "start_date": date(2026, 1, 1),
            "end_date": date(2027, 1, 1),
            "auto_renew": True,
        },
        {
            "subscription_id": "t1",
            "customer_id": "c2",
            "kind": "trial",
            "status": "active",
            "start_date": date(2026, 11, 1),
            "end_date": date(2026, 12, 1),
            "auto_renew": False,
        },
    ],
    "subscription_licenses": [
        {"subscription_id": "s1", "product": "meetings", "licenses": 10},
        {"subscription_id": "t1", "product": "calling", "licenses": 5},
    ],
    "license_usage": [
        {"subscription_id": "s1", "product": "meetings", "week_start": LATEST, "assigned": 8, "used": 3},
        {"subscription_id": "s1", "product": "meetings", "week_start": PREVIOUS, "assigned": 6, "used": 2},
        {"subscription_id": "t1", "product": "calling", "week_start": LATEST, "assigned": 7, "used": 7},
    ],
    "orders": [
        {
            "order_id": "o1",
            "subscription_id": "s1",
            "ordered_on": date(2025, 12, 20),
            "type": "new",
            "description": '=HYPERLINK("x")',
        }
    ],
    "invoices": [
        {
            "invoice_id": "i1",
            "subscription_id": "s1",
            "issued_on": date(2026, 1, 1),
            "due_on": date(2026, 1, 31),
            "amount": 120.5,
            "currency": "USD",
            "status": "paid",
        }
    ],
    "calling_usage": [
        {
            "customer_id": "c2",
            "week_start": LATEST,
            "licensed_users": 5,
            "active_users": 4,
            "calls": 40,
            "minutes": 123.5,
        }
    ],
    "call_quality": [
        {"customer_id": "c2", "week_start": LATEST, "endpoint_type": "desk_phone", "calls": 40, "poor_calls": 2}
    ],
    "calling_features": [{"customer_id": "c2", "week_start": LATEST, "feature": "call_queue", "calls": 12}],
    "call_queues": [
        {
            "customer_id": "c2",
            "queue_id": "q1",
            "queue_name": "Support",
            "week_start": LATEST,
            "offered": 20,
            "answered": 15,
            "abandoned": 3,
            "overflowed": 1,
            "answer_wait_seconds": 300.0,
            "abandon_wait_seconds": 90.0,
        }
    ],
    "partner_admins": [{"email": "pat@partner.example", "name": "Pat", "role": "partner_admin"}],
    "customer_admins": [{"customer_id": "c1", "email": "pat@partner.example"}],
}


def tables(**changes):
    t = copy.deepcopy(BASE)
    t.update(changes)
    return t


@pytest.fixture
def home(tmp_path):
    store = SnapshotStore(tmp_path / "snapshots")
    state = StateStore(f"sqlite:///{tmp_path}/state.sqlite")
    state.init_schema()
    first = import_folder(write_folder(tmp_path / "base", BASE), store, state)
    assert first.ok, first.report.lines()
    yield store, state, tmp_path
    store.close()
    state.dispose()


def refused(home, folder_tables, fmt="csv", edit=None):
    """Imports and asserts refusal with nothing changed; returns the problem lines."""
    store, state, tmp = home
    before_id = store.current_id()
    before_files = sorted(p.name for p in store.directory.iterdir())
    folder = write_folder(tmp / "bad", folder_tables, fmt)
    if edit:
        edit(folder)
    result = import_folder(folder, store, state)
    assert not result.ok
    assert store.current_id() == before_id
    assert sorted(p.name for p in store.directory.iterdir()) == before_files
    return result.report.lines()


def assert_problem(lines, prefix: str, rule: str):
    hits = [line for line in lines if line.startswith(prefix) and rule in line]
    assert hits, f"no problem {prefix!r} … {rule!r} in:\n" + "\n".join(lines)


# ---------------------------------------------------------------- round trip


@pytest.mark.parametrize("fmt", ["parquet", "csv"])
def test_generate_import_status_round_trip(tmp_path, fmt):
    from partnerhub.data.generator import generate

    counts = generate(tmp_path / "gen", customers=200, weeks=14, seed=3, as_of=AS_OF, fmt=fmt)
    assert all((tmp_path / "gen" / f"{t}.{fmt}").exists() for t in counts)
    store = SnapshotStore(tmp_path / "snapshots")
    state = StateStore(f"sqlite:///{tmp_path}/state.sqlite")
    state.init_schema()
    result = import_folder(tmp_path / "gen", store, state)
    assert result.ok, result.report.lines()[:20]
    assert result.as_of == AS_OF
    info = store.current().info()
    assert info.id == result.snapshot_id
    for table in ANALYTICS_TABLES:
        assert info.row_counts[table.name] == counts[table.name]
    lines = store.current().rows("SELECT count(*) FROM lines")[0][0]
    assert lines == counts["subscription_licenses"]
    with state.read() as conn:
        assert conn.execute(users.select()).rowcount != 0
        n_users = len(conn.execute(users.select()).all())
        n_links = len(conn.execute(admin_assignments.select()).all())
    assert n_users == counts["partner_admins"]
    assert n_links == counts["customer_admins"]


def test_cli_import_and_status(tmp_path, demo_data):
    from click.testing import CliRunner
    from flask import Flask

    from partnerhub.cli.data import data_cli
    from partnerhub.data.runtime import EXTENSION, Services
    from partnerhub.data.settings import load_settings

    server = Flask("cli-test")
    server.extensions[EXTENSION] = Services.build(load_settings(home=tmp_path))
    with server.app_context():
        out = CliRunner().invoke(data_cli, ["status"])
        assert out.exit_code == 1 and "no data imported yet" in out.output
        out = CliRunner().invoke(data_cli, ["import", str(demo_data)])
        assert out.exit_code == 0, out.output
        assert "is current: as_of" in out.output
        out = CliRunner().invoke(data_cli, ["status"])
        assert out.exit_code == 0
        for word in ("snapshot", "as_of", "imported at", "customers", "license_usage"):
            assert word in out.output
        bad = tmp_path / "bad"
        write_folder(bad, tables(customers=[{**BASE["customers"][0], "managed_by": "nobody"}]))
        out = CliRunner().invoke(data_cli, ["import", str(bad)])
        assert out.exit_code == 1
        assert "customers.csv:2:managed_by: nobody: must be one of partner | external" in out.output
        assert "Traceback" not in out.output
        out = CliRunner().invoke(data_cli, ["import", str(tmp_path / "missing")])
        assert out.exit_code == 1 and "not a folder" in out.output


def test_unknown_column_is_a_warning(home):
    store, state, tmp = home
    folder = write_folder(tmp / "extra", BASE)
    rows = [{**r, "region": "EMEA"} for r in BASE["customers"]]
    write_csv(folder, "customers", rows, list(BY_NAME["customers"].column_names) + ["region"])
    (folder / "notes.csv").write_text("a\n1\n")
    result = import_folder(folder, store, state)
    assert result.ok
    assert any("unknown column 'region'" in w for w in result.report.warnings)
    assert any("notes.csv" in w for w in result.report.warnings)


def test_csv_row_numbers_count_lines_inside_quoted_fields(home):
    def edit(folder):
        (folder / "customers.csv").write_text(
            "customer_id,name,managed_by,created_on,last_admin_sign_in\n"
            'c1,"Acme\nCorp, Two Lines",partner,2024-01-05,\n'
            "c2,Sakura,sideways,2025-03-01,\n"
        )

    lines = refused(home, BASE, edit=edit)
    assert_problem(lines, "customers.csv:4:managed_by: sideways:", "must be one of")


def test_directory_merge_never_deletes_and_keeps_app_removals(home):
    from sqlalchemy import select, update

    store, state, tmp = home
    with state.write() as conn:
        conn.execute(update(admin_assignments).values(removed_at=datetime.now(UTC), removed_by="x"))
    second = import_folder(
        write_folder(
            tmp / "again",
            tables(partner_admins=[{"email": "pat@partner.example", "name": "Pat Renamed", "role": "sales_admin"}]),
        ),
        store,
        state,
    )
    assert second.ok
    with state.read() as conn:
        row = conn.execute(select(users.c.name, users.c.role).where(users.c.email == "pat@partner.example")).first()
        links = conn.execute(select(admin_assignments.c.removed_at)).all()
    assert tuple(row) == ("Pat Renamed", "sales_admin")
    assert len(links) == 1 and links[0][0] is not None  # the in-app removal stands


# ---------------------------------------------------------------- one refusal per rule


def _row(table, i=0, **changes):
    rows = copy.deepcopy(BASE[table])
    rows[i].update(changes)
    return {table: rows}


CASES = [
    # (id, tables, file:row:column prefix, rule words)
    ("id-characters", _row("customers", 0, customer_id="c 1"), "customers.csv:2:customer_id: c 1:", "must be an id"),
    ("id-length", _row("customers", 0, customer_id="x" * 65), "customers.csv:2:customer_id:", "must be an id"),
    ("name-length", _row("customers", 0, name="n" * 201), "customers.csv:2:name:", "1-200 characters"),
    ("name-empty", _row("customers", 1, name=None), "customers.csv:3:name: :", "must not be empty"),
    (
        "managed_by-enum",
        _row("customers", 0, managed_by="reseller"),
        "customers.csv:2:managed_by: reseller:",
        "must be one of",
    ),
    (
        "created_on-date",
        _row("customers", 0, created_on="2024-13-01"),
        "customers.csv:2:created_on: 2024-13-01:",
        "must be a date",
    ),
    (
        "timestamp-offset",
        _row("customers", 0, last_admin_sign_in="2026-11-20T08:30:00"),
        "customers.csv:2:last_admin_sign_in:",
        "ISO 8601",
    ),
    ("kind-enum", _row("subscriptions", 0, kind="free"), "subscriptions.csv:2:kind: free:", "must be one of"),
    (
        "status-enum",
        _row("subscriptions", 0, status="cancelled"),
        "subscriptions.csv:2:status: cancelled:",
        "must be one of",
    ),
    (
        "end-before-start",
        _row("subscriptions", 0, end_date=date(2025, 12, 31)),
        "subscriptions.csv:2:end_date:",
        "on or after start_date",
    ),
    (
        "trial-auto-renew",
        _row("subscriptions", 1, auto_renew=True),
        "subscriptions.csv:3:auto_renew:",
        "false for a trial",
    ),
    ("bool", _row("subscriptions", 0, auto_renew="yes"), "subscriptions.csv:2:auto_renew: yes:", "true or false"),
    (
        "subscription-customer-ref",
        _row("subscriptions", 0, customer_id="c9"),
        "subscriptions.csv:2:customer_id: c9:",
        "missing customers",
    ),
    (
        "product-enum",
        _row("subscription_licenses", 0, product="fax"),
        "subscription_licenses.csv:2:product: fax:",
        "must be one of",
    ),
    (
        "licenses-negative",
        _row("subscription_licenses", 0, licenses=-1),
        "subscription_licenses.csv:2:licenses: -1:",
        "whole number ≥ 0",
    ),
    (
        "licenses-fraction",
        _row("subscription_licenses", 0, licenses="2.5"),
        "subscription_licenses.csv:2:licenses: 2.5:",
        "whole number",
    ),
    (
        "licenses-subscription-ref",
        _row("subscription_licenses", 0, subscription_id="s9"),
        "subscription_licenses.csv:2:subscription_id: s9:",
        "missing subscriptions",
    ),
    (
        "week-not-sunday",
        _row("license_usage", 0, week_start=date(2026, 11, 16)),
        "license_usage.csv:2:week_start: 2026-11-16:",
        "Sunday",
    ),
    (
        "used-over-assigned",
        _row("license_usage", 0, used=9),
        "license_usage.csv:2:used: 9:",
        "must not exceed assigned",
    ),
    (
        "usage-line-ref",
        _row("license_usage", 0, product="webinars"),
        "license_usage.csv:2:subscription_id: s1/webinars:",
        "missing subscription_licenses",
    ),
    (
        "usage-duplicate",
        {"license_usage": BASE["license_usage"] + [BASE["license_usage"][0]]},
        "license_usage.csv:5:week_start:",
        "duplicate",
    ),
    (
        "customer-duplicate",
        {"customers": BASE["customers"] + [BASE["customers"][0]]},
        "customers.csv:4:customer_id: c1:",
        "duplicate",
    ),
    ("order-type", _row("orders", 0, type="refund"), "orders.csv:2:type: refund:", "must be one of"),
    (
        "order-ref",
        _row("orders", 0, subscription_id="nope"),
        "orders.csv:2:subscription_id: nope:",
        "missing subscriptions",
    ),
    ("invoice-due", _row("invoices", 0, due_on=date(2025, 12, 1)), "invoices.csv:2:due_on:", "on or after issued_on"),
    ("invoice-currency", _row("invoices", 0, currency="usd"), "invoices.csv:2:currency: usd:", "3 capital letters"),
    ("invoice-amount", _row("invoices", 0, amount=-3), "invoices.csv:2:amount: -3:", "number ≥ 0"),
    ("invoice-status", _row("invoices", 0, status="late"), "invoices.csv:2:status: late:", "must be one of"),
    ("calling-minutes", _row("calling_usage", 0, minutes="lots"), "calling_usage.csv:2:minutes: lots:", "number"),
    (
        "calling-customer-ref",
        _row("calling_usage", 0, customer_id="zz"),
        "calling_usage.csv:2:customer_id: zz:",
        "missing customers",
    ),
    (
        "quality-endpoint",
        _row("call_quality", 0, endpoint_type="fax"),
        "call_quality.csv:2:endpoint_type: fax:",
        "must be one of",
    ),
    (
        "quality-poor",
        _row("call_quality", 0, poor_calls=41),
        "call_quality.csv:2:poor_calls: 41:",
        "must not exceed calls",
    ),
    (
        "feature-enum",
        _row("calling_features", 0, feature="telepathy"),
        "calling_features.csv:2:feature: telepathy:",
        "must be one of",
    ),
    (
        "queue-sum",
        _row("call_queues", 0, answered=19),
        "call_queues.csv:2:offered: 20:",
        "answered + abandoned + overflowed",
    ),
    ("queue-wait", _row("call_queues", 0, answer_wait_seconds=-1), "call_queues.csv:2:answer_wait_seconds: -1:", "≥ 0"),
    ("queue-duplicate", {"call_queues": BASE["call_queues"] * 2}, "call_queues.csv:3:week_start:", "duplicate"),
    (
        "admin-email",
        _row("partner_admins", 0, email="not-an-email"),
        "partner_admins.csv:2:email: not-an-email:",
        "e-mail",
    ),
    ("admin-role", _row("partner_admins", 0, role="owner"), "partner_admins.csv:2:role: owner:", "must be one of"),
    (
        "assignment-admin-ref",
        _row("customer_admins", 0, email="ghost@partner.example"),
        "customer_admins.csv:2:email: ghost@partner.example:",
        "missing partner_admins",
    ),
    (
        "assignment-customer-ref",
        _row("customer_admins", 0, customer_id="c404"),
        "customer_admins.csv:2:customer_id: c404:",
        "missing customers",
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_each_rule_refuses_the_import(home, case):
    _, changed, prefix, rule = case
    lines = refused(home, tables(**changed))
    assert_problem(lines, prefix, rule)


def test_missing_required_file(home):
    t = tables()
    del t["license_usage"]
    assert_problem(refused(home, t), "license_usage.csv:0:-:", "required file missing")


def test_missing_column(home):
    def edit(folder):
        write_csv(
            folder,
            "subscriptions",
            BASE["subscriptions"],
            [c for c in BY_NAME["subscriptions"].column_names if c != "auto_renew"],
        )

    assert_problem(refused(home, BASE, edit=edit), "subscriptions.csv:1:auto_renew:", "required column missing")


def test_both_formats_for_one_table(home):
    def edit(folder):
        pl.read_csv(folder / "orders.csv").write_parquet(folder / "orders.parquet")

    assert_problem(refused(home, BASE, edit=edit), "orders.parquet:0:-:", "both orders.csv and orders.parquet")


def test_unreadable_csv(home):
    def edit(folder):
        (folder / "orders.csv").write_text(
            'order_id,subscription_id,ordered_on,type,description\no1,s1,2025-12-20,new,"unterminated\n'
        )

    assert_problem(refused(home, BASE, edit=edit), "orders.csv:0:-:", "cannot be read")


ORDERS_HEADER = "order_id,subscription_id,ordered_on,type,description\n"


def test_csv_row_with_more_fields_than_the_header(home):
    def edit(folder):
        (folder / "orders.csv").write_text(
            ORDERS_HEADER + 'o1,s1,2025-12-20,new,"two\nlines"\no2,s1,2025-12-21,change,Added,extra\n'
        )

    lines = refused(home, BASE, edit=edit)
    # line 4: the quoted line break of the record before counts as a line
    assert_problem(lines, "orders.csv:4:-: o2,s1,2025-12-21,change,Added,extra:", "has 6 fields, the header has 5")
    assert not any("sniffing" in line for line in lines)


def test_csv_row_with_fewer_fields_than_the_header(home):
    def edit(folder):
        (folder / "orders.csv").write_text(ORDERS_HEADER + "o1,s1,2025-12-20,new,Initial\no2,s1\n")
        # the first data row is the widest: the file is still read with its header
        (folder / "invoices.csv").write_text(
            "invoice_id,subscription_id,issued_on,due_on,amount,currency,status\n"
            "i1,s1,2026-01-01,2026-01-31,100.0,USD,paid,extra\n"
        )

    lines = refused(home, BASE, edit=edit)
    assert_problem(lines, "orders.csv:3:-: o2,s1:", "has 2 fields, the header has 5")
    assert_problem(lines, "invoices.csv:2:-:", "has 8 fields, the header has 7")
    assert not any("required column missing" in line for line in lines)


def test_every_row_of_the_wrong_width_is_counted(home):
    def edit(folder):
        rows = "".join(f"o{i},s1,2025-12-20,new\n" for i in range(250))
        (folder / "orders.csv").write_text(ORDERS_HEADER + rows)

    lines = refused(home, BASE, edit=edit)
    listed = [line for line in lines if line.startswith("orders.csv:") and "has 4 fields, the header has 5" in line]
    assert len(listed) == 200 and listed[0].startswith("orders.csv:2:-: o0,")
    assert "orders.csv:251:-: o249,s1,2025-12-20,new: has 4 fields, the header has 5" not in lines
    assert any("orders.csv: -: has 4 fields, the header has 5: 250 rows in all" in line for line in lines)


def test_parquet_wrong_type(home):
    def edit(folder):
        frame = pl.read_csv(folder / "subscription_licenses.csv").with_columns(
            pl.col("licenses").cast(pl.Float64) + 0.5
        )
        (folder / "subscription_licenses.csv").unlink()
        frame.write_parquet(folder / "subscription_licenses.parquet")

    assert_problem(refused(home, BASE, edit=edit), "subscription_licenses.parquet:1:licenses: 10.5:", "whole number")


def test_every_problem_is_reported_and_summarised(home):
    many = [{**BASE["customers"][0], "customer_id": f"c{i}", "managed_by": "x"} for i in range(3, 503)]
    lines = refused(home, tables(customers=BASE["customers"] + many))
    assert sum(1 for line in lines if "managed_by: x: must be one of" in line) == 200
    assert any(line.startswith("... and") for line in lines)
    assert any(
        "customers.csv: managed_by: must be one of partner | external: 500 rows in all" in line for line in lines
    )


# ---------------------------------------------------------------- atomic switch


def test_reader_keeps_its_snapshot_while_an_import_completes(home):
    store, state, tmp = home
    old = store.current()
    old_customers = old.rows("SELECT count(*) FROM customers")[0][0]
    bigger = tables(
        customers=BASE["customers"]
        + [
            {
                "customer_id": "c3",
                "name": "Third",
                "managed_by": "partner",
                "created_on": date(2026, 1, 1),
                "last_admin_sign_in": None,
            }
        ]
    )
    cur = old.cursor()
    cur.execute("SELECT customer_id FROM customers ORDER BY customer_id")
    first_half = cur.fetchmany(1)

    done = threading.Event()

    def run():
        assert import_folder(write_folder(tmp / "new", bigger), store, state).ok
        done.set()

    t = threading.Thread(target=run)
    t.start()
    t.join(60)
    assert done.is_set()
    rest = cur.fetchall()
    cur.close()
    assert [r[0] for r in first_half + rest] == ["c1", "c2"]  # the old reader finished on the old data
    assert old.rows("SELECT count(*) FROM customers")[0][0] == old_customers
    new = store.current()
    assert new.id != old.id
    assert new.rows("SELECT count(*) FROM customers")[0][0] == 3  # new requests see the new data


def test_other_process_sees_new_snapshot_without_restart(home):
    store, state, tmp = home
    other = SnapshotStore(store.directory)  # as another worker would
    seen = other.current().id
    assert import_folder(write_folder(tmp / "next", BASE), store, state).ok
    assert store.current_id() != seen
    assert other.current().id == store.current_id()
    other.close()


def test_old_snapshots_are_pruned(home):
    store, state, tmp = home
    for i in range(5):
        assert import_folder(write_folder(tmp / f"n{i}", BASE), store, state, keep=2).ok
    assert len(store.ids()) == 3
    assert store.current_id() in store.ids()


def test_contract_doc_is_current():
    from partnerhub.data.contract_doc import render

    doc = Path(__file__).resolve().parents[1] / "docs" / "data-contract.md"
    assert doc.read_text() == render(), "run: python -m partnerhub.data.contract_doc > docs/data-contract.md"


# ---------------------------------------------------------------- control characters

CONTROL_RULE = "must not contain control characters (U+0000-U+001F except tab, U+007F)"


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
@pytest.mark.parametrize(("char", "shown"), [("\x00", "<U+0000>"), ("\x07", "<U+0007>")], ids=["NUL", "BEL"])
def test_a_control_character_in_a_name_refuses_the_import(home, fmt, char, shown):
    lines = refused(home, tables(**_row("customers", 1, name=f"Sakura{char}Logistics")), fmt=fmt)
    row = 3 if fmt == "csv" else 2  # the CSV's header is line 1
    assert_problem(lines, f"customers.{fmt}:{row}:name: Sakura{shown}Logistics:", CONTROL_RULE)
    assert not any(char in line for line in lines)  # shown, never printed raw


@pytest.mark.parametrize(
    ("changed", "fmt", "prefix"),
    [
        (
            _row("orders", 0, description="line one\nline two"),
            "csv",
            "orders.csv:2:description: line one<U+000A>line two:",
        ),
        (
            _row("call_queues", 0, queue_name="Support\r"),
            "parquet",
            "call_queues.parquet:1:queue_name: Support<U+000D>:",
        ),
        (_row("partner_admins", 0, name="Pat\x1b[2J"), "csv", "partner_admins.csv:2:name: Pat<U+001B>[2J:"),
        (
            {
                "partner_admins": [{**BASE["partner_admins"][0], "email": "pat\x7f@partner.example"}],
                "customer_admins": [{"customer_id": "c1", "email": "pat\x7f@partner.example"}],
            },
            "csv",
            "partner_admins.csv:2:email: pat<U+007F>@partner.example:",
        ),
    ],
    ids=["line-break-in-description", "carriage-return", "escape-in-admin-name", "DEL-in-email"],
)
def test_control_characters_are_refused_in_every_text_field(home, changed, fmt, prefix):
    assert_problem(refused(home, tables(**changed), fmt=fmt), prefix, CONTROL_RULE)


def test_a_tab_in_a_name_is_kept(home):
    store, state, tmp = home
    result = import_folder(write_folder(tmp / "tab", tables(**_row("customers", 0, name="Acme\tCorp"))), store, state)
    assert result.ok, result.report.lines()
    assert store.current().rows("SELECT name FROM customers WHERE customer_id = 'c1'") == [("Acme\tCorp",)]
