"""Exports written in the background: POST /api/v1/exports/<file> starts one
and answers at once, GET of the same address says pending / ready / failed,
and the file then comes from the dataset's address. Every address checks
role and scope as the dataset route does, and no answer is a 5xx."""

from __future__ import annotations

import gc
import io
import time

import openpyxl
import pytest

from partnerhub.api.export_cache import ExportCache
from partnerhub.api.routes import CACHE, SLOTS, export_request
from tests.auth_client import api_tokens

FULL = "full.admin@demo.example"
ADMIN = "admin@demo.example"
SALES = "sales@demo.example"
START = "/api/v1/exports/customers.xlsx"
FILE = "/api/v1/datasets/customers.xlsx"


@pytest.fixture(scope="module")
def tokens(app):
    return api_tokens(app, (FULL, ADMIN, SALES), "export jobs")


@pytest.fixture(autouse=True)
def cold(app):
    app.extensions[CACHE].clear()
    yield
    gc.collect()  # a response never closed frees its slot once collected
    assert app.extensions[SLOTS].running() == 0


def auth(token: str) -> dict[str, str]:
    """Bearer auth; "" for a client signed in with a session."""
    return {"Authorization": f"Bearer {token}"} if token else {}


def settled(client, token: str, url: str):
    """The status once it is no longer pending (the background thread ends)."""
    for _ in range(600):
        res = client.get(url, headers=auth(token))
        if res.status_code != 202:
            return res
        time.sleep(0.05)
    raise AssertionError("the export stayed pending")


def ids_in(body: bytes) -> set[str]:
    rows = list(openpyxl.load_workbook(io.BytesIO(body)).active.iter_rows(values_only=True))
    column = rows[0].index("customer_id")
    return {row[column] for row in rows[1:]}


def test_start_answers_at_once_and_the_file_comes_when_ready(app, client, tokens):
    started = client.post(START + "?managed_by=partner", headers=auth(tokens[FULL]))
    assert started.status_code in (200, 202)
    body = started.get_json()
    assert body["status_url"] == START + "?managed_by=partner"
    if started.status_code == 202:
        assert body["status"] == "pending"
        assert started.headers["Location"] == body["status_url"]
        assert int(started.headers["Retry-After"]) >= 1
    done = settled(client, tokens[FULL], body["status_url"])
    assert done.status_code == 200
    ready = done.get_json()
    assert ready["status"] == "ready"
    assert ready["file_url"] == FILE + "?managed_by=partner"
    assert ready["filename"].startswith("customers_") and ready["filename"].endswith(".xlsx")
    file = client.get(ready["file_url"], headers=auth(tokens[FULL]))
    assert file.status_code == 200
    assert ready["filename"] in file.headers["Content-Disposition"]
    # the same workbook the page's plain link gets, written without the cache
    app.extensions[CACHE].clear()
    direct = client.get(ready["file_url"], headers=auth(tokens[FULL]))
    assert direct.status_code == 200, direct.get_json()
    assert ids_in(file.data) == ids_in(direct.data) and len(ids_in(file.data)) > 0
    direct.close()


def test_a_file_written_before_is_ready_at_the_first_answer(client, tokens):
    first = client.get(FILE, headers=auth(tokens[FULL]))
    assert first.status_code == 200
    first.close()
    again = client.post(START, headers=auth(tokens[FULL]))
    assert again.status_code == 200 and again.get_json()["status"] == "ready"


def test_a_file_being_written_is_pending_and_not_started_twice(app, client, tokens):
    cache: ExportCache = app.extensions[CACHE]
    with app.test_request_context(START, headers=auth(tokens[FULL])):
        app.preprocess_request()  # the request guard: who is asking
        key = export_request("customers.xlsx").key
    claim = cache.claim(key)  # another worker process writing it, say
    assert claim is not None
    try:
        for res in (client.get(START, headers=auth(tokens[FULL])), client.post(START, headers=auth(tokens[FULL]))):
            assert res.status_code == 202 and res.get_json()["status"] == "pending"
        assert app.extensions[SLOTS].running() == 0  # nothing of ours started
    finally:
        claim.release()
    # the other writer died without a file: said plainly, and a new start writes it
    res = client.get(START, headers=auth(tokens[FULL]))
    assert res.status_code == 200 and res.get_json()["status"] == "failed"
    assert res.get_json()["error"].endswith(".")
    client.post(START, headers=auth(tokens[FULL]))
    assert settled(client, tokens[FULL], START).get_json()["status"] == "ready"


