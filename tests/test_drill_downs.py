"""Drill-downs (issue 14): every KPI card links to what it is made of, and a
card that counts customers opens the customer list filtered to exactly those
customers. Read on the real pages (the router draws them for a full and a
partner administrator, both toggles, with and without customer filters): the
list the link opens has the card's count, read through the list's own
reader of a view and metrics.customers, the page's count line and the CSV
download of the same query. The list's health column sorts on the server,
customers not scored last, and the needs-attention view sorts by health."""

from __future__ import annotations

import csv
import io
from urllib.parse import urlsplit

import pytest
from werkzeug.datastructures import MultiDict

from partnerhub.metrics.customers import customers
from partnerhub.metrics.health import BANDS, health_kpis
from partnerhub.metrics.types import SEGMENTS, Filters, View
from partnerhub.metrics.view_query import UNKNOWN_VALUE, narrowed_view, read_view, tag_names
from partnerhub.pages._analytics.query import args_from_search
from partnerhub.pages._customers.list_view import count_text, segment_text
from partnerhub.pages.drill import HEALTH_BANDS, kpi_href
from tests.analytics_support import context, find, layout_of, open_page, scope_of, signed_in, text_of
from tests.test_customer_list import rows

FULL = "full.admin@demo.example"
ADMIN = "admin@demo.example"
VIEWS = ("?product=meetings", "?product=calling", "?product=calling&managed_by=partner&needs_attention=true")


def cards(tree) -> list[tuple[str, str, str]]:
    """(id, href, shown value) of every KPI card link of a serialised layout."""
    found, stack = [], [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, list):
            stack.extend(node)
        elif isinstance(node, dict):
            props = node.get("props")
            if isinstance(props, dict):
                if "kpi-link" in str(props.get("className", "")):
                    found.append((props["id"], props["href"], text_of(node)))
                stack.extend(v for v in props.values() if isinstance(v, (list, dict)))
    return found


def number(shown: str) -> int:
    return int(shown.replace(",", ""))


def listed(services, email: str, query: str):
    """The customer list at `query`, read as the list page reads its address."""
    read = read_view(args_from_search(query), "customers", lambda: tag_names(services.state))
    assert not read.problems, read.problems
    return customers(context(services), View(scope=scope_of(services, email), filters=read.filters)).frame


def csv_ids(client, query: str) -> list[str]:
    r = client.get("/api/v1/datasets/customers.csv" + query)
    assert r.status_code == 200, r.get_data(as_text=True)[:300]
    return [row["customer_id"] for row in csv.DictReader(io.StringIO(r.get_data(as_text=True).lstrip("\ufeff")))]


@pytest.mark.parametrize("email", [FULL, ADMIN])
@pytest.mark.parametrize("search", VIEWS)
def test_every_analytics_card_opens_exactly_its_customers(app, services, email, search):
    client = signed_in(app, email)
    layout = layout_of(open_page(client, "/analytics", search))
    found = cards(layout)
    # five headline cards and every section's KPIs, each a link
    assert len(found) == 5 + 2 + 3 + 3 + 4 + 3, [c[0] for c in found]
    customer_cards = 0
    for card_id, href, shown in found:
        url = urlsplit(href)
        query = "?" + url.query if url.query else ""
        page_filters = read_view(args_from_search(search)).filters
        if url.path == "/customers":
            customer_cards += 1
            frame = listed(services, email, query)
            assert frame.height == number(shown), (card_id, href)
            assert sorted(csv_ids(client, query)) == sorted(frame["customer_id"].to_list()), (card_id, href)
            # the page's own filters travel with the link
            read = read_view(args_from_search(query), "customers").filters
            assert (read.managed_by, read.needs_attention) == (page_filters.managed_by, page_filters.needs_attention)
        else:
            # a ratio or a sum: the section's table, on this very view of the page
            assert (url.path, "?" + url.query) == ("/analytics", search), (card_id, href)
            assert find(layout, url.fragment) is not None, href
    assert customer_cards == 5 + 5
    # the count line of the list the expiring card opens says the same
    _id, href, shown = next(c for c in found if c[0] == "analytics-headline-expiring-customers")
    page = layout_of(open_page(client, "/customers", "?" + urlsplit(href).query))
    assert text_of(find(page, "customers-count")) == count_text(number(shown))
    assert "Showing: customers with a subscription or trial that ends" in text_of(find(page, "customers-segment-text"))


