"""The license analytics page through its real router and callbacks, over
HTTP as the browser sends them: the numbers are the metrics functions' for
the same snapshot and scope, the grids page and sort on the server, the URL
carries the view, and bad URL parameters are a message."""

from __future__ import annotations

import pytest

from partnerhub.components import fmt
from partnerhub.components.grid import header_tip, sort_frame
from partnerhub.metrics.datasets import DATASETS, KPI_GROUPS
from partnerhub.metrics.types import View
from partnerhub.pages._analytics.licenses import HEADLINE, TABLES, TREND
from partnerhub.pages._analytics.query import args_from_kwargs, read_query
from partnerhub.pages._analytics.sections import PAGE_SIZE
from tests.analytics_support import ROLES, call, context, find, layout_of, open_page, scope_of, signed_in, text_of, view
from tests.auth_client import dash_callback, dependencies

FULL = "full.admin@demo.example"
SPECS = {spec.dataset: spec for spec in TABLES}


def _page(client, product="meetings", filters=""):
    """The page's layout for a view, as the pages router draws it."""
    search = f"?product={product}" + (f"&{filters}" if filters else "")
    return layout_of(open_page(client, "/analytics", search))


def _rows(client, spec, request, product="meetings", filters=""):
    """A row request past the first page, as the browser hands it to the server."""
    response = call(
        client,
        f"{spec.grid_id}.getRowsResponse",
        {
            "analytics-toggle.value": product,
            "analytics-filters.data": filters,
            f"{spec.rows_request_id}.data": request,
        },
        input_id=spec.rows_request_id,
    )
    return response[spec.grid_id]["getRowsResponse"]


@pytest.mark.parametrize("email", list(ROLES))
def test_every_role_sees_its_headline(app, services, email):
    layout = layout_of(open_page(signed_in(app, email), "/analytics"))
    expected = KPI_GROUPS["headline"].fn(context(services), View(scope=scope_of(services, email)))
    for key in HEADLINE:
        card = find(layout, f"analytics-headline-{key.replace('_', '-')}")
        assert card["children"] == fmt(expected[key]), key
    assert "Data as of " in text_of(find(layout, "data-as-of"))
    assert find(layout, "analytics-toggle")["value"] == "meetings"
    for spec in TABLES:  # every section is there, with its download menu
        assert find(layout, spec.grid_id)["rowModelType"] == "infinite"
        assert (
            find(layout, f"{spec.download_id}-csv")["href"] == f"/api/v1/datasets/{spec.dataset}.csv?product=meetings"
        )


def test_every_kpi_and_column_has_its_definition(app):
    layout = layout_of(open_page(signed_in(app, FULL), "/analytics"))
    for spec in TABLES:
        for key, _kind in spec.kpis:
            info = find(layout, spec.kpi_id(key) + "-info")
            assert ": " in info["aria-label"] and len(info["aria-label"]) > 20, key
        for column in find(layout, spec.grid_id)["columnDefs"]:
            assert header_tip(column), (spec.dataset, column["field"])


@pytest.mark.parametrize("product", ["meetings", "calling"])
@pytest.mark.parametrize("email", [FULL, "admin@demo.example", "sales@demo.example"])
def test_sections_show_the_metrics_values(app, services, email, product):
    client = signed_in(app, email)
    ctx, v = context(services), view(services, email, product)
    layout = _page(client, product)
    for spec in TABLES:
        result = DATASETS[spec.dataset].fn(ctx, v)
        for key, kind in spec.kpis:
            assert find(layout, spec.kpi_id(key))["children"] == fmt(result.kpis[key], kind), (spec.dataset, key)
        assert (
            find(layout, f"{spec.download_id}-parquet")["href"]
            == f"/api/v1/datasets/{spec.dataset}.parquet?product={product}"
        )
        # the first page travels with the layout; the server answers the same for a request of it
        first = find(layout, spec.first_page_id)["data"]
        rows = _rows(client, spec, {"startRow": 0, "endRow": PAGE_SIZE, "sortModel": []}, product)
        assert first == rows
        assert rows["rowCount"] == result.frame.height
        assert [r["subscription_id"] for r in rows["rowData"]] == result.frame["subscription_id"].head(
            PAGE_SIZE
        ).to_list()
    last = DATASETS["license_trend"].fn(ctx, v).frame.row(-1, named=True)
    assert fmt(last["total_licenses"]) in find(layout, f"{TREND.graph_id}-summary")["children"]
    figure = find(layout, TREND.graph_id)["figure"]
    assert figure["data"][0]["y"][-1] == last["total_licenses"]