def test_a_failure_is_a_sentence_not_a_5xx(app, client, tokens):
    cache: ExportCache = app.extensions[CACHE]
    with app.test_request_context(START, headers=auth(tokens[FULL])):
        app.preprocess_request()
        key = export_request("customers.xlsx").key
    claim = cache.claim(key)
    assert claim is not None
    # a CSV or Parquet file found heavy only once computed meets a full server in the background
    claim.fail("busy", limit="per_process", allowed=2)
    claim.release()
    res = client.get(START, headers=auth(tokens[FULL]))
    assert res.status_code == 200
    assert res.get_json() == {
        "status": "failed",
        "status_url": START,
        "error": "The server is already writing 2 large exports, as many as it writes at once; try again in 5 seconds.",
    }


def test_over_the_bound_the_start_is_refused_with_retry_after(app, client, tokens):
    held = client.get(FILE + "?status=trial", headers=auth(tokens[FULL]), buffered=False)
    try:
        assert held.status_code == 200
        refused = client.post(START, headers=auth(tokens[FULL]))
        assert refused.status_code == 429 and "Retry-After" in refused.headers
        assert refused.get_json()["error"].startswith("You may run 1 large export")
    finally:
        held.close()


def test_anonymous_callers_are_refused(client):
    anonymous = client.application.test_client()
    for res in (anonymous.post(START), anonymous.get(START)):
        assert res.status_code == 401 and "error" in res.get_json()


def test_a_role_that_may_not_see_the_dataset_is_refused(client, tokens):
    url = "/api/v1/exports/calling_usage.xlsx"
    for res in (client.post(url, headers=auth(tokens[SALES])), client.get(url, headers=auth(tokens[SALES]))):
        assert res.status_code == 403 and "error" in res.get_json()


def test_bad_addresses_and_filters_are_named(client, tokens):
    assert client.post("/api/v1/exports/nosuch.xlsx", headers=auth(tokens[FULL])).status_code == 404
    assert client.post("/api/v1/exports/customers.docx", headers=auth(tokens[FULL])).status_code == 404
    bad = client.post(START + "?status=nosuch", headers=auth(tokens[FULL]))
    assert bad.status_code == 400 and bad.get_json()["parameter"] == "status"


def test_another_scope_never_reaches_the_first_users_file(app, client, tokens):
    from tests.test_api import scope_of

    client.post(START, headers=auth(tokens[FULL]))
    assert settled(client, tokens[FULL], START).get_json()["status"] == "ready"
    # the same address asked by a partner admin names their own file, not yet written
    theirs = client.get(START, headers=auth(tokens[ADMIN]))
    assert theirs.get_json()["status"] == "failed" and "file_url" not in theirs.get_json()
    client.post(START, headers=auth(tokens[ADMIN]))
    ready = settled(client, tokens[ADMIN], START).get_json()
    assert ready["status"] == "ready"
    body = client.get(ready["file_url"], headers=auth(tokens[ADMIN])).data
    assert ids_in(body) == scope_of(app, ADMIN)


def test_a_signed_in_page_starts_with_its_csrf_token(app):
    from tests.auth_client import csrf_header, sign_in

    browser = app.test_client()
    sign_in(browser, FULL)
    # another site's form cannot start exports in the user's name
    assert browser.post(START).status_code == 400
    res = browser.post(START, headers=csrf_header(browser))
    assert res.status_code in (200, 202)
    assert settled(browser, "", START).get_json()["status"] == "ready"
