"""Issue 12: what a browser downloads once is kept. Dash's fingerprinted
bundles and our /assets/ files as the index links them (?m=<mtime>) are
cached for a year, the same for every visitor (no cookie, no Vary: Cookie),
and sent compressed; exports and data responses are left as they were."""

from __future__ import annotations

import gzip
import io
import json
import re

import brotli
import openpyxl
import polars as pl
import pytest

from partnerhub.asset_urls import FOLDER_MARK, unversioned_path, versioned_links
from partnerhub.auth.headers import IMMUTABLE
from partnerhub.compression import MIN_SIZE
from tests.auth_client import csrf_header, router, sign_in
from tests.conftest import ROOT
from tools.subset_icons import used_icons

ASSETS = ROOT / "partnerhub" / "assets"

INDEX_LINK = re.compile(r'(?:src|href)="(/(?:assets|_dash-component-suites)/[^"]+)"')


@pytest.fixture
def signed_in(app):
    client = app.test_client()
    assert sign_in(client, "admin@demo.example").status_code == 302
    return client


def _index_links(client) -> list[str]:
    page = client.get("/")
    assert page.status_code == 200
    return INDEX_LINK.findall(page.get_data(as_text=True))


def _bundle(links: list[str]) -> str:
    return next(u for u in links if u.startswith("/_dash-component-suites/") and "dash_renderer" in u)


def _asset(links: list[str], name: str = "app.js") -> str:
    return next(u for u in links if u.startswith(f"/assets/{name}?m="))


def test_fingerprinted_files_are_kept_a_year_and_alike_for_everyone(signed_in, client):
    links = _index_links(signed_in)
    for url in (_bundle(links), _asset(links), _asset(links, "app.css")):
        for who in (signed_in, client):  # signed in, and anonymous
            response = who.get(url)
            assert response.status_code == 200, url
            assert response.headers["Cache-Control"] == IMMUTABLE, url
            assert "Cookie" not in response.headers.get("Vary", ""), url
            assert "Set-Cookie" not in response.headers, url
    # the session was not touched: the next data request is still signed in
    assert router(signed_in, "/").status_code == 200


