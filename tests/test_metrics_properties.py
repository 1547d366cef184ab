"""Properties that hold for any data: over generated contracts (two seeds)
and hypothesis-drawn scopes, product toggles and customer-list filters.

- a scope's results are the full results filtered to that scope (and the
  low-allocation peer baseline is the same for both);
- a section's KPIs are the sums / distinct counts of its table;
- no section counts more customers than the scope holds;
- the customer-list filters mean what the spec says, checked against a plain
  Polars reading of the exported columns.
"""

from __future__ import annotations

from datetime import timedelta

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from partnerhub.data import tags as T
from partnerhub.data.generator import generate
from partnerhub.metrics import calling as C
from partnerhub.metrics import licenses as L
from partnerhub.metrics.customers import customers, customers_page
from partnerhub.metrics.definitions import STATUSES
from partnerhub.metrics.types import Filters, View
from tests.test_metrics_support import import_generated

SEEDS = (11, 12)
PROPS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@pytest.fixture(scope="module")
def worlds(tmp_path_factory):
    out = []
    for seed in SEEDS:
        folder = tmp_path_factory.mktemp(f"gen{seed}")
        generate(folder, customers=70, weeks=14, seed=seed)
        ctx = import_generated(tmp_path_factory.mktemp(f"home{seed}"), folder)
        ids = sorted(r[0] for r in ctx.snapshot.rows("SELECT customer_id FROM customers"))
        # a few tags so the tag filter and column have something to say
        gold = T.create_tag(ctx.state, "t@example.com", "Gold", "#ffd700")
        key = T.create_tag(ctx.state, "t@example.com", "key", "#000000")
        T.add_tag(ctx.state, "t@example.com", gold["id"], ids[::3])
        T.add_tag(ctx.state, "t@example.com", key["id"], ids[::4])
        out.append((ctx, ids))
    return out


@st.composite
def views(draw, worlds):
    ctx, ids = worlds[draw(st.integers(0, len(worlds) - 1))]
    chosen = draw(st.sets(st.sampled_from(ids), max_size=len(ids)))
    extra = draw(st.sets(st.sampled_from(["NOT-THERE", "ALSO-NOT"]), max_size=1))
    return ctx, frozenset(chosen | extra), draw(st.sampled_from(["meetings", "calling"]))


LINE_SECTIONS = (L.recently_added, L.expiring, L.renewing, L.low_allocation, L.overage)
CUSTOMER_TABLES = (C.calling_usage, C.call_quality, C.call_queues)


def in_scope(frame: pl.DataFrame, scope: frozenset) -> pl.DataFrame:
    return frame.filter(pl.col("customer_id").is_in(sorted(scope)))


def test_scoped_results_are_the_full_results_filtered(worlds):
    @PROPS
    @given(views(worlds))
    def check(v):
        ctx, scope, product = v
        for fn in LINE_SECTIONS + CUSTOMER_TABLES:
            full = fn(ctx, View(product=product)).frame
            scoped = fn(ctx, View(scope=scope, product=product)).frame
            assert scoped.equals(in_scope(full, scope)), fn.__name__
        full = customers(ctx, View()).frame
        assert customers(ctx, View(scope=scope)).frame.equals(in_scope(full, scope))

    check()


def test_kpis_are_the_sums_of_their_tables(worlds):
    @PROPS
    @given(views(worlds))
    def check(v):
        ctx, scope, product = v
        view = View(scope=scope, product=product)
        in_view = customers(ctx, View(scope=scope)).frame.height
        assert in_view <= len(scope)

        def total(df, col):
            return int(df[col].sum()) if df.height else 0

        def share(df, num, den):
            d = total(df, den)
            return None if d == 0 else pytest.approx(total(df, num) / d)

        r = L.recently_added(ctx, view)
        assert r.kpis == {
            "new_customers": r.frame["customer_id"].n_unique(),
            "total_licenses": total(r.frame, "total_licenses"),
        }
        for fn, key in ((L.expiring, "expiring_customers"), (L.renewing, "renewing_customers")):
            r = fn(ctx, view)
            assert r.kpis == {
                key: r.frame["customer_id"].n_unique(),
                "allocation_ratio": share(r.frame, "assigned", "total_licenses"),
                "usage_ratio": share(r.frame, "used", "total_licenses"),
            }
        r = L.low_allocation(ctx, view)
        assert r.kpis == {
            "low_allocation_customers": r.frame["customer_id"].n_unique(),
            "allocation_ratio": share(r.frame, "assigned", "total_licenses"),
            "assigned_usage_ratio": share(r.frame, "used", "total_licenses"),
            "unassigned_licenses": total(r.frame, "available"),
        }
        assert (r.frame["allocation_ratio"] < 0.5 * r.frame["peer_baseline"]).all()
        r = L.overage(ctx, view)
        n = r.frame["customer_id"].n_unique()
        assert r.kpis["overage_customers"] == n
        assert r.kpis["overage_licenses"] == total(r.frame, "overage")
        assert r.kpis["average_overage"] == (None if n == 0 else pytest.approx(total(r.frame, "overage") / n))
        for fn in LINE_SECTIONS:
            assert fn(ctx, view).frame["customer_id"].n_unique() <= in_view

        # headline: the customers of the Meetings and Calling sections together
        head = L.headline(ctx, view)
        for fn, key in (
            (L.expiring, "expiring_customers"),
            (L.renewing, "renewing_customers"),
            (L.low_allocation, "low_allocation_customers"),
            (L.overage, "overage_customers"),
        ):
            both = set(fn(ctx, View(scope=scope, product="meetings")).frame["customer_id"]) | set(
                fn(ctx, View(scope=scope, product="calling")).frame["customer_id"]
            )
            assert head[key] == len(both) <= head["total_customers"]
        assert head["total_customers"] <= in_view

        q = C.call_queues(ctx, view)
        f = q.frame

        def weighted(average, *counts):
            # the table's per-customer averages, weighted back into one average
            den = sum(total(f, c) for c in counts)
            if den == 0:
                return None
            weights = sum(f[c] for c in counts)
            return pytest.approx(float((f[average].fill_null(0) * weights).sum()) / den)

        assert q.kpis == {
            "average_answer_wait_seconds": weighted("average_answer_wait_seconds", "answered", "overflowed"),
            "average_abandon_wait_seconds": weighted("average_abandon_wait_seconds", "abandoned"),
            "abandon_ratio": share(f, "abandoned", "offered"),
        }
        assert f["customer_id"].n_unique() == f.height <= in_view
        usage = C.calling_usage(ctx, view).frame
        trend = C.calling_usage_trend(ctx, view).frame
        assert trend["calls"][-1] == total(usage, "calls")
        assert trend["active_users"][-1] == total(usage, "active_users")
        quality = C.call_quality(ctx, view).frame
        by_endpoint = C.call_quality_by_endpoint(ctx, view).frame
        assert (
            total(by_endpoint, "calls") == total(quality, "calls") == C.call_quality_trend(ctx, view).frame["calls"][-1]
        )
        assert total(by_endpoint, "poor_calls") == total(quality, "poor_calls")

    check()


