"""An Excel file from a download menu in Chromium: the click starts the file
on the server and answers at once, a notice shows progress while another
process is still writing it, says so plainly when that one failed, and the
browser downloads the workbook once it is ready; a file written before
downloads at once."""

from __future__ import annotations

import io
from pathlib import Path

import openpyxl
from playwright.sync_api import expect

from partnerhub.api.export_cache import ExportCache
from partnerhub.api.routes import CACHE, export_request
from tests.auth_client import api_tokens

FULL = "full.admin@demo.example"
MENU = "#customers-download"


def key_of(app, email: str, filename: str):
    token = api_tokens(app, (email,), "export progress")[email]
    with app.test_request_context(f"/api/v1/exports/{filename}", headers={"Authorization": f"Bearer {token}"}):
        app.preprocess_request()
        return export_request(filename).key


def open_menu(page):
    page.locator(f"{MENU} .dropdown-toggle").click()
    item = page.locator(f"{MENU}-xlsx")
    expect(item).to_be_visible()
    return item


def test_excel_download_shows_progress_and_comes_when_ready(app, page, sign_in, browser_errors):
    cache: ExportCache = app.extensions[CACHE]
    cache.clear()
    sign_in(page, FULL, next="/customers")
    page.locator("#customers-grid .ag-center-cols-container .ag-row").first.wait_for()
    notice = page.locator(".export-progress")

    # another worker process is writing the same file: the click shows progress
    claim = cache.claim(key_of(app, FULL, "customers.xlsx"))
    assert claim is not None
    try:
        item = open_menu(page)
        expect(item).to_have_attribute("data-export-async", "1")
        with page.expect_response(lambda r: r.request.method == "POST" and "/api/v1/exports/" in r.url) as started:
            item.click()
        assert started.value.status == 202
        expect(notice).to_have_attribute("data-state", "busy")
        expect(notice).to_contain_text("as Excel (.xlsx)")
        expect(notice.locator(".spinner-border")).to_be_visible()
    finally:
        claim.release()  # ...and dies without a file
    expect(notice).to_have_attribute("data-state", "error")
    expect(notice).to_contain_text("could not be written")

    # asked again, the server writes it in the background; the browser downloads it when ready
    with page.expect_download() as info:
        open_menu(page).click()
    download = info.value
    assert download.suggested_filename.startswith("customers_") and download.suggested_filename.endswith(".xlsx")
    body = Path(download.path()).read_bytes()
    api = page.request.get("/api/v1/datasets/customers.xlsx")
    assert api.ok and body == api.body()
    assert openpyxl.load_workbook(io.BytesIO(body)).active.max_row > 1
    expect(notice).to_have_attribute("data-state", "done")

    # written before: ready at the first answer
    with (
        page.expect_response(lambda r: r.request.method == "POST" and "/api/v1/exports/" in r.url) as again,
        page.expect_download() as info,
    ):
        open_menu(page).click()
    assert again.value.status == 200
    assert Path(info.value.path()).read_bytes() == body