@pytest.mark.parametrize("email", [FULL, ADMIN])
def test_health_cards_open_their_bands(services, email):
    ctx, scope = context(services), scope_of(services, email)
    for filters in (Filters(), Filters(managed_by=("partner",), health_band=("watch", "at_risk"))):
        kpis = health_kpis(ctx, narrowed_view(ctx, scope, "meetings", filters))
        for key in ("scored_customers", "at_risk_customers", "watch_customers", "healthy_customers"):
            href = kpi_href("health", key, filters=filters)
            if href is None:
                # the page's filters leave none of the card's band
                assert not set(HEALTH_BANDS[key]) & set(filters.health_band) and kpis[key] == 0
                continue
            frame = listed(services, email, href.removeprefix("/customers"))
            assert frame.height == kpis[key], (key, filters)
        at_risk = listed(services, email, kpi_href("health", "licenses_at_risk", filters=filters)[len("/customers") :])
        assert at_risk.height == kpis["at_risk_customers"] and set(at_risk["health_band"]) <= {"at_risk"}


def test_the_calling_page_cards_open_the_queue_table(app):
    layout = layout_of(open_page(signed_in(app, FULL), "/calling", "?status=subscription"))
    found = cards(layout)
    assert sorted(c[0] for c in found) == [
        "calling-call-queues-kpi-abandon-ratio",
        "calling-call-queues-kpi-average-abandon-wait-seconds",
        "calling-call-queues-kpi-average-answer-wait-seconds",
    ]
    for _id, href, _shown in found:
        assert href == "/calling?status=subscription#calling-call-queues"
        assert find(layout, "calling-call-queues") is not None


def test_kpi_href_keeps_the_filters_and_refuses_what_it_cannot_say():
    gold = Filters(tag=("Gold",), q="acme")
    assert kpi_href("headline", "total_customers") == "/customers?product=meetings&product=calling"
    assert (
        kpi_href("headline", "total_customers", filters=Filters(product=("calling",))) == "/customers?product=calling"
    )
    assert kpi_href("headline", "total_customers", filters=Filters(product=("messaging",))) is None
    assert kpi_href("headline", "overage_customers", "calling", gold) == "/customers?tag=Gold&q=acme&segment=overage"
    assert kpi_href("expiring", "expiring_customers", "calling") == "/customers?segment=expiring%3Acalling"
    assert kpi_href("recently_added", "total_licenses", "calling", gold) == (
        "/analytics?product=calling&tag=Gold&q=acme#analytics-recently-added"
    )
    assert kpi_href("low_allocation", "unassigned_licenses", "nonsense") == (
        "/analytics?product=meetings#analytics-low-allocation"
    )
    assert (
        kpi_href("health", "scored_customers") == "/customers?health_band=at_risk&health_band=watch&health_band=healthy"
    )
    assert (
        kpi_href("health", "scored_customers", filters=Filters(health_band=("watch",)))
        == "/customers?health_band=watch"
    )
    assert kpi_href("health", "at_risk_customers", filters=Filters(health_band=("watch",))) is None
    # already narrowed to another section: the card's customers are in both, which a link cannot say
    assert kpi_href("headline", "expiring_customers", filters=Filters(segment=("overage",))) is None
    assert kpi_href("headline", "expiring_customers", filters=Filters(segment=("expiring",))) == (
        "/customers?segment=expiring"
    )
    assert kpi_href("headline", "average_health_score") is None
    assert kpi_href("nonsense", "expiring_customers") is None