@st.composite
def filters(draw):
    return Filters(
        managed_by=tuple(draw(st.sets(st.sampled_from(["partner", "external"]), max_size=2))),
        product=tuple(draw(st.sets(st.sampled_from(["meetings", "calling", "messaging", "webinars"]), max_size=2))),
        status=tuple(draw(st.sets(st.sampled_from(STATUSES), max_size=3))),
        subscription_type=tuple(draw(st.sets(st.sampled_from(["paid", "trial"]), max_size=2))),
        tag=tuple(draw(st.sets(st.sampled_from(["Gold", "KEY", "none"]), max_size=2))),
        q=draw(st.sampled_from(["", "a", "株式", "cust-00", "  LTD  ", "zz"])),
        needs_attention=draw(st.booleans()),
    )


def _expected(full: pl.DataFrame, f: Filters) -> list[str]:
    """The spec's filter rules, read off the exported columns."""

    def has_any(column, values):
        return (
            pl.col(column)
            .str.split(";")
            .list.eval(pl.element().str.to_lowercase().is_in([v.lower() for v in values]))
            .list.any()
        )

    expr = pl.lit(True)
    if f.managed_by:
        expr &= pl.col("managed_by").is_in(list(f.managed_by))
    if f.product:
        expr &= has_any("products", f.product)
    if f.status:
        expr &= has_any("statuses", f.status)
    if f.subscription_type:
        expr &= has_any("subscription_types", f.subscription_type)
    if f.tag:
        expr &= has_any("tags", f.tag)
    if f.q.strip():
        q = f.q.strip().lower()
        expr &= pl.col("customer_name").str.to_lowercase().str.contains(q, literal=True) | pl.col(
            "customer_id"
        ).str.to_lowercase().str.contains(q, literal=True)
    if f.needs_attention:
        expr &= pl.col("needs_attention")
    return full.filter(expr)["customer_id"].to_list()


def test_customer_filters_mean_what_the_spec_says(worlds):
    @PROPS
    @given(
        views(worlds),
        filters(),
        st.sampled_from(["customer_name", "total_licenses", "statuses", "tags"]),
        st.sampled_from(["asc", "desc"]),
    )
    def check(v, f, column, direction):
        ctx, scope, _ = v
        full = customers(ctx, View(scope=scope)).frame
        got = customers(ctx, View(scope=scope, filters=f)).frame
        assert got["customer_id"].to_list() == _expected(full, f)
        # needs_attention is exactly "any of the five statuses"
        attention = {"expiring_soon", "license_overage", "no_recent_activity", "order_ready_for_setup", "suspended"}
        for statuses, flag in zip(full["statuses"], full["needs_attention"]):
            assert flag == bool(attention & set(statuses.split(";")))
        page, n = customers_page(ctx, View(scope=scope, filters=f), [(column, direction)], 0, 10_000)
        assert n == got.height
        assert sorted(page["customer_id"].to_list()) == sorted(got["customer_id"].to_list())

    check()


def test_license_trend_matches_a_direct_reading_of_the_tables(worlds):
    """The precomputed license_weeks table against the spec's words, applied
    to the raw contract tables in Polars."""

    @PROPS
    @given(views(worlds))
    def check(v):
        ctx, scope, product = v
        snap = ctx.snapshot
        subs = snap.frame("SELECT subscription_id, customer_id, start_date, end_date FROM subscriptions")
        lic = snap.frame("SELECT * FROM subscription_licenses").join(subs, on="subscription_id")
        lic = lic.filter((pl.col("product") == product) & pl.col("customer_id").is_in(sorted(scope)))
        usage = snap.frame("SELECT * FROM license_usage")
        got = L.license_trend(ctx, View(scope=scope, product=product)).frame
        assert got.height == 12
        for week_start, total_licenses, assigned, used in got.iter_rows():
            running = lic.filter(
                (pl.col("start_date") <= week_start + timedelta(days=6)) & (pl.col("end_date") >= week_start)
            )
            rows = usage.filter(pl.col("week_start") == week_start).join(
                running.select("subscription_id", "product"), on=["subscription_id", "product"]
            )
            assert (total_licenses, assigned, used) == (
                int(running["licenses"].sum()),
                int(rows["assigned"].sum()),
                int(rows["used"].sum()),
            )

    check()
