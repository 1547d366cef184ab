"""The customer list page through its Dash callbacks, over HTTP as the
browser sends them (Flask test client on the session app): each role's list
is exactly its scope, numbers equal metrics.customers, the URL is the view,
the download is the same list, and tag edits are checked on the server."""

from __future__ import annotations

import csv
import io
import json
import uuid

import pytest
from sqlalchemy import func, select

from partnerhub.data import tags as T
from partnerhub.data.state import audit_log, customer_tags
from partnerhub.metrics.types import Filters
from partnerhub.metrics.view_query import FILTER_PARAMS, read_view
from partnerhub.pages._analytics.query import args_from_search
from partnerhub.pages._customers.list_callbacks import CONTROLS, sync_view
from partnerhub.pages._customers.list_view import controls_args, view_query
from tests.auth_client import callback_body, csrf_header, dash_callback, find_output, new_user
from tests.customer_pages import ADMIN, FULL, READONLY, ROLES, page_text, signed_in
from tests.customer_pages import expected_list as _expected
from tests.customer_pages import response as _response
from tests.customer_pages import scope as _scope
from tests.customer_pages import text as _text


def rows_call(client, request: dict, search: str = ""):
    return dash_callback(
        client,
        "customers-grid.getRowsResponse",
        {"customers-grid.getRowsRequest": request, "customers-view.data": search},
        changed=["customers-grid.getRowsRequest"],
    )


def rows(client, search: str = "", start: int = 0, end: int = 50, sort=None) -> tuple[dict, dict]:
    r = dash_callback(
        client,
        "customers-grid.getRowsResponse",
        {
            "customers-grid.getRowsRequest": {
                "startRow": start,
                "endRow": end,
                "sortModel": sort or [],
                "filterModel": {},
            },
            "customers-view.data": search,
        },
        changed=["customers-grid.getRowsRequest"],
    )
    body = _response(r)
    return body["customers-grid"]["getRowsResponse"], body


# ---- the URL is the view --------------------------------------------------------------------------


def test_view_query_is_canonical_and_parses_back():
    filters = Filters(
        managed_by=("external",),
        product=("calling", "meetings"),
        status=("trial", "expired"),
        subscription_type=("paid",),
        tag=("Gold & Co",),
        q="acme",
        needs_attention=True,
        health_band=("watch", "at_risk"),
        reason=("renewal",),
        segment=("expiring:calling", "overage"),
    )
    query = view_query(filters)
    assert query.startswith("?managed_by=external&product=calling&product=meetings&status=trial&status=expired")
    assert read_view(args_from_search(query), "customers").filters == filters
    assert view_query(Filters()) == ""
    assert [k for k in dict(args_from_search(query))] == [p for p in FILTER_PARAMS]


def test_controls_and_url_follow_each_other():
    known = ["Gold"]
    # a control changed: the URL (and the view) follow
    controls = ["attention", [], [], ["trial"], [], ["Gold"], " acme ", ["watch"], ["usage"], ["expiring"]]
    out = sync_view("customers-status", "", controls, "", known)
    assert (
        out[0]
        == out[1]
        == ("?status=trial&tag=Gold&q=acme&needs_attention=true&health_band=watch&reason=usage&segment=expiring")
    )
    assert out[2] is None
    # the URL changed (back button): the controls follow
    search = "?product=calling&status=expired,trial&reason=renewal&health_band=at_risk&segment=overage:meetings"
    out = sync_view("customers-url", search, [None] * len(CONTROLS), "", known)
    assert out[1] == (
        "?product=calling&status=expired&status=trial&health_band=at_risk&reason=renewal&segment=overage%3Ameetings"
    )
    assert list(out[3:]) == [
        "all",
        [],
        ["calling"],
        ["expired", "trial"],
        [],
        [],
        "",
        ["at_risk"],
        ["renewal"],
        ["overage:meetings"],
    ]
    # the same view again: nothing to do
    out = sync_view("customers-url", "?status=trial", [None] * len(CONTROLS), "?status=trial", known)
    assert out[1] is not None and out[1].__class__.__name__ == "NoUpdate"