def test_grid_rows_are_one_sorted_page(app, services):
    client = signed_in(app, FULL)
    spec = SPECS["expiring"]
    frame = DATASETS["expiring"].fn(context(services), view(services, FULL)).frame
    assert frame.height > 2 * PAGE_SIZE
    request = {
        "startRow": PAGE_SIZE,
        "endRow": 2 * PAGE_SIZE,
        "sortModel": [{"colId": "total_licenses", "sort": "desc"}, {"colId": "customer_name", "sort": "asc"}],
    }
    rows = _rows(client, spec, request)
    expected = sort_frame(frame, [("total_licenses", "desc"), ("customer_name", "asc")]).slice(PAGE_SIZE, PAGE_SIZE)
    assert rows["rowCount"] == frame.height
    assert [(r["subscription_id"], r["total_licenses"]) for r in rows["rowData"]] == list(
        zip(expected["subscription_id"], expected["total_licenses"])
    )
    assert len(rows["rowData"][0]["usage_sparkline"]) == 13  # the sparkline travels with its row

    # the license bar sorts by `used`; a request for more than a page gets one page
    rows = _rows(client, spec, {"startRow": 0, "endRow": 5000, "sortModel": [{"colId": "license_bar", "sort": "asc"}]})
    assert len(rows["rowData"]) == PAGE_SIZE
    assert [r["used"] for r in rows["rowData"]] == sorted(frame["used"].to_list())[:PAGE_SIZE]

    # a missing end is one page
    rows = _rows(client, spec, {"startRow": 0, "endRow": None})
    assert [r["subscription_id"] for r in rows["rowData"]] == frame["subscription_id"].head(PAGE_SIZE).to_list()


@pytest.mark.parametrize(
    "request_",
    [
        {"startRow": "x", "endRow": None},
        {"startRow": 0, "endRow": [10]},
        {"startRow": 1e30, "endRow": 10},
        {"startRow": -5, "endRow": 3},
        {"startRow": 0, "endRow": 10, "sortModel": [{"colId": "no_such", "sort": "asc"}]},
        {"startRow": 0, "endRow": 10, "sortModel": [{"colId": "customer_name", "sort": "sideways"}, "junk"]},
        # a list column (the sparkline) cannot be sorted
        {"startRow": 0, "endRow": 10, "sortModel": [{"colId": "usage_sparkline", "sort": "asc"}]},
    ],
)
def test_bad_row_requests_are_400_not_500(app, request_):
    spec = SPECS["expiring"]
    response = dash_callback(
        signed_in(app, FULL),
        f"{spec.grid_id}.getRowsResponse",
        {
            "analytics-toggle.value": "meetings",
            "analytics-filters.data": "",
            f"{spec.rows_request_id}.data": request_,
        },
        input_id=spec.rows_request_id,
    )
    assert response.status_code == 400, response.get_data(as_text=True)


def test_every_sortable_column_of_every_grid_sorts(app):
    """What a click on a header sends is never refused: every sortable
    column of every analytics and calling grid sorts on the server."""
    client = signed_in(app, FULL)
    layout = layout_of(open_page(client, "/analytics"))
    for spec in TABLES:
        columns = [c for c in find(layout, spec.grid_id)["columnDefs"] if c.get("sortable")]
        assert columns, spec.grid_id
        for column in columns:
            request = {"startRow": 0, "endRow": PAGE_SIZE, "sortModel": [{"colId": column["colId"], "sort": "desc"}]}
            assert _rows(client, spec, request)["rowCount"] >= 0, (spec.grid_id, column["colId"])


def test_a_partner_admin_sees_only_assigned_customers(app, services):
    email = "admin@demo.example"
    scope = scope_of(services, email)
    assert scope is not None
    rows = _rows(signed_in(app, email), SPECS["low_allocation"], {"startRow": 0, "endRow": PAGE_SIZE}, "meetings")
    assert {r["customer_id"] for r in rows["rowData"]} <= scope


def test_bad_url_parameters_are_a_message_and_fall_back(app):
    client = signed_in(app, FULL)
    layout = layout_of(open_page(client, "/analytics", "?product=bogus"))
    alert = text_of(find(layout, "analytics-url-problems"))
    assert "The product “bogus” is unknown; use one of: meetings, calling." in alert
    assert "Showing Meetings instead." in alert
    assert find(layout, "analytics-toggle")["value"] == "meetings"

    layout = layout_of(open_page(client, "/analytics", "?product=calling&status=nope&colour=red"))
    alert = text_of(find(layout, "analytics-url-problems"))
    assert "The status “nope” is unknown" in alert and "This page has no parameter called “colour”" in alert
    assert find(layout, "analytics-toggle")["value"] == "calling"  # what was right is kept
    assert find(layout, "analytics-filters")["data"] == ""

    layout = layout_of(open_page(client, "/analytics", "?product=calling&product=meetings&tag=No%20such%20tag"))
    alert = text_of(find(layout, "analytics-url-problems"))
    assert "The product “calling, meetings” names more than one; give one of: meetings, calling." in alert
    assert "There is no tag called “No such tag”." in alert

    assert find(layout_of(open_page(client, "/analytics", "?product=calling")), "analytics-url-problems") is None


