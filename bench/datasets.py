"""Every dataset against a hand-written DuckDB query over the precomputed
tables (issue 12: "Dataset computations stay within 1.1× of hand SQL over the
precomputed tables").

Each hand query is what someone would write against the snapshot for the
whole partner (no scope, the Meetings toggle, no list filters, no tags): the
section's rows with every column already computed, in the spec's order. The
KPIs are one statement for the whole /api/v1/kpis body. `compare_datasets`
times product and hand query in the same process, interleaved, median of
`repeat` runs, the product with its result cache cleared before each run.
tests/test_bench_datasets.py checks the hand queries give the product's rows.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from datetime import time as clock

import polars as pl

PRODUCT = "meetings"
ENDPOINTS = "['desk_phone', 'webex_app_desktop', 'webex_app_mobile', 'room_device', 'analog_adapter', 'third_party']"
FEATURES = "['call_queue', 'hunt_group', 'auto_attendant', 'call_park', 'call_pickup', 'voicemail', 'call_recording', 'paging']"


def _div(num: str, den: str) -> str:
    return f"CASE WHEN ({den}) <> 0 THEN ({num})::DOUBLE / ({den})::DOUBLE END"


# ---- the section rules, written out as metrics.md gives them -------------------------------------

RECENT = "is_current AND start_date BETWEEN $as_of - 90 AND $as_of"
EXPIRING = "is_current AND NOT auto_renew AND end_date BETWEEN $as_of AND $as_of + 90"
RENEWING = "is_current AND auto_renew AND end_date BETWEEN $as_of AND $as_of + 90"
LOW = (
    "is_current AND total_licenses >= 1 AND start_date <= $low_age_cutoff "
    "AND allocation_ratio < $low_factor * peer_baseline"
)
OVERAGE = "is_current AND assigned > total_licenses"

WINDOW = (
    "customer_id, customer_name, subscription_id, days_to_end, total_licenses, used, assigned, available, "
    "usage_3_months, usage_sparkline, kind, status"
)

HAND_SQL: dict[str, str] = {
    "customers": """
        WITH f AS (
            SELECT *, coalesce(next_end_without_renewal <= $soon_end, false) AS soon,
                   (last_admin_sign_in IS NULL OR last_admin_sign_in < $activity_cutoff) AS quiet
            FROM customer_facts
        )
        SELECT customer_id, customer_name, managed_by,
               concat_ws(';', CASE WHEN has_active_trial THEN 'trial' END,
                              CASE WHEN has_active_paid THEN 'subscription' END,
                              CASE WHEN soon THEN 'expiring_soon' END,
                              CASE WHEN has_overage THEN 'license_overage' END,
                              CASE WHEN quiet THEN 'no_recent_activity' END,
                              CASE WHEN has_pending_setup THEN 'order_ready_for_setup' END,
                              CASE WHEN has_suspended THEN 'suspended' END,
                              CASE WHEN is_expired THEN 'expired' END) AS statuses,
               (soon OR has_overage OR quiet OR has_pending_setup OR has_suspended) AS needs_attention,
               products, subscription_types, '' AS tags, total_licenses, assigned, used, last_admin_sign_in,
               health_score, health_band
        FROM f LEFT JOIN (SELECT customer_id, health_score, health_band FROM customer_health) USING (customer_id)
        ORDER BY customer_name, customer_id
    """,
    "license_trend": """
        SELECT week_start, sum(total_licenses)::BIGINT AS total_licenses, sum(assigned)::BIGINT AS assigned,
               sum(used)::BIGINT AS used
        FROM license_weeks WHERE product = $product GROUP BY week_start ORDER BY week_start
    """,
    "recently_added": f"""
        SELECT customer_id, customer_name, subscription_id, days_since_added, total_licenses, used, assigned,
               available, weekly_allocation_change, weekly_usage_change
        FROM lines WHERE product = $product AND {RECENT}
        ORDER BY days_since_added, customer_name, customer_id, subscription_id
    """,
    "expiring": f"""
        SELECT {WINDOW} FROM lines WHERE product = $product AND {EXPIRING}
        ORDER BY days_to_end, customer_name, customer_id, subscription_id
    """,
    "renewing": f"""
        SELECT {WINDOW} FROM lines WHERE product = $product AND {RENEWING}
        ORDER BY days_to_end, customer_name, customer_id, subscription_id
    """,
    "low_allocation": f"""
        SELECT customer_id, customer_name, subscription_id, months_since_added, assigned, allocation_ratio,
               total_licenses, used, available, weekly_allocation_change, peer_baseline
        FROM lines WHERE product = $product AND {LOW}
        ORDER BY allocation_ratio, customer_name, customer_id, subscription_id
    """,
    "overage": f"""
        SELECT customer_id, customer_name, subscription_id, months_remaining, auto_renew, total_licenses,
               assigned, allocation_ratio, used, usage_ratio, overage
        FROM lines WHERE product = $product AND {OVERAGE}
        ORDER BY overage DESC, customer_name, customer_id, subscription_id
    """,
    "calling_usage_trend": """
        SELECT week_start, sum(active_users)::BIGINT AS active_users,
               sum(inactive_users)::BIGINT AS inactive_users, sum(calls)::BIGINT AS calls
        FROM calling_weeks GROUP BY week_start ORDER BY week_start
    """,
    "calling_usage": """
        SELECT customer_id, customer_name, licensed_users, active_users, active_ratio, calls, minutes,
               active_users_change_ratio, calls_trend, calls_sparkline
        FROM calling_customers ORDER BY calls DESC, customer_name, customer_id
    """,
    "call_quality_trend": f"""
        SELECT week_start, sum(quality_calls)::BIGINT AS calls, sum(poor_calls)::BIGINT AS poor_calls,
               {_div("sum(poor_calls)", "sum(quality_calls)")} AS poor_ratio
        FROM calling_weeks GROUP BY week_start ORDER BY week_start
    """,
    "call_quality_by_endpoint": f"""
        SELECT endpoint_type, sum(calls)::BIGINT AS calls, sum(poor_calls)::BIGINT AS poor_calls,
               {_div("sum(poor_calls)", "sum(calls)")} AS poor_ratio
        FROM call_quality_endpoints GROUP BY endpoint_type
        ORDER BY list_position({ENDPOINTS}, endpoint_type)
    """,
    "call_quality": """
        SELECT customer_id, customer_name, calls, poor_calls, poor_ratio, poor_ratio_change, worst_endpoint_type
        FROM call_quality_customers
        ORDER BY poor_calls DESC NULLS LAST, poor_ratio DESC NULLS LAST, customer_name, customer_id
    """,
    "calling_features": f"""
        SELECT feature, sum(calls)::BIGINT AS calls FROM calling_feature_calls
        GROUP BY feature ORDER BY calls DESC, list_position({FEATURES}, feature)
    """,
    "call_queues": f"""
        SELECT customer_id, customer_name, queues, offered, answered, abandoned, overflowed,
               {_div("answer_wait_seconds", "answered + overflowed")} AS average_answer_wait_seconds,
               {_div("abandon_wait_seconds", "abandoned")} AS average_abandon_wait_seconds,
               {_div("abandoned", "offered")} AS abandon_ratio
        FROM call_queue_customers ORDER BY abandoned DESC, abandon_ratio DESC NULLS LAST, customer_name, customer_id
    """,
    "customer_health": """
        SELECT customer_id, customer_name, health_score, health_band, reasons, licenses, allocation_score,
               usage_score, usage_trend_score, engagement_score, call_quality_score, renewal_score, assigned, used,
               recent_used, earlier_used, days_since_sign_in, calls, poor_calls, renewal_days, renewal_kind,
               renewal_end_date
        FROM customer_health ORDER BY health_score, licenses DESC, customer_name, customer_id
    """,
}


def _section_kpis(name: str, rule: str, sums: str) -> str:
    return f"{name} AS (SELECT count(DISTINCT customer_id) AS customers, {sums} FROM m WHERE {rule})"


_LICENSES = "sum(total_licenses) AS licenses, sum(assigned) AS assigned, sum(used) AS used"

KPIS_SQL = f"""
WITH m AS (SELECT * FROM lines WHERE product = $product),
per_customer AS (
    SELECT customer_id, bool_or(is_current) AS c, bool_or(coalesce({EXPIRING}, false)) AS e,
           bool_or(coalesce({RENEWING}, false)) AS r, bool_or(coalesce({LOW}, false)) AS lo,
           bool_or(coalesce({OVERAGE}, false)) AS o
    FROM lines WHERE product IN ('meetings', 'calling') GROUP BY customer_id
),
head AS (SELECT count(*) FILTER (WHERE c) AS total_customers, count(*) FILTER (WHERE e) AS expiring_customers,
                count(*) FILTER (WHERE r) AS renewing_customers, count(*) FILTER (WHERE lo) AS low_customers,
                count(*) FILTER (WHERE o) AS overage_customers FROM per_customer),
{_section_kpis("rec", RECENT, "sum(total_licenses) AS licenses")},
{_section_kpis("exp", EXPIRING, _LICENSES)},
{_section_kpis("ren", RENEWING, _LICENSES)},
{_section_kpis("low", LOW, _LICENSES + ", sum(available) AS available")},
{_section_kpis("ov", OVERAGE, "sum(overage) AS overage")},
q AS (SELECT sum(answer_wait_seconds) AS answer_wait, sum(answered + overflowed) AS waited,
             sum(abandon_wait_seconds) AS abandon_wait, sum(abandoned) AS abandoned, sum(offered) AS offered
      FROM call_queue_customers)