@pytest.mark.parametrize(
    "search, name, value",
    [
        ("?status=bogus", "status", "bogus"),
        ("?tag=no-such-tag", "tag", "no-such-tag"),
        ("?colour=red", "colour", "red"),
        ("?needs_attention=maybe", "needs_attention", "maybe"),
        ("?q=" + "x" * 201, "q", "x" * 60),
        ("?segment=expiring:messaging", "segment", "expiring:messaging"),
        ("?health_band=sick", "health_band", "sick"),
    ],
)
def test_a_bad_url_parameter_is_named_and_left_out(search, name, value):
    out = sync_view("customers-url", search, [None] * len(CONTROLS), "?status=trial", ["Gold"])
    assert out[1] == ""
    alert = json.dumps(out[2].to_plotly_json(), default=lambda o: o.to_plotly_json(), ensure_ascii=False)
    assert name in alert and value in alert
    assert "The page shows everything else the address asks for." in alert
    assert list(out[3:]) == ["all", [], [], [], [], [], "", [], [], []]


def test_a_bad_url_keeps_every_valid_filter_and_names_every_bad_value():
    search = "?status=trial&status=bogus&tag=Gold&tag=Nope&managed_by=external&colour=red&needs_attention=maybe"
    out = sync_view("customers-url", search, [None] * len(CONTROLS), "", ["Gold"])
    assert out[1] == "?managed_by=external&status=trial&tag=Gold"
    assert list(out[3:]) == ["all", ["external"], [], ["trial"], [], ["Gold"], "", [], [], []]
    alert = json.dumps(out[2].to_plotly_json(), default=lambda o: o.to_plotly_json(), ensure_ascii=False)
    for sentence in (
        "This page has no parameter called “colour” (given “red”).",
        "The status “bogus” is unknown; use one of: trial, subscription,",
        "There is no tag called “Nope”.",
        "The needs_attention “maybe” is neither true nor false.",
    ):
        assert sentence in alert
    # a control sending a bad value (a search too long) keeps the rest of the view and says so
    controls = ["all", [], [], ["trial"], [], [], "y" * 201, [], [], []]
    out = sync_view("customers-q", "", controls, "", ["Gold"])
    assert out[0] == out[1] == "?status=trial"
    alert = json.dumps(out[2].to_plotly_json(), default=lambda o: o.to_plotly_json(), ensure_ascii=False)
    assert "is longer than 200 characters." in alert


def test_controls_args_ignore_junk():
    args = controls_args("all", None, "calling", ["trial"], [], [], None)
    assert read_view(args, "customers").filters == Filters(product=("calling",), status=("trial",))
    args = controls_args("all", None, None, None, None, None, None, "watch", [{"x": 1}, "usage"], None)
    assert read_view(args, "customers").filters == Filters(health_band=("watch",), reason=("usage",))


def test_bad_address_shows_an_alert_and_every_customer(app, services):
    text = page_text(signed_in(app, FULL), "/customers", "?status=bogus")
    assert "Part of this address could not be used and was left out." in text
    assert "The status “bogus” is unknown" in text
    assert f"{_expected(services, FULL).height} customers" in text


def test_a_bad_address_keeps_its_valid_filters(app, services):
    text = page_text(signed_in(app, FULL), "/customers", "?status=trial&status=bogus&q=" + "z" * 300)
    assert "The status “bogus” is unknown" in text and "is longer than 200 characters." in text
    trials = _expected(services, FULL, Filters(status=("trial",)))
    assert 0 < trials.height < _expected(services, FULL).height
    assert f'"{trials.height} customers"' in text or f'"{trials.height:,} customers"' in text


# ---- each role sees exactly its scope ----------------------------------------------------------------


@pytest.mark.parametrize("email", ROLES)
def test_each_role_lists_exactly_its_scope(app, services, email):
    client = signed_in(app, email)
    expected = _expected(services, email)
    text = page_text(client, "/customers")
    assert f'"{expected.height:,} customers"' in text or f'"{expected.height} customers"' in text
    response, body = rows(client, "", 0, 500)
    assert response["rowCount"] == expected.height
    assert body["customers-count"]["children"] == f"{expected.height:,} customers"
    got = [r["customer_id"] for r in response["rowData"]]
    assert got == expected["customer_id"].to_list()[:500]
    scope = _scope(services, email)
    if scope is not None:
        assert set(got) <= scope