def test_a_bad_address_keeps_every_valid_filter_and_names_every_bad_one(app):
    client = signed_in(app, FULL)
    search = "?product=calling&status=trial,bogus&managed_by=external&managed_by=inside&needs_attention=maybe"
    layout = layout_of(open_page(client, "/analytics", search))
    assert find(layout, "analytics-toggle")["value"] == "calling"
    assert find(layout, "analytics-filters")["data"] == "managed_by=external&status=trial"
    alert = text_of(find(layout, "analytics-url-problems"))
    for named in ("“bogus”", "“inside”", "“maybe”"):
        assert named in alert
    # every item of the notice is a whole sentence
    items = [
        text_of(li)
        for li in find(layout, "analytics-url-problems")["children"]["props"]["children"][1]["props"]["children"]
    ]
    assert len(items) == 3 and all(i.endswith(".") for i in items)
    # the page shows what the API shows for the valid part
    api = client.get("/api/v1/kpis?product=calling&status=trial&managed_by=external").get_json()
    for key in HEADLINE:
        assert find(layout, f"analytics-headline-{key.replace('_', '-')}")["children"] == fmt(api["headline"][key])


def test_customer_filters_narrow_every_number_like_the_api(app):
    client = signed_in(app, FULL)
    query = "product=calling&managed_by=external"
    layout = layout_of(open_page(client, "/analytics", "?" + query))
    api = client.get("/api/v1/kpis?" + query).get_json()
    for key in HEADLINE:
        assert find(layout, f"analytics-headline-{key.replace('_', '-')}")["children"] == fmt(api["headline"][key])
    assert find(layout, "analytics-filters")["data"] == "managed_by=external"
    assert "managed_by: external" in text_of(find(layout, "analytics-filters-notice"))
    for spec in TABLES:
        for key, kind in spec.kpis:
            assert find(layout, spec.kpi_id(key))["children"] == fmt(api[spec.dataset][key], kind)
        assert find(layout, f"{spec.download_id}-csv")["href"] == f"/api/v1/datasets/{spec.dataset}.csv?{query}"


def test_empty_sections_say_what_and_why(app):
    client = signed_in(app, FULL)
    layout = _page(client, "calling", "q=no-customer-has-this-name")
    for spec in TABLES:
        assert find(layout, f"{spec.base}-grid-wrap")["style"] == {"display": "none"}
        message = text_of(find(layout, f"{spec.base}-empty")["children"])
        assert "Calling" in message and len(message) > 40, message
        assert find(layout, spec.first_page_id)["data"] == {"rowData": [], "rowCount": 0}
    assert "No Calling lines expire in the next 90 days" in text_of(
        find(layout, "analytics-expiring-empty")["children"]
    )
    assert find(layout, f"{TREND.graph_id}-summary")["children"] == "No Calling licenses in these 12 weeks"


def test_the_toggle_writes_the_address(app):
    """The toggle writes the address the pages router reads (in the browser),
    and the router draws the page of the new view with every link for it."""
    client = signed_in(app, FULL)
    [toggle] = [d for d in dependencies(client) if any(i["id"] == "analytics-toggle" for i in d["inputs"])]
    assert toggle["output"] == "_pages_location.search" and toggle.get("clientside_function")
    layout = _page(client, "calling", "managed_by=external")
    assert find(layout, "analytics-toggle")["value"] == "calling"
    assert find(layout, "analytics-filters-notice-clear")["href"] == "/analytics?product=calling"
    for spec in TABLES:
        href = find(layout, f"{spec.download_id}-xlsx")["href"]
        assert href == f"/api/v1/datasets/{spec.dataset}.xlsx?product=calling&managed_by=external"


def test_the_low_allocation_rule_says_the_settings(app, services):
    layout = layout_of(open_page(signed_in(app, FULL), "/analytics"))
    rule = find(layout, "analytics-low-allocation-rule")["children"]
    s = services.settings
    assert f"at least {s.low_allocation_min_age_days} days old" in rule
    assert f"below {s.low_allocation_factor:g} × the usual share" in rule


def test_read_query_keeps_what_it_can():
    q = read_query(args_from_kwargs({"product": "calling", "status": ["trial", "bogus"], "q": "acme"}))
    assert q.product == "calling" and q.filter_pairs == (("status", "trial"), ("q", "acme"))
    assert [p.message for p in q.problems] == [
        "status: unknown value 'bogus' (one of: trial, subscription, expiring_soon, "
        "license_overage, no_recent_activity, order_ready_for_setup, suspended, expired)",
    ]
    assert q.search("calling") == "?product=calling&status=trial&q=acme"
