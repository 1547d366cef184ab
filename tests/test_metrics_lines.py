"""Per-line facts (metrics.md "Subscription lines"), checked on the snapshot's
`lines` table and through the datasets that show them. Every expected value
is worked out by hand from the rows below (as_of = 2025-06-15)."""

from __future__ import annotations

from datetime import date

import pytest

from partnerhub.metrics.licenses import expiring, low_allocation, overage, recently_added
from partnerhub.metrics.types import View
from tests.test_metrics_support import World, build, d

N = None


@pytest.fixture(scope="module")
def ctx(tmp_path_factory):
    w = World()
    # L1: overage, a 13-week window with gaps, a row 14 weeks back that must not count
    w.customer("C-L1", "Line One")
    w.sub("S-L1", "C-L1")
    w.line("S-L1", "meetings", 10, {0: (12, 7), 1: (9, 8), 5: (11, 9), 12: (13, 13), 13: (20, 20)})
    # L2: no licenses at all -> ratios are null
    w.customer("C-L2", "Line Two")
    w.sub("S-L2", "C-L2")
    w.line("S-L2", "meetings", 0, {0: (3, 1), 1: (3, 1)})
    # L3: no row in the latest week, a row in the previous one
    w.customer("C-L3", "Line Three")
    w.sub("S-L3", "C-L3")
    w.line("S-L3", "meetings", 8, {1: (4, 2)})
    # L4: a row in the latest week, none in the previous one
    w.customer("C-L4", "Line Four")
    w.sub("S-L4", "C-L4")
    w.line("S-L4", "meetings", 8, {0: (4, 2)})
    # L5: no usage rows at all
    w.customer("C-L5", "Line Five")
    w.sub("S-L5", "C-L5")
    w.line("S-L5", "meetings", 6)
    # calendar months: as_of's day (15) before start's day (20) and end's day (10)
    w.customer("C-L6", "Line Six")
    w.sub("S-L6", "C-L6", start=date(2025, 1, 20), end=date(2025, 9, 10), auto_renew=False)
    w.line("S-L6", "meetings", 4, {0: (1, 1)})
    # the same day of month: whole months
    w.customer("C-L7", "Line Seven")
    w.sub("S-L7", "C-L7", start=date(2024, 3, 15), end=date(2026, 6, 15))
    w.line("S-L7", "meetings", 4, {0: (1, 1)})
    # across a year end, start on the 31st
    w.customer("C-L8", "Line Eight")
    w.sub("S-L8", "C-L8", start=date(2024, 12, 31), end=date(2025, 7, 14), auto_renew=False)
    w.line("S-L8", "meetings", 4, {0: (1, 1)})
    # current or not
    w.customer("C-CUR", "Current")
    w.sub("S-START-TODAY", "C-CUR", start=d(0), end=d(100))
    w.sub("S-END-TODAY", "C-CUR", start=d(-100), end=d(0), auto_renew=False)
    w.sub("S-START-TOMORROW", "C-CUR", start=d(1), end=d(100))
    w.sub("S-ENDED-YESTERDAY", "C-CUR", start=d(-100), end=d(-1))
    w.sub("S-EXPIRED", "C-CUR", status="expired", start=d(-100), end=d(100))
    w.sub("S-PENDING", "C-CUR", status="pending_setup", start=d(-1), end=d(100))
    w.sub("S-SUSPENDED", "C-CUR", status="suspended", start=d(-100), end=d(100))
    w.sub("S-TRIAL", "C-CUR", kind="trial", start=d(-5), end=d(25))
    for sid in (
        "S-START-TODAY",
        "S-END-TODAY",
        "S-START-TOMORROW",
        "S-ENDED-YESTERDAY",
        "S-EXPIRED",
        "S-PENDING",
        "S-SUSPENDED",
        "S-TRIAL",
    ):
        w.line(sid, "calling", 1)
    return build(tmp_path_factory.mktemp("lines"), w)


def line(ctx, sid, product="meetings"):
    df = ctx.snapshot.frame("SELECT * FROM lines WHERE subscription_id = $s AND product = $p", {"s": sid, "p": product})
    assert df.height == 1
    return df.row(0, named=True)