def test_row_values_equal_the_metrics_function(app, services):
    client = signed_in(app, FULL)
    expected = {r["customer_id"]: r for r in _expected(services, FULL).to_dicts()}
    response, _body = rows(client, "", 0, 300)
    assert len(response["rowData"]) == len(expected)
    for row in response["rowData"][::17]:
        want = expected[row["customer_id"]]
        for column in (
            "customer_name",
            "statuses",
            "products",
            "subscription_types",
            "tags",
            "total_licenses",
            "assigned",
            "used",
            "managed_by",
            "needs_attention",
        ):
            assert row[column] == want[column], column
        want_signin = want["last_admin_sign_in"]
        assert row["last_admin_sign_in"] == (None if want_signin is None else want_signin.isoformat())
        assert row["org_url"].endswith("/" + row["customer_id"])


def test_filters_and_needs_attention_narrow_the_list(app, services):
    client = signed_in(app, ADMIN)
    for search in (
        "?needs_attention=true",
        "?status=trial&status=suspended",
        "?product=calling&subscription_type=paid",
        "?managed_by=external&needs_attention=true",
        "?q=corp",
    ):
        filters = read_view(args_from_search(search), "customers").filters
        expected = _expected(services, ADMIN, filters)
        if filters.needs_attention:
            # the needs-attention view: the least healthy first, customers not scored last
            expected = expected.sort(["health_score", "customer_name", "customer_id"], nulls_last=True)
        response, _body = rows(client, search, 0, 500)
        assert response["rowCount"] == expected.height, search
        assert [r["customer_id"] for r in response["rowData"]] == expected["customer_id"].to_list(), search
        assert expected.height < _expected(services, ADMIN).height, search


def test_sorting_and_paging_through_the_callback(app, services):
    client = signed_in(app, READONLY)
    everyone = _expected(services, READONLY)
    response, _ = rows(client, "", 40, 60, sort=[{"colId": "total_licenses", "sort": "desc"}])
    by_total = everyone.sort(["total_licenses", "customer_name", "customer_id"], descending=[True, False, False])
    assert [r["customer_id"] for r in response["rowData"]] == by_total["customer_id"].to_list()[40:60]
    # a column the browser should not sort on is a bad request, never a server error
    r = rows_call(client, {"startRow": 0, "endRow": 10, "sortModel": [{"colId": "drop table", "sort": "asc"}]})
    assert r.status_code == 400 and "drop table" in r.get_data(as_text=True)


@pytest.mark.parametrize(
    "request_",
    [
        {"startRow": "0", "endRow": 50},
        {"startRow": [0], "endRow": 50},
        {"startRow": 0, "endRow": 1e30},
        {"startRow": 0.5, "endRow": 50},
        {"startRow": 50, "endRow": 0},
        {"startRow": 0, "endRow": 50, "sortModel": [{"colId": "statuses", "sort": "asc"}]},
        {"startRow": 0, "endRow": 50, "sortModel": "customer_name"},
    ],
)
def test_bad_row_requests_are_400_not_500(app, request_):
    r = rows_call(signed_in(app, READONLY), request_)
    assert r.status_code == 400, r.get_data(as_text=True)
    assert "Traceback" not in r.get_data(as_text=True)


def test_infinity_in_a_row_request_is_400(app):
    """JSON's Infinity (which Python's parser accepts) is no row number."""
    client = signed_in(app, READONLY)
    body = callback_body(
        find_output(client, "customers-grid.getRowsResponse"),
        {"customers-grid.getRowsRequest": {"startRow": 0, "endRow": 50}, "customers-view.data": ""},
        ["customers-grid.getRowsRequest"],
    )
    raw = json.dumps(body).replace('"endRow": 50', '"endRow": Infinity')
    r = client.post(
        "/_dash-update-component",
        data=raw,
        headers={**csrf_header(client), "Content-Type": "application/json"},
    )
    assert r.status_code == 400, r.get_data(as_text=True)


