"""/api/v1 over raw HTTP: every dataset in every format equals the metrics
function's frame; scope, role and parameter rules; tokens."""

from __future__ import annotations

import csv
import io

import openpyxl
import polars as pl
import pytest
from polars.testing import assert_frame_equal

from partnerhub.metrics.datasets import DATASETS
from partnerhub.metrics.types import Context, View
from tests.auth_client import api_tokens

FULL = "full.admin@demo.example"
ADMIN = "admin@demo.example"
SALES = "sales@demo.example"


@pytest.fixture(scope="module")
def tokens(app):
    return api_tokens(app, (FULL, ADMIN, SALES, "readonly@demo.example"), "api tests")


def get(client, token, url):
    return client.get(url, headers={"Authorization": f"Bearer {token}"})


def ctx_of(app) -> Context:
    svc = app.extensions["partnerhub"]
    return Context(svc.snapshots.current(), svc.state, svc.settings)


def scope_of(app, email):
    from partnerhub.auth.scope import customer_scope
    from partnerhub.auth.session import Identity
    from partnerhub.auth.users import get_user_by_email

    svc = app.extensions["partnerhub"]
    u = get_user_by_email(svc.state, email)
    with app.app_context():
        return customer_scope(Identity(u.id, u.email, u.name, u.role))


def read(fmt: str, body: bytes) -> pl.DataFrame:
    if fmt == "csv":
        return pl.read_csv(io.BytesIO(body), infer_schema_length=0)
    if fmt == "parquet":
        return pl.read_parquet(io.BytesIO(body))
    return pl.read_excel(io.BytesIO(body), engine="calamine")


def timestamps_as_text(frame: pl.DataFrame) -> pl.DataFrame:
    """Timestamps as the export writes them: ISO 8601 in UTC with Z."""
    return frame.with_columns(
        [pl.col(n).dt.strftime("%Y-%m-%dT%H:%M:%SZ") for n, t in frame.schema.items() if isinstance(t, pl.Datetime)]
    )


@pytest.mark.parametrize("name", sorted(DATASETS))
def test_every_dataset_in_every_format_equals_the_metrics_frame(app, client, tokens, name):
    expected = (
        DATASETS[name]
        .fn(ctx_of(app), View(scope=None, product="calling" if name in ("license_trend", "expiring") else "meetings"))
        .export()
    )
    query = "?product=calling" if name in ("license_trend", "expiring") else ""
    as_of = ctx_of(app).as_of.isoformat()
    for fmt in ("csv", "parquet", "xlsx"):
        res = get(client, tokens[FULL], f"/api/v1/datasets/{name}.{fmt}{query}")
        assert res.status_code == 200, res.get_data(as_text=True)[:300]
        assert res.headers["Content-Disposition"] == f'attachment; filename="{name}_{as_of}.{fmt}"'
        got = read(fmt, res.data)
        assert got.columns == expected.columns
        assert got.height == expected.height
        if fmt == "parquet":
            assert_frame_equal(got, expected)
        elif fmt == "csv":
            text_times = timestamps_as_text(expected)
            assert_frame_equal(pl.read_csv(io.BytesIO(res.data), schema=text_times.schema), text_times)
        else:
            _assert_xlsx_matches(res.data, expected)


def _assert_xlsx_matches(body: bytes, expected: pl.DataFrame) -> None:
    book = openpyxl.load_workbook(io.BytesIO(body), read_only=False)
    ws = book.active
    header = [c.value for c in ws[1]]
    assert header == expected.columns
    for r, row in enumerate(expected.iter_rows(), start=2):
        for c, value in enumerate(row, start=1):
            cell = ws.cell(r, c)
            assert cell.data_type != "f"  # never a formula
            if value is None:
                assert cell.value is None
            elif isinstance(value, float):
                assert cell.value == pytest.approx(value)
            elif isinstance(value, bool):
                assert cell.value is value
            elif isinstance(value, int):
                assert cell.value == value and cell.data_type == "n"
            elif isinstance(value, str):
                assert cell.value == value and cell.data_type == "s"


def test_csv_encodings(client, tokens):
    body = get(client, tokens[FULL], "/api/v1/datasets/customers.csv").get_data(as_text=True)
    header, *_rows = body.splitlines()
    cols = header.split(",")
    assert "total_licenses" in cols
    assert "NaN" not in body and "None" not in body
    table = list(csv.reader(io.StringIO(body)))
    counts = [i for i, c in enumerate(table[0]) if c != "health_score"]  # the list's one float column
    assert not any(row[i].endswith(".0") for row in table[1:] for i in counts)
    frame = pl.read_csv(io.StringIO(body))
    assert frame["total_licenses"].dtype == pl.Int64
    # the demo names include a leading '=': written exactly as imported
    assert frame.filter(pl.col("customer_name").str.starts_with("=")).height >= 1