SELECT head.*,
       rec.customers, coalesce(rec.licenses, 0),
       exp.customers, {_div("exp.assigned", "exp.licenses")}, {_div("exp.used", "exp.licenses")},
       ren.customers, {_div("ren.assigned", "ren.licenses")}, {_div("ren.used", "ren.licenses")},
       low.customers, {_div("low.assigned", "low.licenses")}, {_div("low.used", "low.licenses")},
       coalesce(low.available, 0),
       ov.customers, coalesce(ov.overage, 0), {_div("ov.overage", "ov.customers")},
       {_div("q.answer_wait", "q.waited")}, {_div("q.abandon_wait", "q.abandoned")}, {_div("q.abandoned", "q.offered")}
FROM head, rec, exp, ren, low, ov, q
"""


HEALTH_KPIS_SQL = """
SELECT count(*), count(*) FILTER (WHERE health_band = 'at_risk'), count(*) FILTER (WHERE health_band = 'watch'),
       count(*) FILTER (WHERE health_band = 'healthy'), avg(health_score),
       coalesce(sum(licenses) FILTER (WHERE health_band = 'at_risk'), 0)::BIGINT
FROM customer_health
"""


def _params(ctx) -> dict:
    as_of = ctx.as_of
    s = ctx.settings
    midnight = datetime.combine(as_of, clock(0), tzinfo=UTC)
    return {
        "as_of": as_of,
        "product": PRODUCT,
        "low_age_cutoff": as_of - timedelta(days=s.low_allocation_min_age_days),
        "low_factor": float(s.low_allocation_factor),
        "soon_end": as_of + timedelta(days=s.expiring_soon_days),
        "activity_cutoff": midnight - timedelta(days=s.no_recent_activity_days),
    }


def _bound(sql: str, params: dict) -> dict:
    """Only the parameters the statement names (DuckDB refuses extra ones)."""
    return {k: v for k, v in params.items() if f"${k}" in sql}


def hand_frame(ctx, name: str) -> pl.DataFrame:
    """The hand-written query's rows for one dataset."""
    sql = HAND_SQL[name]
    return ctx.snapshot.frame(sql, _bound(sql, _params(ctx)))


