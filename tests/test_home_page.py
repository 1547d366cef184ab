"""This week (pages/home.py) through the router and its Dash callbacks, over
HTTP as the browser sends them (Flask test client on the session app), and
its KPI cards on a home of two snapshots a week apart: the numbers are the
metrics functions', the worklist is customer_health's at-risk and watch rows
of the caller's scope, and no filter from the browser widens that scope."""

from __future__ import annotations

import csv
import io
import json
import math
import uuid
from datetime import date, timedelta

import polars as pl
import pytest

from partnerhub.auth.users import get_user_by_email
from partnerhub.data import tags as T
from partnerhub.formatting import fmt_int
from partnerhub.metrics.changes import previous_context
from partnerhub.metrics.health import customer_health, health_kpis
from partnerhub.metrics.health_reasons import reason_sentences
from partnerhub.metrics.licenses import headline
from partnerhub.metrics.types import View
from partnerhub.pages._analytics.query import args_from_search
from partnerhub.pages._home.callbacks import CONTROLS, sync_view
from partnerhub.pages._home.follow_ups import when_text
from partnerhub.pages._home.kpis import HEADLINE, HEALTH, card_id, kpi_sections, kpi_values
from partnerhub.pages._home.layout import no_data
from partnerhub.pages._home.view import download_query, read_home_view, view_query
from partnerhub.services import follow_ups
from partnerhub.services.caller import Caller
from tests.auth_client import dash_callback, new_user
from tests.customer_pages import ADMIN, FULL, SALES, context, page, signed_in
from tests.customer_pages import response as _response
from tests.customer_pages import scope as _scope
from tests.test_changes import Home, P, _without_weeks, _world

BANDS = ("at_risk", "watch")


def find(tree, id_):
    """The props of the component with this id in a layout's JSON, or None."""
    if isinstance(tree, dict):
        props = tree.get("props")
        if isinstance(props, dict) and props.get("id") == id_:
            return props
        for value in tree.values():
            found = find(value, id_)
            if found is not None:
                return found
    elif isinstance(tree, list):
        for value in tree:
            found = find(value, id_)
            if found is not None:
                return found
    return None


def texts(tree) -> str:
    return json.dumps(tree, ensure_ascii=False)


def worklist(services, email) -> pl.DataFrame:
    frame = customer_health(context(services), View(scope=_scope(services, email))).frame
    return frame.filter(pl.col("health_band").is_in(BANDS))


def rows(client, search: str = "", start: int = 0, end: int = 25, sort=None):
    r = dash_callback(
        client,
        "home-worklist-grid.getRowsResponse",
        {
            "home-worklist-grid.getRowsRequest": {
                "startRow": start,
                "endRow": end,
                "sortModel": sort or [],
                "filterModel": {},
            },
            "home-view.data": search,
        },
        changed=["home-worklist-grid.getRowsRequest"],
    )
    return r


def row_data(client, search: str = "", start: int = 0, end: int = 500, sort=None) -> tuple[dict, dict]:
    body = _response(rows(client, search, start, end, sort))
    return body["home-worklist-grid"]["getRowsResponse"], body


# ---- KPI cards ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("email", [FULL, ADMIN])
def test_the_kpi_cards_are_the_metrics_of_the_scope_without_changes_for_one_snapshot(app, services, email):
    view = View(scope=_scope(services, email))
    expected = {**health_kpis(context(services), view), **headline(context(services), view)}
    tree = page(signed_in(app, email), "/")
    assert find(tree, "home-page") is not None
    for key in (*HEALTH, *HEADLINE):
        assert find(tree, card_id(key))["children"] == fmt_int(expected[key]), key
        # the session's home keeps one snapshot: no change to show
        assert find(tree, card_id(key) + "-change") is None, key
    # each card opens the customers behind it
    assert find(tree, card_id("at_risk_customers"))["href"] == "/customers?health_band=at_risk"
    assert find(tree, card_id("expiring_customers"))["href"] == "/customers?segment=expiring"
    # the data-status details are on the Administration page now; the date stays
    assert find(tree, "data-as-of") is not None
    assert "home-count-customers" not in texts(tree) and "home-snapshot-id" not in texts(tree)
    if email == ADMIN:
        assert expected["scored_customers"] < health_kpis(context(services), View())["scored_customers"]


@pytest.fixture(scope="module")
def two_weeks(tmp_path_factory) -> Home:
    home = Home(tmp_path_factory.mktemp("home-two-weeks"))
    world = _world()
    assert home.load(_without_weeks(world, 1), "previous") == P
    home.load(dict(world.tables), "now")
    return home