def test_latest_week_values_and_overage(ctx):
    r = line(ctx, "S-L1")
    assert (r["total_licenses"], r["assigned"], r["used"], r["available"], r["overage"]) == (10, 12, 7, 0, 2)
    assert r["allocation_ratio"] == pytest.approx(1.2)
    assert r["usage_ratio"] == pytest.approx(0.7)
    assert (r["weekly_allocation_change"], r["weekly_usage_change"]) == (3, -1)


def test_usage_3_months_is_the_13_weeks_ending_with_the_latest(ctx):
    r = line(ctx, "S-L1")
    assert r["usage_3_months"] == 13  # the 20 of 14 weeks back is outside
    assert r["usage_sparkline"] == [13, N, N, N, N, N, N, 9, N, N, N, 8, 7]


def test_zero_licenses_gives_null_ratios(ctx):
    r = line(ctx, "S-L2")
    assert r["allocation_ratio"] is None and r["usage_ratio"] is None
    assert (r["available"], r["overage"]) == (0, 3)


def test_no_latest_row_counts_as_zero_and_still_has_a_change(ctx):
    r = line(ctx, "S-L3")
    assert (r["assigned"], r["used"], r["available"]) == (0, 0, 8)
    assert (r["weekly_allocation_change"], r["weekly_usage_change"]) == (-4, -2)
    assert r["usage_3_months"] == 2


def test_missing_previous_week_gives_null_changes(ctx):
    r = line(ctx, "S-L4")
    assert (r["assigned"], r["used"]) == (4, 2)
    assert r["weekly_allocation_change"] is None and r["weekly_usage_change"] is None


def test_no_usage_at_all(ctx):
    r = line(ctx, "S-L5")
    assert (r["assigned"], r["used"], r["available"], r["usage_3_months"]) == (0, 0, 6, 0)
    assert r["weekly_allocation_change"] is None
    assert r["usage_sparkline"] == [N] * 13


@pytest.mark.parametrize(
    "sid, days_added, days_end, months_added, months_left",
    [
        ("S-L6", 146, 87, 4, 2),  # 2025-01-20 .. 2025-09-10
        ("S-L7", 457, 365, 15, 12),  # 2024-03-15 .. 2026-06-15
        ("S-L8", 166, 29, 5, 0),  # 2024-12-31 .. 2025-07-14
    ],
)
def test_days_and_calendar_months(ctx, sid, days_added, days_end, months_added, months_left):
    r = line(ctx, sid)
    assert (r["days_since_added"], r["days_to_end"], r["months_since_added"], r["months_remaining"]) == (
        days_added,
        days_end,
        months_added,
        months_left,
    )


@pytest.mark.parametrize(
    "sid, current",
    [
        ("S-START-TODAY", True),
        ("S-END-TODAY", True),
        ("S-START-TOMORROW", False),
        ("S-ENDED-YESTERDAY", False),
        ("S-EXPIRED", False),
        ("S-PENDING", True),
        ("S-SUSPENDED", True),
        ("S-TRIAL", True),
    ],
)
def test_current_lines(ctx, sid, current):
    assert line(ctx, sid, "calling")["is_current"] is current


def test_line_columns_reach_the_datasets(ctx):
    # S-L6 ends in 87 days and does not renew: expiring, with its months and days
    exp = expiring(ctx, View())
    row = exp.frame.filter(exp.frame["subscription_id"] == "S-L6").row(0, named=True)
    assert (
        row["days_to_end"],
        row["total_licenses"],
        row["used"],
        row["assigned"],
        row["available"],
        row["usage_3_months"],
    ) == (87, 4, 1, 1, 3, 1)
    ov = overage(ctx, View())
    assert [tuple(r) for r in ov.frame.select("subscription_id", "overage", "allocation_ratio").iter_rows()] == [
        ("S-L2", 3, None),
        ("S-L1", 2, pytest.approx(1.2)),
    ]
    assert recently_added(ctx, View()).frame["subscription_id"].to_list() == []
    assert low_allocation(ctx, View()).frame.columns[:4] == [
        "customer_id",
        "customer_name",
        "subscription_id",
        "months_since_added",
    ]