def test_segments_union_their_products_and_narrow_every_dataset(app, services):
    ctx, scope = context(services), scope_of(services, ADMIN)

    def ids(*segments):
        return set(customers(ctx, View(scope=scope, filters=Filters(segment=segments))).frame["customer_id"])

    for section in ("recently_added", "expiring", "renewing", "low_allocation", "overage"):
        meetings, calling = ids(f"{section}:meetings"), ids(f"{section}:calling")
        assert ids(section) == meetings | calling == ids(f"{section}:meetings", f"{section}:calling")
    assert ids("expiring", "overage") == ids("expiring") | ids("overage")
    # another dataset at the same query holds only the segment's customers (narrowed_view)
    client = signed_in(app, ADMIN)
    r = client.get("/api/v1/datasets/expiring.csv?product=calling&segment=overage")
    assert r.status_code == 200
    rows_ = list(csv.DictReader(io.StringIO(r.get_data(as_text=True).lstrip("\ufeff"))))
    assert {row["customer_id"] for row in rows_} <= ids("overage")
    assert segment_text(("expiring:calling", "overage")) == (
        "Showing: customers with a subscription or trial that ends in the next 90 days and does not renew "
        "automatically (Calling) or more licenses assigned than purchased (Meetings or Calling)"
    )


def test_a_bad_segment_is_named(app):
    read = read_view(MultiDict([("segment", "expiring:fax"), ("segment", "overage")]), "customers")
    assert read.filters.segment == ("overage",)
    [problem] = read.problems
    assert (problem.parameter, problem.value, problem.reason) == ("segment", "expiring:fax", UNKNOWN_VALUE)
    assert set(problem.allowed) == set(SEGMENTS)
    client = signed_in(app, ADMIN)
    r = client.get("/api/v1/datasets/customers.csv?segment=expiring:fax")
    assert r.status_code == 400
    assert "segment" in r.get_json()["error"] and "expiring:fax" in r.get_json()["error"]
    page = layout_of(open_page(client, "/customers", "?segment=nope&status=trial"))
    alert = text_of(find(page, "customers-url-alert"))
    assert "nope" in alert


def _scores(row_data) -> list:
    return [r["health_score"] for r in row_data]


def test_the_health_column_sorts_on_the_server_with_the_unscored_last(app, services):
    client = signed_in(app, ADMIN)
    expected = listed(services, ADMIN, "")
    scored = expected.filter(expected["health_score"].is_not_null()).height
    assert 0 < scored < expected.height <= 500, "the demo scope has scored and unscored customers"
    for direction in ("asc", "desc"):
        response, _body = rows(client, "", 0, 500, sort=[{"colId": "health_score", "sort": direction}])
        scores = _scores(response["rowData"])
        assert response["rowCount"] == expected.height
        assert all(s is not None for s in scores[:scored]) and all(s is None for s in scores[scored:])
        assert scores[:scored] == sorted(scores[:scored], reverse=direction == "desc")
        # what the cell shows: the band beside the score
        assert {r["health_band"] for r in response["rowData"][:scored]} <= set(BANDS)


def test_the_needs_attention_view_sorts_by_health_lowest_first(app, services):
    client = signed_in(app, ADMIN)
    expected = listed(services, ADMIN, "?needs_attention=true").sort(
        ["health_score", "customer_name", "customer_id"], nulls_last=True
    )
    response, _body = rows(client, "?needs_attention=true", 0, 500)
    assert [r["customer_id"] for r in response["rowData"]] == expected["customer_id"].to_list()
    # a sort the person chose wins
    response, _body = rows(client, "?needs_attention=true", 0, 500, sort=[{"colId": "customer_id", "sort": "desc"}])
    assert [r["customer_id"] for r in response["rowData"]] == sorted(expected["customer_id"], reverse=True)


def test_health_band_and_reason_filters_follow_the_url(app, services):
    client = signed_in(app, ADMIN)
    page = layout_of(open_page(client, "/customers", "?health_band=at_risk&reason=usage&segment=overage:meetings"))
    assert find(page, "customers-health-band")["value"] == ["at_risk"]
    assert find(page, "customers-reason")["value"] == ["usage"]
    assert find(page, "customers-segment")["data"] == ["overage:meetings"]
    assert find(page, "customers-segment-notice")["hidden"] is False
    frame = listed(services, ADMIN, "?health_band=at_risk&reason=usage&segment=overage:meetings")
    assert text_of(find(page, "customers-count")) == count_text(frame.height)
    assert set(frame["health_band"]) <= {"at_risk"}
    assert find(layout_of(open_page(client, "/customers")), "customers-segment-notice")["hidden"] is True