def test_an_empty_list_says_why(app, services):
    client = signed_in(app, FULL)
    response, body = rows(client, "?q=no-customer-is-called-this")
    assert response["rowCount"] == 0
    assert "No customer matches these filters." in json.dumps(body["customers-empty"])
    # a tag deleted meanwhile matches nobody, it does not widen the list
    response, _ = rows(client, "?tag=a-tag-nobody-made")
    assert response["rowCount"] == 0
    # a partner administrator without assignments is told why the list is empty
    lonely = signed_in(app, new_user(services, "partner_admin", prefix="lonely"))
    assert "You have no customers yet." in page_text(lonely, "/customers")
    response, body = rows(lonely)
    assert response["rowCount"] == 0 and "ask a partner full administrator" in json.dumps(body["customers-empty"])


def test_the_download_is_the_filtered_list(app, services):
    client = signed_in(app, ADMIN)
    search = "?status=subscription&needs_attention=true"
    r = dash_callback(
        client, "customers-download-csv.href", {"customers-view.data": search}, changed=["customers-view.data"]
    )
    hrefs = _response(r)
    csv_href = hrefs["customers-download-csv"]["href"]
    assert csv_href == "/api/v1/datasets/customers.csv" + search
    assert hrefs["customers-download-parquet"]["href"] == "/api/v1/datasets/customers.parquet" + search
    download = client.get(csv_href)
    assert download.status_code == 200
    listed = [
        row["customer_id"] for row in csv.DictReader(io.StringIO(download.get_data(as_text=True).lstrip("\ufeff")))
    ]
    response, _ = rows(client, search, 0, 500)
    # the same customers; the file in the list's own order (the screen's needs-attention view sorts by health)
    assert (
        listed
        == _expected(services, ADMIN, read_view(args_from_search(search), "customers").filters)["customer_id"].to_list()
    )
    assert sorted(listed) == sorted(r["customer_id"] for r in response["rowData"])
    assert 0 < len(listed) < _expected(services, ADMIN).height


# ---- tags --------------------------------------------------------------------------------------------


def _manage(client, button: str, **values):
    state = {
        "customers-tag-new-name.value": None,
        "customers-tag-new-color.value": "#0072b2",
        "customers-tag-edit.value": None,
        "customers-tag-edit-name.value": None,
        "customers-tag-edit-color.value": None,
        "customers-tags-version.data": 0,
    }
    state.update({f"customers-tag-{k.replace('_', '-')}.value": v for k, v in values.items()})
    state[f"{button}.n_clicks"] = 1
    return dash_callback(client, "customers-tag-new-name.value", state, changed=[f"{button}.n_clicks"])


def _assign(client, button: str, tag_id, ids, headers=None):
    return dash_callback(
        client,
        "customers-tag-feedback.children",
        {
            f"{button}.n_clicks": 1,
            "customers-assign-tag.value": tag_id,
            "customers-grid.selectedRows": [{"customer_id": c} for c in ids],
            "customers-tags-version.data": 0,
        },
        changed=[f"{button}.n_clicks"],
        headers=headers,
    )


def _tag(services, name):
    return next(t for t in T.list_tags(services.state) if t["name"] == name)


def _audit_count(services) -> int:
    with services.state.read() as conn:
        return conn.execute(select(func.count()).select_from(audit_log)).scalar()


def _tagged(services, tag_id) -> set[str]:
    with services.state.read() as conn:
        return set(conn.execute(select(customer_tags.c.customer_id).where(customer_tags.c.tag_id == tag_id)).scalars())