def hand_kpis(ctx) -> dict:
    """The /api/v1/kpis body for every area, from one hand-written statement."""
    row = ctx.snapshot.rows(KPIS_SQL, _bound(KPIS_SQL, _params(ctx)))[0]
    total, expiring, renewing, low, overage, *v = row
    health = ctx.snapshot.rows(HEALTH_KPIS_SQL)[0]
    return {
        "as_of": ctx.as_of.isoformat(),
        "product": PRODUCT,
        "headline": {
            "total_customers": total,
            "expiring_customers": expiring,
            "renewing_customers": renewing,
            "low_allocation_customers": low,
            "overage_customers": overage,
        },
        "recently_added": {"new_customers": v[0], "total_licenses": int(v[1])},
        "expiring": {"expiring_customers": v[2], "allocation_ratio": v[3], "usage_ratio": v[4]},
        "renewing": {"renewing_customers": v[5], "allocation_ratio": v[6], "usage_ratio": v[7]},
        "low_allocation": {
            "low_allocation_customers": v[8],
            "allocation_ratio": v[9],
            "assigned_usage_ratio": v[10],
            "unassigned_licenses": int(v[11]),
        },
        "overage": {"overage_customers": v[12], "overage_licenses": int(v[13]), "average_overage": v[14]},
        "call_queues": {
            "average_answer_wait_seconds": v[15],
            "average_abandon_wait_seconds": v[16],
            "abandon_ratio": v[17],
        },
        "health": dict(
            zip(
                (
                    "scored_customers",
                    "at_risk_customers",
                    "watch_customers",
                    "healthy_customers",
                    "average_health_score",
                    "licenses_at_risk",
                ),
                health,
                strict=True,
            )
        ),
    }


