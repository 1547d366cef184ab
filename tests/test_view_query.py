"""The one reading of a view (metrics.view_query): every parameter on good and
bad values, each bad value named and the valid ones kept; the filters'
own check with the same limit; and the one text-sort rule of every grid."""

from __future__ import annotations

import polars as pl
import pytest
from werkzeug.datastructures import MultiDict

from partnerhub.components.grid import sort_frame
from partnerhub.data.contract import PRODUCTS
from partnerhub.metrics.customers import customers, customers_page
from partnerhub.metrics.types import Filters, View
from partnerhub.metrics.view_query import (
    MAX_TEXT,
    NOT_BOOLEAN,
    ONE_ONLY,
    TOO_LONG,
    UNKNOWN_PARAMETER,
    UNKNOWN_TAG,
    UNKNOWN_VALUE,
    BadView,
    check_filters,
    filter_pairs,
    read_view,
)


def args(query: str) -> MultiDict:
    from urllib.parse import parse_qsl

    return MultiDict(parse_qsl(query, keep_blank_values=True))


def problems(query, **kwargs) -> list[tuple[str, str, str]]:
    return [(p.parameter, p.value, p.reason) for p in read_view(args(query), **kwargs).problems]


# ---- good values -----------------------------------------------------------------------------------------


def test_every_parameter_on_good_values():
    q = read_view(
        args(
            "managed_by=external&status=trial,expired&status=trial&subscription_type=paid"
            "&tag=Gold&tag=Silver&q=%20acme%20&needs_attention=1"
        ),
        known_tags=lambda: {"Gold", "Silver"},
    )
    assert q.problems == ()
    assert q.product == "meetings"
    assert q.filters == Filters(
        managed_by=("external",),
        status=("trial", "expired"),
        subscription_type=("paid",),
        tag=("Gold", "Silver"),
        q="acme",
        needs_attention=True,
    )
    assert read_view(args("product=calling")).product == "calling"
    listed = read_view(args("product=calling&product=meetings"), "customers")
    assert listed.filters.product == ("calling", "meetings") and listed.product == "meetings"
    for value, expected in (("true", True), ("TRUE", True), ("0", False), ("false", False), ("", False)):
        assert read_view(args(f"needs_attention={value}")).filters.needs_attention is expected


def test_filter_pairs_read_back_to_the_same_filters():
    filters = Filters(
        managed_by=("partner",),
        product=tuple(PRODUCTS),
        status=("suspended",),
        subscription_type=("trial",),
        tag=("A & B",),
        q="x y",
        needs_attention=True,
    )
    again = read_view(MultiDict(filter_pairs(filters)), "customers")
    assert again.filters == filters and again.problems == ()
    assert filter_pairs(Filters()) == []


# ---- bad values -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "query, dataset, named",
    [
        ("colour=blue", None, [("colour", "blue", UNKNOWN_PARAMETER)]),
        ("managed_by=nobody", None, [("managed_by", "nobody", UNKNOWN_VALUE)]),
        ("status=sleepy", None, [("status", "sleepy", UNKNOWN_VALUE)]),
        ("subscription_type=free", None, [("subscription_type", "free", UNKNOWN_VALUE)]),
        ("product=webex", None, [("product", "webex", UNKNOWN_VALUE)]),
        ("product=webex", "customers", [("product", "webex", UNKNOWN_VALUE)]),
        ("product=calling&product=meetings", None, [("product", "calling, meetings", ONE_ONLY)]),
        ("needs_attention=maybe", None, [("needs_attention", "maybe", NOT_BOOLEAN)]),
        ("q=" + "x" * (MAX_TEXT + 1), None, [("q", "x" * 60 + "…", TOO_LONG)]),
        ("tag=" + "t" * (MAX_TEXT + 1), None, [("tag", "t" * 60 + "…", TOO_LONG)]),
    ],
)
def test_a_bad_value_is_named(query, dataset, named):
    assert problems(query, dataset=dataset) == named
    with pytest.raises(BadView) as e:
        read_view(args(query), dataset).check()
    assert e.value.name == named[0][0] and str(e.value).startswith(named[0][0] + ":")