def test_xlsx_text_that_looks_like_a_formula_stays_text(client, tokens):
    body = get(client, tokens[FULL], "/api/v1/datasets/customers.xlsx").data
    ws = openpyxl.load_workbook(io.BytesIO(body)).active
    names = [ws.cell(r, 2) for r in range(2, ws.max_row + 1)]
    risky = [c for c in names if isinstance(c.value, str) and c.value.startswith("=")]
    assert risky and all(c.data_type == "s" for c in risky)


def test_partner_admin_files_hold_only_its_customers(app, client, tokens):
    scope = scope_of(app, ADMIN)
    assert scope, "the demo admin has assigned customers"
    for name in ("customers", "expiring", "low_allocation", "calling_usage", "call_queues"):
        frame = pl.read_parquet(io.BytesIO(get(client, tokens[ADMIN], f"/api/v1/datasets/{name}.parquet").data))
        assert set(frame["customer_id"].to_list()) <= scope
    listed = pl.read_parquet(io.BytesIO(get(client, tokens[ADMIN], "/api/v1/datasets/customers.parquet").data))
    assert set(listed["customer_id"].to_list()) == scope


def test_sales_admin_may_not_export_calling(client, tokens):
    for name in (
        "calling_usage",
        "calling_usage_trend",
        "call_quality",
        "call_quality_trend",
        "call_quality_by_endpoint",
        "calling_features",
        "call_queues",
    ):
        res = get(client, tokens[SALES], f"/api/v1/datasets/{name}.csv")
        assert res.status_code == 403 and "error" in res.get_json()
    names = {d["name"] for d in get(client, tokens[SALES], "/api/v1/datasets").get_json()}
    assert "calling_usage" not in names and "customers" in names and "overage" in names
    body = get(client, tokens[SALES], "/api/v1/kpis").get_json()
    assert "call_queues" not in body and "headline" in body


def test_kpis_shape_and_values(app, client, tokens):
    import json

    from partnerhub.metrics.datasets import kpis

    body = get(client, tokens[FULL], "/api/v1/kpis?product=calling").get_json()
    assert body["product"] == "calling"
    assert body["as_of"] == ctx_of(app).as_of.isoformat()
    for section in ("headline", "recently_added", "expiring", "renewing", "low_allocation", "overage", "call_queues"):
        assert section in body
    expected = kpis(ctx_of(app), View(product="calling"), {"customers", "analytics", "calling"})
    assert body == json.loads(json.dumps(expected, default=str))
    assert set(body["headline"]) == {
        "total_customers",
        "expiring_customers",
        "renewing_customers",
        "low_allocation_customers",
        "overage_customers",
    }


def test_filters_narrow_the_customer_list(client, tokens):
    frame = pl.read_parquet(
        io.BytesIO(
            get(
                client,
                tokens[FULL],
                "/api/v1/datasets/customers.parquet?status=suspended&status=expired&managed_by=partner",
            ).data
        )
    )
    assert frame.height > 0
    assert frame["managed_by"].unique().to_list() == ["partner"]
    assert all("suspended" in s.split(";") or "expired" in s.split(";") for s in frame["statuses"])


@pytest.mark.parametrize(
    "url,param",
    [
        ("/api/v1/kpis?product=webex", "product"),
        ("/api/v1/datasets/customers.csv?status=sleepy", "status"),
        ("/api/v1/datasets/customers.csv?colour=blue", "colour"),
        ("/api/v1/datasets/overage.csv?product=messaging", "product"),
        ("/api/v1/datasets/customers.csv?managed_by=nobody", "managed_by"),
        ("/api/v1/datasets/customers.csv?tag=no-such-tag", "tag"),
        ("/api/v1/datasets/customers.csv?needs_attention=maybe", "needs_attention"),
        ("/api/v1/kpis?product=calling&product=meetings", "product"),
        ("/api/v1/datasets/expiring.csv?q=" + "x" * 201, "q"),
        ("/api/v1/datasets/customers.csv?tag=" + "t" * 201, "tag"),
        ("/api/v1/datasets/expiring.csv?status=trial&subscription_type=free", "subscription_type"),
    ],
)
def test_bad_parameters_are_named(client, tokens, url, param):
    res = get(client, tokens[FULL], url)
    assert res.status_code == 400
    body = res.get_json()
    assert param in body["error"] and body["parameter"] == param
    assert "Traceback" not in res.get_data(as_text=True)


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/datasets/nothing.csv",
        "/api/v1/datasets/customers.json",
        "/api/v1/datasets/customers",
        "/api/v1/nowhere",
    ],
)
def test_unknown_datasets_and_formats_are_404(client, tokens, url):
    res = get(client, tokens[FULL], url)
    assert res.status_code == 404 and "error" in res.get_json()