def _marks(app, home: Home, scope) -> dict[str, tuple[str, str, str]]:
    """card -> (shown, tone, sentence) of its change."""
    ctx = home.context()
    with app.test_request_context("/"):
        now, change = kpi_values(ctx, previous_context(ctx, home.store), scope)
        tree = json.loads(json.dumps(kpi_sections(now, change).to_plotly_json(), default=lambda o: o.to_plotly_json()))
    out = {}
    for key in (*HEALTH, *HEADLINE):
        props = find(tree, card_id(key) + "-change")
        shown, hidden = props["children"]
        tone = props["className"].split("kpi-change-")[1]
        out[key] = (shown["props"]["children"], tone, hidden["props"]["children"])
        assert props["data-tip"] == hidden["props"]["children"]
    return out


def test_changes_since_the_week_before_with_their_direction_and_words(app, two_weeks):
    # tests/test_changes.py works these out by hand: at risk 0 -> 1 (D), healthy 4 -> 2,
    # licenses at risk 0 -> 10; total 4 -> 3, expiring 0 -> 1, renewing 1 -> 0, low 0 -> 1, overage 0 -> 1
    marks = _marks(app, two_weeks, None)
    assert marks == {
        "at_risk_customers": ("▲ 1", "bad", "1 more than the week before, for the worse"),
        "watch_customers": ("±0", "same", "No change since the week before"),
        "healthy_customers": ("▼ 2", "bad", "2 fewer than the week before, for the worse"),
        "licenses_at_risk": ("▲ 10", "bad", "10 more than the week before, for the worse"),
        "total_customers": ("▼ 1", "bad", "1 fewer than the week before, for the worse"),
        "expiring_customers": ("▲ 1", "bad", "1 more than the week before, for the worse"),
        "renewing_customers": ("▼ 1", "bad", "1 fewer than the week before, for the worse"),
        "low_allocation_customers": ("▲ 1", "bad", "1 more than the week before, for the worse"),
        "overage_customers": ("▲ 1", "bad", "1 more than the week before, for the worse"),
    }
    # a partner admin's scope of A and C: A healthy both weeks, C no longer current
    marks = _marks(app, two_weeks, frozenset({"A", "C"}))
    assert marks["healthy_customers"] == ("▼ 1", "bad", "1 fewer than the week before, for the worse")
    assert marks["at_risk_customers"][0] == marks["expiring_customers"][0] == "±0"
    assert marks["overage_customers"] == ("▲ 1", "bad", "1 more than the week before, for the worse")


def test_a_rise_is_for_the_better_where_more_is_good(app):
    with app.test_request_context("/"):
        tree = kpi_sections({"healthy_customers": 5, "at_risk_customers": 1}, {"healthy_customers": 3}).to_plotly_json()
    tree = json.loads(json.dumps(tree, default=lambda o: o.to_plotly_json()))
    healthy = find(tree, card_id("healthy_customers") + "-change")
    assert "kpi-change-good" in healthy["className"] and "for the better" in healthy["data-tip"]
    assert find(tree, card_id("at_risk_customers") + "-change") is None


# ---- the worklist ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("email", [FULL, ADMIN, SALES])
def test_the_worklist_is_the_at_risk_and_watch_customers_of_the_scope_lowest_first(app, services, email):
    client = signed_in(app, email)
    expected = worklist(services, email)
    response, body = row_data(client)
    assert response["rowCount"] == expected.height
    assert [r["customer_id"] for r in response["rowData"]] == expected["customer_id"].to_list()
    assert body["home-worklist-count"]["children"].startswith(f"{expected.height:,} customer")
    scope = _scope(services, email)
    if scope is not None:
        assert set(expected["customer_id"]) <= scope
    by_id = {r["customer_id"]: r for r in expected.to_dicts()}
    for row in response["rowData"][:10]:
        want = by_id[row["customer_id"]]
        assert row["score"] == math.floor(want["health_score"])
        assert row["health_band"] == want["health_band"] in BANDS
        assert row["licenses"] == want["licenses"]
        sentences = reason_sentences(want)
        assert sentences and row["reason_text"] == "; ".join(s[:1].upper() + s[1:] for s in sentences)
    assert expected.height > 0


def test_the_page_counts_the_worklist(app, services):
    tree = page(signed_in(app, ADMIN), "/")
    assert (
        find(tree, "home-worklist-count")["children"]
        == f"{worklist(services, ADMIN).height:,} customers at risk or on watch"
    )


