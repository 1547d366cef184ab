"""Files for Excel users, over HTTP with raw requests: a CSV downloaded from
a page by a Japanese user starts with UTF-8's byte-order mark (the page's
link asks for ?bom=true); the API's CSV is byte for byte what it always was
unless asked (?bom=true adds the mark, ?bom=false none); a bad value is a
clear 400. XLSX headers stay the spec's column names, one row, with a note
on each header cell saying what it holds in Japanese and English."""

from __future__ import annotations

import io
import json
import re

import openpyxl
import polars as pl
import pytest

from partnerhub.api.exports import write_file
from partnerhub.auth.roles import FULL
from partnerhub.metrics.customers import customers
from partnerhub.metrics.types import Context, View
from tests.auth_client import api_tokens, csrf_header, new_user, router, sign_in

BOM = b"\xef\xbb\xbf"
JA = {"Accept-Language": "ja-JP,ja;q=0.9"}
EN = {"Accept-Language": "en-US,en;q=0.9"}
FULL_ADMIN = "full.admin@demo.example"
CSV_LINK = re.compile(r'"href": "(/api/v1/datasets/customers\.csv[^"]*)"')


@pytest.fixture(scope="module")
def token(app):
    return api_tokens(app, [FULL_ADMIN], "bom tests")[FULL_ADMIN]


def _get(client, token, url):
    return client.get(url, headers={"Authorization": f"Bearer {token}"})


def _expected_csv(app, tmp_path) -> bytes:
    # the file as the writer has always written it, apart from the routes
    svc = app.extensions["partnerhub"]
    frame = customers(Context(svc.snapshots.current(), svc.state, svc.settings), View()).export()
    path = tmp_path / "expected.csv"
    write_file(frame, "csv", str(path))
    return path.read_bytes()


def test_the_api_csv_is_unchanged_unless_asked(app, client, token, tmp_path):
    plain = _get(client, token, "/api/v1/datasets/customers.csv")
    assert plain.status_code == 200
    expected = _expected_csv(app, tmp_path)
    assert plain.data == expected and not plain.data.startswith(BOM)
    assert _get(client, token, "/api/v1/datasets/customers.csv?bom=false").data == expected
    marked = _get(client, token, "/api/v1/datasets/customers.csv?bom=true")
    assert marked.status_code == 200 and marked.data == BOM + expected
    # the same file again, from the export cache: still unmarked
    assert _get(client, token, "/api/v1/datasets/customers.csv").data == expected
    # with the filters too
    filtered = _get(client, token, "/api/v1/datasets/customers.csv?status=trial&bom=true")
    assert filtered.status_code == 200 and filtered.data.startswith(BOM)
    assert filtered.data[3:] == _get(client, token, "/api/v1/datasets/customers.csv?status=trial").data


@pytest.mark.parametrize("query", ["bom=yes", "bom=", "bom=TRUE", "bom=1", "bom=true&bom=false", "bom=x" * 30])
def test_a_bad_bom_value_is_a_clear_400(client, token, query):
    r = _get(client, token, f"/api/v1/datasets/customers.csv?{query}")
    assert r.status_code == 400
    assert "bom: give true or false" in r.get_json()["error"]


def test_bom_is_for_csv_only(client, token):
    r = _get(client, token, "/api/v1/datasets/customers.parquet?bom=true")
    assert r.status_code == 400 and "only a CSV file" in r.get_json()["error"]
    assert _get(client, token, "/api/v1/datasets/customers.parquet?bom=false").status_code == 200


def _page_csv_link(client, headers) -> str:
    r = router(client, "/customers", headers={**csrf_header(client), **headers})
    links = CSV_LINK.findall(json.dumps(r.get_json(), ensure_ascii=False))
    assert links, "no CSV link on the customer list"
    return links[0]


def test_a_japanese_users_page_download_starts_with_a_bom(app, services):
    email = new_user(services, FULL)
    client = app.test_client()
    assert sign_in(client, email, headers=JA).status_code == 302
    link = _page_csv_link(client, JA)
    assert "bom=true" in link
    body = client.get(link, headers=JA)
    assert body.status_code == 200 and body.data.startswith(BOM)
    assert body.data[3:].decode("utf-8").startswith("customer_id,customer_name,")  # the spec's names, in Japanese too

    english = app.test_client()
    assert sign_in(english, new_user(services, FULL), headers=EN).status_code == 302
    link = _page_csv_link(english, EN)
    assert "bom" not in link
    assert not english.get(link, headers=EN).data.startswith(BOM)


def test_xlsx_headers_carry_notes_in_both_languages(app, client, token):
    r = _get(client, token, "/api/v1/datasets/customers.xlsx")
    assert r.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(r.data)).active
    header = list(sheet[1])
    assert [c.value for c in header][:2] == ["customer_id", "customer_name"]
    notes = {c.value: c.comment.text for c in header if c.comment}
    assert notes["customer_name"] == "顧客組織の名前。\nThe customer organization's name."
    assert "customer_id" in notes and "last_admin_sign_in" in notes
    # still one header row: a reader of the data sees the spec's columns and the rows
    frame = pl.read_excel(io.BytesIO(r.data))
    assert frame.columns[:2] == ["customer_id", "customer_name"]
    assert frame.height == _get(client, token, "/api/v1/datasets/customers.csv").data.count(b"\n") - 1
