"""The calling page through its router and callbacks: only the roles that may
see calling get it (the page and every callback), and its numbers are the
calling metrics functions' for the viewer's scope."""

from __future__ import annotations

import pytest

from partnerhub.components import fmt, fmt_int
from partnerhub.metrics.datasets import DATASETS
from partnerhub.metrics.query import latest_week
from partnerhub.pages._analytics.calling import CHARTS, QUALITY, QUEUES, TABLES, USAGE, feature_labels
from partnerhub.pages._analytics.sections import PAGE_SIZE
from tests.analytics_support import (
    CALLING_EMAILS,
    ROLES,
    call,
    context,
    find,
    layout_of,
    open_page,
    signed_in,
    text_of,
    view,
)
from tests.auth_client import dash_callback

FULL = "full.admin@demo.example"


def _rows(client, spec, request):
    """A row request past the first page, as the browser hands it to the server."""
    response = call(
        client,
        f"{spec.grid_id}.getRowsResponse",
        {"calling-filters.data": "", f"{spec.rows_request_id}.data": request},
        input_id=spec.rows_request_id,
    )
    return response[spec.grid_id]["getRowsResponse"]


@pytest.mark.parametrize("email", CALLING_EMAILS)
def test_roles_with_calling_get_the_page_and_its_numbers(app, services, email):
    client = signed_in(app, email)
    layout = layout_of(open_page(client, "/calling"))
    ctx, v = context(services), view(services, email)
    assert (
        find(layout, "calling-week")["children"]
        == f"Data refreshed every Sunday 00:00 UTC; showing the week of {latest_week(ctx).isoformat()}."
    )
    assert "Data as of " in text_of(find(layout, "data-as-of"))

    queues = DATASETS["call_queues"].fn(ctx, v)
    for key, kind in QUEUES.kpis:
        assert find(layout, QUEUES.kpi_id(key))["children"] == fmt(queues.kpis[key], kind)
    assert find(layout, f"{QUEUES.download_id}-xlsx")["href"] == "/api/v1/datasets/call_queues.xlsx"

    for spec in TABLES:
        frame = DATASETS[spec.dataset].fn(ctx, v).frame
        first = find(layout, spec.first_page_id)["data"]  # the first page travels with the layout
        rows = _rows(client, spec, {"startRow": 0, "endRow": PAGE_SIZE})
        assert rows == first
        assert rows["rowCount"] == frame.height
        assert [r["customer_id"] for r in rows["rowData"]] == frame["customer_id"].head(PAGE_SIZE).to_list()


def test_charts_draw_the_metrics_values(app, services):
    client = signed_in(app, FULL)
    ctx, v = context(services), view(services, FULL)
    layout = layout_of(open_page(client, "/calling"))
    for spec in CHARTS:
        frame = DATASETS[spec.dataset].fn(ctx, v).frame
        summary = find(layout, f"{spec.graph_id}-summary")["children"]
        figure = find(layout, spec.graph_id)["figure"]
        assert find(layout, f"{spec.download_id}-csv")["href"] == f"/api/v1/datasets/{spec.dataset}.csv"
        if spec.dataset == "calling_usage_trend":
            last = frame.row(-1, named=True)
            assert fmt_int(last["active_users"]) in summary and fmt_int(last["calls"]) in summary
            assert figure["data"][0]["y"] == frame["active_users"].to_list()
        elif spec.dataset == "call_quality_trend":
            assert figure["data"][1]["y"] == frame["poor_ratio"].to_list()
        elif spec.dataset == "calling_features":
            assert figure["data"][0]["x"] == frame["calls"].to_list()
            assert summary.startswith(f"{feature_labels()[frame['feature'][0]]}: {fmt_int(frame['calls'][0])}")
        else:
            assert figure["data"][0]["x"] == frame["poor_ratio"].to_list()
            assert "Desk phone" in summary


def test_tables_sort_on_the_server(app, services):
    client = signed_in(app, FULL)
    frame = DATASETS["calling_usage"].fn(context(services), view(services, FULL)).frame
    request = {"startRow": 0, "endRow": PAGE_SIZE, "sortModel": [{"colId": "active_ratio", "sort": "asc"}]}
    got = [r["active_ratio"] for r in _rows(client, USAGE, request)["rowData"]]
    assert got == sorted(v for v in frame["active_ratio"].to_list() if v is not None)[:PAGE_SIZE]
    # the worst endpoint type is shown with its label, exported with its code
    layout = layout_of(open_page(client, "/calling"))
    [column] = [c for c in find(layout, QUALITY.grid_id)["columnDefs"] if c["field"] == "worst_endpoint_type"]
    assert column["refData"]["desk_phone"] == "Desk phone"


@pytest.mark.parametrize("email", [e for e in ROLES if e not in CALLING_EMAILS])
def test_sales_roles_are_refused_the_page_and_its_callbacks(app, email):
    client = signed_in(app, email)
    assert open_page(client, "/calling").status_code == 403
    page = client.get("/calling")
    assert page.status_code == 403 and "Not allowed" in page.get_data(as_text=True)
    for spec in TABLES:  # the row requests the page's grids send past their first page
        response = dash_callback(
            client,
            f"{spec.grid_id}.getRowsResponse",
            {"calling-filters.data": "", f"{spec.rows_request_id}.data": {"startRow": 0, "endRow": PAGE_SIZE}},
            input_id=spec.rows_request_id,
        )
        assert response.status_code == 403, spec.grid_id
    assert client.get("/api/v1/datasets/call_queues.csv").status_code == 403


def test_bad_url_parameters_are_a_message(app):
    layout = layout_of(open_page(signed_in(app, FULL), "/calling", "?status=nope&managed_by=partner"))
    alert = text_of(find(layout, "calling-url-problems"))
    assert "The status “nope” is unknown; use one of: trial," in alert
    assert find(layout, "calling-filters")["data"] == "managed_by=partner"
    assert find(layout, f"{QUEUES.download_id}-csv")["href"] == "/api/v1/datasets/call_queues.csv?managed_by=partner"