def _interleaved(product: Callable[[], object], hand: Callable[[], object], repeat: int) -> tuple[float, float]:
    """Median ms of each, run alternately so both see the same machine."""
    a: list[float] = []
    b: list[float] = []
    for _ in range(repeat):
        for fn, runs in ((product, a), (hand, b)):
            t = time.perf_counter()
            fn()
            runs.append((time.perf_counter() - t) * 1000)
    return statistics.median(a), statistics.median(b)


def compare_datasets(ctx, repeat: int = 5) -> list[dict]:
    """{dataset, product_ms, hand_ms, ratio, rows} for every dataset of
    DATASETS and for the KPIs (all areas), at the whole-partner view."""
    from partnerhub.metrics import cache
    from partnerhub.metrics.datasets import DATASETS, kpis
    from partnerhub.metrics.types import View

    view = View(product=PRODUCT)

    def uncached(fn, *args):
        cache.clear()
        return fn(*args)

    out = []
    for name, ds in DATASETS.items():

        def product(fn=ds.fn):
            return uncached(fn, ctx, view)

        def hand(name=name):
            return hand_frame(ctx, name)

        hand()  # both warm before timing: file pages, plans
        rows = product().frame.height
        p, h = _interleaved(product, hand, repeat)
        out.append({"dataset": name, "product_ms": p, "hand_ms": h, "ratio": p / h if h else None, "rows": rows})
    areas = {"customers", "analytics", "calling"}
    uncached(kpis, ctx, view, areas)
    hand_kpis(ctx)
    p, h = _interleaved(lambda: uncached(kpis, ctx, view, areas), lambda: hand_kpis(ctx), repeat)
    out.append({"dataset": "kpis", "product_ms": p, "hand_ms": h, "ratio": p / h if h else None, "rows": 1})
    return out


def main() -> None:
    """`python -m bench.datasets HOME`: the comparison over HOME's current snapshot."""
    import sys
    from pathlib import Path

    from partnerhub.data.settings import load_settings
    from partnerhub.data.snapshots import SnapshotStore
    from partnerhub.data.state import StateStore
    from partnerhub.metrics.types import Context

    home = Path(sys.argv[1])
    repeat = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    snap = SnapshotStore(home / "snapshots").current()
    assert snap is not None, f"no snapshot in {home}"
    ctx = Context(snap, StateStore(f"sqlite:///{home}/state.sqlite"), load_settings(home=home))
    print(f"  {'dataset':26} {'product ms':>10} {'hand ms':>8} {'ratio':>6} {'rows':>8}")
    for r in compare_datasets(ctx, repeat):
        print(f"  {r['dataset']:26} {r['product_ms']:10.1f} {r['hand_ms']:8.1f} {r['ratio']:6.2f} {r['rows']:8,}")


if __name__ == "__main__":
    main()