def test_a_tag_made_by_one_user_shows_for_another(app, services):
    full = signed_in(app, FULL)
    name = f"Key {uuid.uuid4().hex[:6]}"
    text = _text(_response(_manage(full, "customers-tag-create", new_name=name, new_color="#E69F00")))
    assert f"Created the tag “{name}”." in text
    tag = _tag(services, name)
    ids = _expected(services, FULL)["customer_id"].to_list()[3:5]
    text = _text(_response(_assign(full, "customers-tag-add", tag["id"], ids)))
    assert f"Added “{name}” to 2 customers." in text
    assert _tagged(services, tag["id"]) == set(ids)

    readonly = signed_in(app, READONLY)
    response, _ = rows(readonly, view_query(Filters(tag=(name,))))
    assert [r["customer_id"] for r in response["rowData"]] == ids
    assert response["rowData"][0]["tag_chips"] == [{"name": name, "color": "#e69f00", "fg": "#000000"}]
    page = page_text(readonly, "/customers")
    assert name in page  # a choice of the tag filter
    for control in ("customers-tags-open", "customers-tag-add", "customers-tag-remove", "customers-tags-modal"):
        assert control not in page

    # rename, recolour, remove from one, delete
    assert "renamed to" in _text(
        _response(_manage(full, "customers-tag-save", edit=tag["id"], edit_name=name + " VIP", edit_color="#000000"))
    )
    assert _tag(services, name + " VIP")["color"] == "#000000"
    assert "Removed" in _text(_response(_assign(full, "customers-tag-remove", tag["id"], ids[:1])))
    assert _tagged(services, tag["id"]) == {ids[1]}
    assert "Deleted the tag" in _text(_response(_manage(full, "customers-tag-delete-confirm", edit=tag["id"])))
    assert all(t["id"] != tag["id"] for t in T.list_tags(services.state))


def test_tag_names_are_checked(app, services):
    full = signed_in(app, FULL)
    assert "cannot contain a comma" in _text(_response(_manage(full, "customers-tag-create", new_name="a, b")))
    assert "Give the tag a name of 1 to 60 characters." in _text(
        _response(_manage(full, "customers-tag-create", new_name="  "))
    )
    assert all(t["name"] != "a, b" for t in T.list_tags(services.state))


def test_forged_tag_callbacks_of_a_readonly_admin_change_nothing(app, services):
    name = f"Forged {uuid.uuid4().hex[:6]}"
    tag = T.create_tag(services.state, "tests", name)
    before_audit, before_tags = _audit_count(services), T.list_tags(services.state)
    readonly = signed_in(app, READONLY)
    ids = _expected(services, READONLY)["customer_id"].to_list()[:3]
    # exactly what a browser would send, CSRF header included
    for response in (
        _assign(readonly, "customers-tag-add", tag["id"], ids, headers=csrf_header(readonly)),
        _manage(readonly, "customers-tag-create", new_name="sneaky"),
        _manage(readonly, "customers-tag-delete-confirm", edit=tag["id"]),
    ):
        assert "may not do this" in _text(_response(response))
    assert _tagged(services, tag["id"]) == set()
    assert T.list_tags(services.state) == before_tags
    assert _audit_count(services) == before_audit


def test_the_csrf_header_is_required(app, services):
    tag = T.create_tag(services.state, "tests", f"Csrf {uuid.uuid4().hex[:6]}")
    full = signed_in(app, FULL)
    r = _assign(full, "customers-tag-add", tag["id"], ["CUST-000001"], headers={})
    assert r.status_code == 400
    assert _tagged(services, tag["id"]) == set()


def test_a_partner_admin_tags_only_customers_in_scope(app, services):
    tag = T.create_tag(services.state, "tests", f"Scoped {uuid.uuid4().hex[:6]}")
    scope = _scope(services, ADMIN)
    inside = sorted(scope)[:2]
    outside = next(c for c in _expected(services, FULL)["customer_id"].to_list() if c not in scope)
    admin = signed_in(app, ADMIN)
    for ids in (inside + [outside], inside + ["NO-SUCH-CUSTOMER"]):
        text = _text(_response(_assign(admin, "customers-tag-add", tag["id"], ids)))
        assert "Customer not found." in text
    assert _tagged(services, tag["id"]) == set()
    assert "Added" in _text(_response(_assign(admin, "customers-tag-add", tag["id"], inside)))
    assert _tagged(services, tag["id"]) == set(inside)


def test_the_tag_callbacks_are_in_the_customers_area(app):
    client = signed_in(app, FULL)
    dep = find_output(client, "customers-tag-feedback.children")
    body = callback_body(dep, {})
    assert all(o["id"].startswith("customers-") for o in body["outputs"])