def test_every_bad_value_is_named_and_every_valid_one_kept():
    query = (
        "status=trial&status=bogus,expired&managed_by=partner&managed_by=inside&colour=red&page=2"
        "&tag=Gold&tag=Nope&product=calling&product=fax&needs_attention=sometimes&q=acme"
    )
    q = read_view(args(query), known_tags=lambda: {"Gold"})
    assert q.product == "calling"
    assert q.filters == Filters(managed_by=("partner",), status=("trial", "expired"), tag=("Gold",), q="acme")
    assert [(p.parameter, p.value, p.reason) for p in q.problems] == [
        ("colour", "red", UNKNOWN_PARAMETER),
        ("page", "2", UNKNOWN_PARAMETER),
        ("managed_by", "inside", UNKNOWN_VALUE),
        ("status", "bogus", UNKNOWN_VALUE),
        ("product", "fax", UNKNOWN_VALUE),
        ("tag", "Nope", UNKNOWN_TAG),
        ("needs_attention", "sometimes", NOT_BOOLEAN),
    ]
    with pytest.raises(BadView) as e:
        q.check()
    for name in ("colour", "page", "managed_by", "status", "product", "tag", "needs_attention"):
        assert name in str(e.value)
    assert "'bogus'" in str(e.value) and "'Nope'" in str(e.value)


def test_a_repeated_bad_value_is_named_once():
    assert problems("status=bogus&status=bogus,bogus") == [("status", "bogus", UNKNOWN_VALUE)]


def test_tags_are_checked_only_when_known_tags_are_given():
    assert read_view(args("tag=Anything")).filters.tag == ("Anything",)
    asked = []
    read_view(args("status=trial"), known_tags=lambda: asked.append(1) or set())
    assert asked == []  # the store is not read when no tag is asked for


def test_the_filters_check_has_the_same_limit():
    check_filters(Filters(q="x" * MAX_TEXT, tag=("t" * MAX_TEXT,)))
    for filters, name in (
        (Filters(q="x" * (MAX_TEXT + 1)), "q"),
        (Filters(tag=("t" * (MAX_TEXT + 1),)), "tag"),
        (Filters(status=("bogus",), managed_by=("inside",)), "status"),
    ):
        with pytest.raises(BadView) as e:
            check_filters(filters)
        assert name in str(e.value)
    with pytest.raises(BadView) as e:
        check_filters(Filters(status=("bogus",), managed_by=("inside",)))
    assert {p.parameter for p in e.value.problems} == {"status", "managed_by"}


def test_the_api_names_every_bad_parameter(client, tokens_full):
    res = client.get(
        "/api/v1/datasets/customers.csv?status=sleepy&managed_by=nobody&colour=blue",
        headers={"Authorization": f"Bearer {tokens_full}"},
    )
    assert res.status_code == 400
    body = res.get_json()
    assert body["parameter"] == "colour"
    assert all(name in body["error"] for name in ("status", "managed_by", "colour", "'sleepy'", "'nobody'"))


@pytest.fixture
def tokens_full(services):
    from partnerhub.auth.tokens import create_token
    from partnerhub.auth.users import get_user_by_email
    from tests.customer_pages import FULL

    return create_token(services.state, get_user_by_email(services.state, FULL).id, "view-query test")


# ---- one text-sort rule in every grid -------------------------------------------------------------------


def test_sort_frame_sorts_text_case_insensitively_nulls_last_ties_in_order():
    frame = pl.DataFrame({"id": ["1", "2", "3", "4", "5"], "name": ["beta", "Alpha", None, "alpha", "Beta"]})
    up = sort_frame(frame, [("name", "asc")])
    assert up["id"].to_list() == ["2", "4", "1", "5", "3"]
    down = sort_frame(frame, [("name", "desc")])
    assert down["id"].to_list() == ["1", "5", "2", "4", "3"]


@pytest.mark.parametrize("column", ["customer_name", "customer_id", "managed_by", "products", "tags"])
def test_the_customer_list_sorts_text_like_every_other_grid(services, column):
    """The customer list sorts in SQL (customers_page); the other grids sort
    the metric's frame (sort_frame). Over the same customers, with names and
    tags that differ only in case, both give the same order."""
    from partnerhub.data import tags as T
    from tests.analytics_support import context

    ctx = context(services)
    everyone = customers(ctx, View()).frame
    some = everyone["customer_id"].to_list()[:40]
    # tags in both cases on some customers, so the text columns hold case differences
    actor = "full.admin@demo.example"
    made = [
        T.create_tag(services.state, actor, name)["id"]
        for name in ("zeta one", "Zeta two", "alpha three", "ALPHA four")
    ]
    try:
        for i, customer_id in enumerate(some):
            T.add_tag(services.state, actor, made[i % 4], [customer_id])
        view = View(scope=frozenset(some))
        frame = customers(ctx, view).frame
        assert frame["tags"].str.contains("ALPHA").any()
        for direction in ("asc", "desc"):
            by_sql, _total = customers_page(ctx, view, [(column, direction)], 0, 100)
            by_frame = sort_frame(frame, [(column, direction)])
            assert by_sql["customer_id"].to_list() == by_frame["customer_id"].to_list(), (column, direction)
    finally:
        for tag_id in made:
            T.delete_tag(services.state, actor, tag_id)