def test_sorting_and_paging_on_the_server(app, services):
    client = signed_in(app, FULL)
    everyone = worklist(services, FULL)
    response, _ = row_data(client, "", 5, 15, sort=[{"colId": "licenses", "sort": "desc"}])
    by_licenses = everyone.sort("licenses", descending=True, maintain_order=True)
    assert [r["customer_id"] for r in response["rowData"]] == by_licenses["customer_id"].to_list()[5:15]
    assert response["rowCount"] == everyone.height
    response, _ = row_data(client, "", 0, 10, sort=[{"colId": "health_score", "sort": "desc"}])
    highest = everyone.sort("health_score", descending=True, maintain_order=True)
    assert [r["customer_id"] for r in response["rowData"]] == highest["customer_id"].to_list()[:10]
    response, _ = row_data(client, "", 0, 500, sort=[{"colId": "health_band", "sort": "desc"}])
    # by urgency, reversed: watch first, each band in health order
    urgency = everyone.with_columns(pl.col("health_band").replace_strict({"at_risk": 0, "watch": 1}).alias("u"))
    by_band = urgency.sort("u", descending=True, maintain_order=True)
    assert [r["customer_id"] for r in response["rowData"]] == by_band["customer_id"].to_list()
    # a column that cannot be sorted is a bad request, never a server error
    for sort in ([{"colId": "reason_text", "sort": "asc"}], [{"colId": "drop table", "sort": "asc"}]):
        r = rows(client, "", 0, 10, sort)
        assert r.status_code == 400 and "Traceback" not in r.get_data(as_text=True)


def test_filters_narrow_the_worklist(app, services):
    client = signed_in(app, ADMIN)
    everyone = worklist(services, ADMIN)
    at_risk = everyone.filter(pl.col("health_band") == "at_risk")
    response, _ = row_data(client, "?health_band=at_risk")
    assert [r["customer_id"] for r in response["rowData"]] == at_risk["customer_id"].to_list()
    renewal = everyone.filter(pl.col("reasons").str.split(";").list.contains("renewal"))
    response, _ = row_data(client, "?reason=renewal")
    assert [r["customer_id"] for r in response["rowData"]] == renewal["customer_id"].to_list()
    assert 0 < renewal.height < everyone.height
    external = set(
        context(services).snapshot.frame("SELECT customer_id FROM customers WHERE managed_by = 'external'")[
            "customer_id"
        ]
    )
    response, _ = row_data(client, "?managed_by=external")
    want = everyone.filter(pl.col("customer_id").is_in(external))["customer_id"].to_list()
    assert [r["customer_id"] for r in response["rowData"]] == want
    # a tag on two of the worklist's customers
    name = f"Call first {uuid.uuid4().hex[:6]}"
    tag = T.create_tag(services.state, "tests", name)
    tagged = everyone["customer_id"].to_list()[1:3]
    T.add_tag(services.state, "tests", tag["id"], tagged)
    try:
        response, _ = row_data(client, view_query(read_home_view(args_from_search(f"?tag={name}"), [name]).filters))
        assert [r["customer_id"] for r in response["rowData"]] == tagged
        assert all(name in r["tags"] for r in response["rowData"])
        assert [c["name"] for c in response["rowData"][0]["tag_chips"]] == [name]
    finally:
        T.delete_tag(services.state, "tests", tag["id"])


def test_another_scopes_filters_cannot_widen_the_worklist(app, services):
    client = signed_in(app, SALES)
    scope = _scope(services, SALES)
    assert scope
    outside = [c for c in worklist(services, FULL)["customer_id"].to_list() if c not in scope]
    name = f"Not yours {uuid.uuid4().hex[:6]}"
    tag = T.create_tag(services.state, "tests", name)
    T.add_tag(services.state, "tests", tag["id"], outside[:5])
    try:
        for search in (
            f"?tag={name}",
            "?managed_by=partner&managed_by=external",
            "?health_band=healthy&health_band=at_risk&health_band=watch",
            "?status=expired&q=CUST",
            "?customer_id=" + outside[0],
        ):
            response, _ = row_data(client, search)
            assert {r["customer_id"] for r in response["rowData"]} <= scope, search
            assert response["rowCount"] <= worklist(services, SALES).height
        response, _ = row_data(client, f"?tag={name}")
        assert response["rowCount"] == 0
    finally:
        T.delete_tag(services.state, "tests", tag["id"])


def test_the_view_in_the_address(app):
    read = read_home_view(args_from_search("?health_band=healthy&health_band=watch&status=trial&reason=usage"), [])
    assert view_query(read.filters) == "?health_band=watch&reason=usage"
    named = {(p.parameter, p.value) for p in read.problems}
    assert named == {("health_band", "healthy"), ("status", "trial")}
    assert download_query(read.filters) == "?health_band=watch&reason=usage"
    assert download_query(read_home_view(args_from_search(""), []).filters) == "?health_band=at_risk&health_band=watch"
    # the controls and the address follow each other
    with app.test_request_context("/"):
        out = sync_view("home-band", "", [["at_risk"], ["renewal"], [], ["external"]], "", [])
        assert out[0] == out[1] == "?managed_by=external&health_band=at_risk&reason=renewal"
        out = sync_view("home-url", "?reason=usage&colour=red", [None] * len(CONTROLS), "", [])
        assert out[1] == "?reason=usage" and list(out[3:]) == [[], ["usage"], [], []]
        alert = json.dumps(out[2].to_plotly_json(), default=lambda o: o.to_plotly_json(), ensure_ascii=False)
        assert "This page has no parameter called “colour” (given “red”)." in alert