def test_tokens(app, client, tokens):
    from partnerhub.auth.tokens import list_tokens, revoke_token
    from partnerhub.auth.users import get_user_by_email

    assert client.get("/api/v1/kpis").status_code == 401
    assert get(client, "phk_unknown", "/api/v1/kpis").status_code == 401
    svc = app.extensions["partnerhub"]
    user = get_user_by_email(svc.state, "readonly@demo.example")
    token = tokens["readonly@demo.example"]
    assert get(client, token, "/api/v1/kpis").status_code == 200
    listed = list_tokens(svc.state, user.id)
    for t in listed:
        revoke_token(svc.state, user.email, t["id"], user.id)
    assert get(client, token, "/api/v1/kpis").status_code == 401


def test_openapi_document(client, tokens):
    doc = get(client, tokens[FULL], "/api/v1/openapi.json").get_json()
    assert doc["openapi"].startswith("3.")
    assert "/api/v1/datasets/{name}.{format}" in doc["paths"]
    names = doc["paths"]["/api/v1/datasets/{name}.{format}"]["get"]["parameters"][0]["schema"]["enum"]
    assert set(names) == set(DATASETS)


def test_large_export_streams(client, tokens):
    res = get(client, tokens[FULL], "/api/v1/datasets/customers.csv")
    assert res.is_streamed


@pytest.mark.parametrize("imported_as", ["csv", "parquet"])
def test_fractional_seconds_are_exported_as_imported(tmp_path, imported_as):
    """metrics.md: exports never round. A sign-in at 23:59:59.5 (or to the
    microsecond) reads back equal from the CSV, XLSX and Parquet file."""
    from datetime import UTC, datetime, timedelta

    from partnerhub.api.exports import WRITERS
    from tests.test_metrics_support import World, build, d

    signins = {
        "HALF": datetime(2025, 6, 13, 23, 59, 59, 500000, tzinfo=UTC),
        "MICRO": datetime(2025, 6, 12, 8, 15, 2, 123456, tzinfo=UTC),
        "WHOLE": datetime(2025, 6, 11, 10, 0, 0, tzinfo=UTC),
    }
    world = World()
    for cid, signin in signins.items():
        world.customer(cid, signin=signin)
        world.sub(f"{cid}-S", cid, start=d(-100), end=d(200))
        world.line(f"{cid}-S", "meetings", 10, {0: (8, 6)})
    ctx = build(tmp_path, world, fmt=imported_as)
    frame = DATASETS["customers"].fn(ctx, View(scope=None, product="meetings")).export()
    ours = frame.filter(pl.col("customer_id").is_in(list(signins))).sort("customer_id")
    expected = dict(zip(ours["customer_id"], ours["last_admin_sign_in"], strict=True))
    assert expected == signins  # what the export starts from is the imported instant

    def exported(fmt: str) -> bytes:
        return b"".join(WRITERS[fmt](frame))

    csv_frame = pl.read_csv(io.BytesIO(exported("csv")), infer_schema_length=0)
    csv_text = dict(zip(csv_frame["customer_id"], csv_frame["last_admin_sign_in"], strict=True))
    assert csv_text["HALF"] == "2025-06-13T23:59:59.500Z"
    assert csv_text["MICRO"] == "2025-06-12T08:15:02.123456Z"
    assert csv_text["WHOLE"] == "2025-06-11T10:00:00Z"
    assert {cid: datetime.fromisoformat(csv_text[cid]) for cid in signins} == signins

    parquet = pl.read_parquet(io.BytesIO(exported("parquet"))).filter(pl.col("customer_id").is_in(list(signins)))
    assert dict(zip(parquet["customer_id"], parquet["last_admin_sign_in"], strict=True)) == signins

    ws = openpyxl.load_workbook(io.BytesIO(exported("xlsx"))).active
    header = [c.value for c in ws[1]]
    id_col, signin_col = header.index("customer_id") + 1, header.index("last_admin_sign_in") + 1
    cells = {ws.cell(r, id_col).value: ws.cell(r, signin_col) for r in range(2, ws.max_row + 1)}
    from_sheet = {cid: cells[cid].value.replace(tzinfo=UTC) for cid in signins}  # the sheet's times are UTC
    assert from_sheet["HALF"] == signins["HALF"] and from_sheet["WHOLE"] == signins["WHOLE"]
    # Excel readers round a cell's time to the millisecond; the cell itself holds the microsecond
    assert abs(from_sheet["MICRO"] - signins["MICRO"]) < timedelta(milliseconds=1)
    assert cells["HALF"].number_format.endswith("ss.000")
    assert cells["WHOLE"].number_format == "yyyy-mm-dd hh:mm:ss"


def test_openapi_lists_background_exports(client, tokens):
    doc = get(client, tokens[FULL], "/api/v1/openapi.json").get_json()
    path = doc["paths"]["/api/v1/exports/{name}.{format}"]
    assert set(path) >= {"post", "get", "parameters"}
    assert set(path["post"]["responses"]) >= {"200", "202", "429"}
    states = path["get"]["responses"]["202"]["content"]["application/json"]["schema"]["properties"]["status"]["enum"]
    assert states == ["pending", "ready", "failed"]