def test_an_asset_without_its_version_is_revalidated(signed_in):
    response = signed_in.get("/assets/app.js")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-cache"
    assert "Cookie" not in response.headers.get("Vary", "")
    again = signed_in.get("/assets/app.js", headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304


@pytest.mark.parametrize(("encoding", "decompress"), [("gzip", gzip.decompress), ("br", brotli.decompress)])
def test_bundles_and_assets_come_compressed_and_decompress_to_the_same_bytes(signed_in, encoding, decompress):
    links = _index_links(signed_in)
    for url in (_bundle(links), _asset(links), _asset(links, "app.css")):
        plain = signed_in.get(url)
        assert "Content-Encoding" not in plain.headers
        for _ in range(2):  # compressed, then from the kept copy
            packed = signed_in.get(url, headers={"Accept-Encoding": f"{encoding}, deflate"})
            assert packed.headers["Content-Encoding"] == encoding, url
            assert "Accept-Encoding" in packed.headers["Vary"]
            assert int(packed.headers["Content-Length"]) == len(packed.data) < len(plain.data) / 2
            assert decompress(packed.data) == plain.data
            assert packed.headers["Cache-Control"] == IMMUTABLE


def test_gzip_when_brotli_is_not_accepted(signed_in):
    url = _bundle(_index_links(signed_in))
    response = signed_in.get(url, headers={"Accept-Encoding": "gzip, br;q=0"})
    assert response.headers["Content-Encoding"] == "gzip"


def test_dash_json_is_compressed_and_still_never_stored(signed_in):
    plain = signed_in.get("/_dash-layout")
    packed = signed_in.get("/_dash-layout", headers={"Accept-Encoding": "gzip"})
    assert packed.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(packed.data) == plain.data
    for response in (plain, packed):
        assert response.headers["Cache-Control"] == "no-store"
    callback = router(signed_in, "/", headers={**csrf_header(signed_in), "Accept-Encoding": "gzip"})
    assert callback.status_code == 200
    assert callback.headers["Cache-Control"] == "no-store"
    if len(callback.data) >= MIN_SIZE:
        assert callback.headers["Content-Encoding"] == "gzip"
        assert json.loads(gzip.decompress(callback.data))["response"]


@pytest.mark.parametrize("ext", ["csv", "xlsx"])
def test_exports_are_sent_as_they_were(signed_in, ext):
    bodies = []
    for headers in ({}, {"Accept-Encoding": "gzip, br"}):
        response = signed_in.get(f"/api/v1/datasets/customers.{ext}", headers=headers)
        assert response.status_code == 200
        assert response.is_streamed
        assert "Content-Encoding" not in response.headers
        assert response.headers["Cache-Control"] == "no-store"
        bodies.append(response.get_data())
        response.close()  # frees the export slot (one XLSX at a time per user)
    plain, asked = bodies
    assert asked == plain
    if ext == "csv":
        assert pl.read_csv(io.BytesIO(asked), infer_schema_length=0).height > 0
    else:
        sheet = openpyxl.load_workbook(io.BytesIO(asked), read_only=True).active
        assert sheet is not None and sheet.max_row > 1


# --- every file a page loads names its version (issue 12: a warm visit revalidates nothing)


def test_bundles_are_linked_from_their_fingerprint_folder(signed_in):
    suites = [u for u in _index_links(signed_in) if u.startswith("/_dash-component-suites/")]
    assert suites
    for url in suites:
        folder, name = url.rsplit("/", 1)
        fingerprint = folder.rsplit("/", 1)[1]
        assert fingerprint.startswith(FOLDER_MARK), url
        assert f".{fingerprint[len(FOLDER_MARK) :]}." in name, url  # the same fingerprint as the name's


def test_a_chunk_in_a_fingerprint_folder_is_kept_a_year(signed_in, client):
    grid = next(u for u in _index_links(signed_in) if "/dash_ag_grid/" in u)
    chunk = grid.rsplit("/", 1)[0] + "/async-community.js"
    for who in (signed_in, client):
        response = who.get(chunk, headers={"Accept-Encoding": "br"})
        assert response.status_code == 200
        assert response.headers["Cache-Control"] == IMMUTABLE
        assert "Cookie" not in response.headers.get("Vary", "")
        assert response.headers["Content-Encoding"] == "br"
        assert b"ag-" in brotli.decompress(response.data)
    # the same chunk under its bare name: Dash's ETag, revalidated
    bare = signed_in.get("/_dash-component-suites/dash_ag_grid/async-community.js")
    assert bare.status_code == 200
    assert bare.headers.get("Cache-Control") != IMMUTABLE


def test_only_a_real_fingerprint_folder_is_read_as_one():
    assert unversioned_path("/_dash-component-suites/dash/dcc/~v4_4_1m17962/async-graph.js") == (
        "/_dash-component-suites/dash/dcc/async-graph.js"
    )
    for path in (
        "/_dash-component-suites/dash/dcc/async-graph.js",
        "/_dash-component-suites/dash/dcc/~nothing/async-graph.js",
        "/assets/~v1m1/app.js",
        "/_dash-component-suites/dash/~v1m1/~v1m1/x.js",
    ):
        assert unversioned_path(path) is None, path
    linked = '<script src="/_dash-component-suites/dash/deps/react@18.v4_4_1m17962.3.1.min.js"></script>'
    assert versioned_links(linked) == (
        '<script src="/_dash-component-suites/dash/deps/~v4_4_1m17962/react@18.v4_4_1m17962.3.1.min.js"></script>'
    )


def test_the_sign_in_page_links_what_the_app_links(signed_in, client):
    login = client.get("/login").get_data(as_text=True)
    app_links = set(_index_links(signed_in))
    for url in INDEX_LINK.findall(login):
        assert url in app_links, url
    icon = re.search(r'rel="icon" href="([^"]+)"', login)
    assert icon and "?v=" in icon[1]
    response = client.get(icon[1], headers={"Accept-Encoding": "br"})
    assert response.headers["Cache-Control"] == IMMUTABLE
    assert response.headers["Content-Encoding"] == "br"


def test_the_icon_font_is_kept_a_year_under_the_digest_its_style_sheet_names(client):
    css = (ASSETS / "vendor" / "02-bootstrap-icons.min.css").read_text()
    font = re.search(r'url\("(fonts/bootstrap-icons\.woff2\?[0-9a-f]{32})"\)', css)
    assert font
    response = client.get("/assets/vendor/" + font[1])
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == IMMUTABLE


def test_every_icon_the_app_uses_is_in_the_subset():
    css = (ASSETS / "vendor" / "02-bootstrap-icons.min.css").read_text()
    missing = sorted(n for n in used_icons() if f".{n}::before" not in css)
    assert not missing, f"run tools/subset_icons.py: {missing}"


def test_plotly_is_the_basic_bundle_fetched_only_by_a_chart(signed_in):
    links = _index_links(signed_in)
    assert not any("plotly" in u for u in links)  # neither bundle on every page
    bundle = re.search(r'"(assets/vendor/plotly-basic-[^"]+\.js)"', (ASSETS / "app.js").read_text())
    assert bundle and (ASSETS.parent / bundle[1]).is_file()
    response = signed_in.get("/" + bundle[1])
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == IMMUTABLE
    assert response.data.startswith(b"/**\n* plotly.js (basic - minified) v")