def test_a_bad_address_is_named_and_the_rest_is_shown(app, services):
    tree = page(signed_in(app, ADMIN), "/", "?health_band=healthy&reason=usage&colour=red")
    alert = texts(find(tree, "home-url-alert"))
    assert "Part of this address could not be used and was left out." in alert
    assert "“healthy” is unknown" in alert and "colour" in alert
    usage = worklist(services, ADMIN).filter(pl.col("reasons").str.split(";").list.contains("usage"))
    assert find(tree, "home-worklist-count")["children"].startswith(f"{usage.height:,} customer")


def test_the_download_is_the_worklists_export(app, services):
    client = signed_in(app, ADMIN)
    r = dash_callback(
        client, "home-download-csv.href", {"home-view.data": "?reason=renewal"}, changed=["home-view.data"]
    )
    hrefs = _response(r)
    csv_href = hrefs["home-download-csv"]["href"]
    assert csv_href == "/api/v1/datasets/customer_health.csv?health_band=at_risk&health_band=watch&reason=renewal"
    download = client.get(csv_href)
    assert download.status_code == 200
    listed = [r["customer_id"] for r in csv.DictReader(io.StringIO(download.get_data(as_text=True).lstrip("\ufeff")))]
    response, _ = row_data(client, "?reason=renewal")
    assert listed == [r["customer_id"] for r in response["rowData"]] and listed


def test_an_empty_worklist_says_why(app, services):
    lonely = signed_in(app, new_user(services, "partner_admin", prefix="lonely"))
    tree = page(lonely, "/")
    assert "You have no customers yet." in texts(find(tree, "home-worklist-empty"))
    assert find(tree, card_id("at_risk_customers"))["children"] == "0"
    response, body = row_data(lonely)
    assert response["rowCount"] == 0 and "ask a partner full administrator" in texts(body["home-worklist-empty"])
    response, body = row_data(signed_in(app, FULL), "?reason=renewal&tag=no-tag-is-called-this")
    assert response["rowCount"] == 0 and "No customer matches these filters." in texts(body["home-worklist-empty"])


def test_before_the_first_import_the_page_says_so(app):
    with app.test_request_context("/"):
        tree = no_data().to_plotly_json()
    text = json.dumps(tree, default=lambda o: o.to_plotly_json())
    assert "Nothing to show yet." in text and "No data has been imported yet." in text


# ---- my follow-ups ------------------------------------------------------------------------------------------


def test_my_follow_ups_due_this_week_and_overdue(app, services):
    email = ADMIN
    user = get_user_by_email(services.state, email)
    caller = Caller(email, user.role, _scope(services, email), services.state, services.snapshots.current(), user.id)
    ids = worklist(services, email)["customer_id"].to_list()
    soon, overdue, later = ids[0], ids[1], ids[2]
    today = date.today()
    follow_ups.set(caller, soon, today + timedelta(days=3), "Call about the renewal")
    follow_ups.set(caller, overdue, today - timedelta(days=5), "Send the <b>usage</b> report")
    follow_ups.set(caller, later, today + timedelta(days=30), "Quarterly review")
    try:
        client = signed_in(app, email)
        section = find(page(client, "/"), "home-follow-ups-list")
        text = texts(section)
        assert "Call about the renewal" in text and "Send the <b>usage</b> report" in text
        assert "Quarterly review" not in text
        assert "overdue by" in text and f"/customers/{overdue}" in text and f"/customers/{soon}" in text
        # the overdue one first
        assert text.index("Send the") < text.index("Call about")
        response, _ = row_data(client)
        dates = {r["customer_id"]: r["follow_up_date"] for r in response["rowData"]}
        assert dates[later] == (today + timedelta(days=30)).isoformat()
        assert dates[soon] == (today + timedelta(days=3)).isoformat()
        response, _ = row_data(client, "", 0, 3, sort=[{"colId": "follow_up_date", "sort": "asc"}])
        assert [r["customer_id"] for r in response["rowData"]] == [overdue, soon, later]
    finally:
        for cid in (soon, overdue, later):
            follow_ups.clear(caller, cid)
    tree = page(signed_in(app, email), "/")
    assert "No follow-up of yours is due in the next 7 days." in texts(find(tree, "home-follow-ups-list"))


def test_when_a_follow_up_is_due_in_words(app):
    with app.test_request_context("/"):
        assert when_text(-1) == "overdue by 1 day"
        assert when_text(-4) == "overdue by 4 days"
        assert when_text(0) == "due today"
        assert when_text(6) == "due in 6 days"
