"""Demo data in the public import format (spec/data-contract.md).

`generate(out_dir, ...)` writes one file per table of the contract, exactly its
columns and types, into `out_dir`. The same (customers, weeks, seed, as_of,
fmt) always gives byte-identical files: one `numpy.random.default_rng(seed)`
drives every draw, in a fixed order, over arrays whose sizes depend only on the
parameters; the wall clock is read only for the default `as_of`.

`build()` runs the steps below in that fixed order; each step draws what its
table needs and hands the arrays on to the later ones (a subscription's lines
need its dates, the calling tables need the calling lines' weekly usage):

    customer traits -> subscription terms -> subscription lines
    -> weekly license usage -> customers -> orders -> invoices
    -> calling habits -> calling usage -> call quality -> calling features
    -> call queues -> partner admins -> customer admins

so a change in one step changes every later table: the order of the draws is
part of the output (tests/test_generator.py pins it).

Everything is vectorised (numpy repeat / cumsum, Polars gather and
concat_str): 100 000 customers over 52 weeks (about 10 M license_usage rows)
take well under a minute.

The first customers are fixed *archetypes* (data/generator_archetypes.py) so
every section of the dashboard has something to show at any size of 200
customers or more (most sections at much smaller sizes too). The rest are
random, drawn to look like a reseller's book of business: long-tailed license
counts, Japanese and English company names (data/generator_words.py),
allocation drifting up and down week by week, calling that dips over the
year-end holidays and in August.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import numpy as np
import polars as pl

from .contract import ENDPOINT_TYPES, FEATURES, PRODUCTS, ROLES, TABLES
from .generator_archetypes import ARCHETYPES, Archetype
from .generator_words import (
    ADMIN_FIRST_NAMES,
    ADMIN_LAST_NAMES,
    EN_COMPANY_NAMES,
    EN_COMPANY_SUFFIXES,
    EN_COMPANY_TRADES,
    JP_COMPANY_FORMS,
    JP_COMPANY_NAMES,
    JP_COMPANY_TRADES,
    ORDER_DESCRIPTIONS,
    QUEUE_NAMES_EN,
    QUEUE_NAMES_JP,
)

__all__ = ["DEMO_USERS", "SCHEMAS", "TABLE_NAMES", "build", "generate", "latest_sunday"]

DEMO_USERS: dict[str, tuple[str, str]] = {  # email -> (name, role); one per role of roles.md
    "full.admin@demo.example": ("Fiona Full", "partner_full_admin"),
    "admin@demo.example": ("Adam Admin", "partner_admin"),
    "readonly@demo.example": ("Rita Readonly", "partner_readonly_admin"),
    "sales.full@demo.example": ("Sam SalesFull", "sales_full_admin"),
    "sales@demo.example": ("Sara Sales", "sales_admin"),
}

_POLARS_TYPES: dict[str, pl.DataType] = {
    "id": pl.Utf8(),
    "name": pl.Utf8(),
    "enum": pl.Utf8(),
    "email": pl.Utf8(),
    "currency": pl.Utf8(),
    "date": pl.Date(),
    "sunday": pl.Date(),
    "timestamp": pl.Datetime("us", "UTC"),
    "bool": pl.Boolean(),
    "int": pl.Int64(),
    "decimal": pl.Float64(),
}
TABLE_NAMES: tuple[str, ...] = tuple(t.name for t in TABLES)
# table -> {column: polars type}, in the contract's column order
SCHEMAS: dict[str, dict[str, pl.DataType]] = {
    t.name: {c.name: _POLARS_TYPES[c.type] for c in t.columns} for t in TABLES
}

_EPOCH = date(1970, 1, 1)
_STATUSES = ("active", "pending_setup", "suspended", "expired")
_ACTIVE, _PENDING, _SUSPENDED, _EXPIRED = range(4)
_MEETINGS, _CALLING = PRODUCTS.index("meetings"), PRODUCTS.index("calling")
_CURRENCIES = ("USD", "EUR", "GBP", "JPY")
_JPY = _CURRENCIES.index("JPY")
_PRICE = np.array([14.0, 13.0, 11.5, 2100.0])  # per license per month, by currency
_ORDER_TYPES = tuple(ORDER_DESCRIPTIONS)
_INVOICE_STATUSES = ("paid", "open", "overdue")
_MAX_QUEUES = 5  # call queues per customer

# share of calls per endpoint type / feature (in the contract's order), and how
# often a customer uses it
_ENDPOINT_USED = np.array([0.7, 0.9, 0.8, 0.3, 0.15, 0.1])
_ENDPOINT_POOR = np.array([0.008, 0.015, 0.035, 0.01, 0.03, 0.05])
_FEATURE_USED = np.array([0.0, 0.4, 0.5, 0.2, 0.25, 0.9, 0.2, 0.1])  # call_queue: customers with queues
_FEATURE_SHARE = np.array([0.3, 0.08, 0.2, 0.02, 0.03, 0.12, 0.15, 0.01])


def latest_sunday(today: date) -> date:
    """The Sunday on or before `today`."""
    return today - timedelta(days=(today.weekday() + 1) % 7)


def generate(
    out_dir: Path, customers: int = 500, weeks: int = 26, seed: int = 1, as_of: date | None = None, fmt: str = "parquet"
) -> dict[str, int]:
    """Writes a demo dataset into `out_dir` (created if needed), one
    `<table>.parquet` or `<table>.csv` per table; returns {table: rows}.

    `as_of` (a Sunday; default: the latest Sunday, UTC) is the dataset's as_of:
    license_usage covers the `weeks` weeks with week_start from
    as_of - 7*weeks to as_of - 7.
    """
    if as_of is None:
        as_of = latest_sunday(datetime.now(UTC).date())
    if isinstance(as_of, datetime):
        raise TypeError("as_of must be a date")
    if as_of.weekday() != 6:
        raise ValueError(f"as_of must be a Sunday, not {as_of.isoformat()}")
    if fmt not in ("parquet", "csv"):
        raise ValueError(f"fmt must be 'parquet' or 'csv', not {fmt!r}")
    if customers < 1 or weeks < 1:
        raise ValueError("customers and weeks must be at least 1")
    tables = build(customers, weeks, seed, as_of)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    counts = {}
    for name in TABLE_NAMES:
        df = tables[name]
        other = out_dir / f"{name}.{'csv' if fmt == 'parquet' else 'parquet'}"
        if other.exists():  # never leave both formats of a table
            other.unlink()
        path = out_dir / f"{name}.{fmt}"
        if fmt == "parquet":
            df.write_parquet(path, compression="zstd", statistics=True)
        else:
            # `%.f`: a fraction of a second only when there is one
            df.write_csv(path, date_format="%Y-%m-%d", datetime_format="%Y-%m-%dT%H:%M:%S%.fZ")
        counts[name] = df.height
    return counts


def build(customers: int, weeks: int, seed: int, as_of: date) -> dict[str, pl.DataFrame]:
    """The tables as Polars frames with the contract's columns and types.

    The steps draw from one generator in this order; see the module docstring.
    """
    rng = np.random.default_rng(seed)
    calendar = _Calendar(as_of_day=(as_of - _EPOCH).days, weeks=int(weeks))
    traits = _customer_traits(rng, int(customers))
    terms = _subscription_terms(rng, traits)
    lines = _subscription_lines(rng, traits, terms)
    usage = _weekly_license_usage(rng, terms, lines, calendar)
    ids = _Ids.number(traits, terms)

    licenses_df = _subscription_licenses_table(lines, ids)
    tables = {
        "customers": _customers_table(rng, traits, terms, ids, calendar),
        "subscriptions": _subscriptions_table(terms, ids, calendar),
        "subscription_licenses": licenses_df,
        "license_usage": _license_usage_table(usage, licenses_df, calendar),
        "orders": _orders_table(rng, terms, ids, calendar),
        "invoices": _invoices_table(rng, traits, terms, lines, ids, calendar),
    }
    calling = _CallingWeeks.of(lines, usage, ids, calendar)
    habits = _calling_habits(rng, traits)
    calls = _weekly_calls(rng, calling, habits, calendar)
    tables["calling_usage"] = _calling_usage_table(calling, calls)
    tables["call_quality"] = _call_quality_table(rng, calling, habits, calls)
    tables["calling_features"] = _calling_features_table(rng, calling, habits, calls)
    tables["call_queues"] = _call_queues_table(rng, traits, calling, habits, calls)
    other_admins = _other_partner_admins()
    tables["partner_admins"] = _partner_admins_table(rng, other_admins)
    tables["customer_admins"] = _customer_admins_table(rng, traits, other_admins, ids)
    # exactly the contract's columns, order and types
    return {name: tables[name].select([pl.col(c).cast(t) for c, t in SCHEMAS[name].items()]) for name in TABLE_NAMES}


# ---- shared shapes -------------------------------------------------------------------------


@dataclass(frozen=True)
class _Calendar:
    """Days are counted from the epoch; "offsets" are relative to as_of.
    Week w (0 .. weeks-1) starts at as_of - 7*(weeks - w)."""

    as_of_day: int
    weeks: int

    def season(self) -> np.ndarray:
        """Relative calling volume of each week."""
        week_start_days = self.as_of_day - 7 * (self.weeks - np.arange(self.weeks))
        return np.array([_season(_EPOCH + timedelta(days=int(d) + 3)) for d in week_start_days])


@dataclass
class _CustomerTraits:
    """One entry per customer; the first `len(archetypes)` are the archetypes."""

    archetypes: tuple[Archetype, ...]
    jp: np.ndarray  # Japanese name, JPY, Japanese queue names
    external: np.ndarray  # managed_by = external
    size: np.ndarray  # typical licenses per line
    currency: np.ndarray  # index into _CURRENCIES
    signin_days: np.ndarray  # days before as_of of the last admin sign-in
    signin_null: np.ndarray  # never signed in

    @property
    def count(self) -> int:
        return len(self.jp)

    @property
    def fixed(self) -> int:
        return len(self.archetypes)

    @property
    def random(self) -> int:
        return self.count - self.fixed


@dataclass
class _SubscriptionTerms:
    """One entry per subscription, ordered by customer; day offsets from as_of."""

    customer: np.ndarray
    trial: np.ndarray
    status: np.ndarray  # index into _STATUSES
    start: np.ndarray
    end: np.ndarray
    auto_renew: np.ndarray

    @property
    def count(self) -> int:
        return len(self.customer)


@dataclass
class _SubscriptionLines:
    """One entry per (subscription, product), ordered by subscription then product."""

    subscription: np.ndarray
    product: np.ndarray  # index into PRODUCTS
    customer: np.ndarray
    licenses: np.ndarray
    target: np.ndarray  # allocation ratio in the latest week
    usage_ratio: np.ndarray  # used / assigned, before the season
    slope: np.ndarray  # weekly drift of the allocation ratio
    walk_sd: np.ndarray  # weekly random step of the allocation ratio
    drop_latest: np.ndarray  # no license_usage row in the latest week
    drop_previous: np.ndarray  # ... in the previous week

    @property
    def count(self) -> int:
        return len(self.subscription)


@dataclass
class _WeeklyUsage:
    """One entry per license_usage row: a live (line, week)."""

    line: np.ndarray
    week: np.ndarray  # 0 .. weeks-1
    week_offset: np.ndarray  # week_start - as_of, in days
    assigned: np.ndarray
    used: np.ndarray


@dataclass
class _Ids:
    customer_id: pl.Series
    subscription_id: pl.Series

    @staticmethod
    def number(traits: _CustomerTraits, terms: _SubscriptionTerms) -> _Ids:
        """CUST-000001 …; SUB-0000001 … or TRIAL-0000001 …, one sequence for both."""
        sub_num = pl.Series(np.arange(1, terms.count + 1, dtype=np.int64)).cast(pl.Utf8).str.zfill(7)
        subscription_id = (
            pl.DataFrame({"n": sub_num, "t": pl.Series(terms.trial)})
            .select(pl.concat_str([pl.when(pl.col("t")).then(pl.lit("TRIAL-")).otherwise(pl.lit("SUB-")), pl.col("n")]))
            .to_series()
        )
        return _Ids(_numbered("CUST-", traits.count, 6), subscription_id)


# ---- small helpers -------------------------------------------------------------------------


def _season(d: date) -> float:
    """Relative calling volume of the week whose middle is `d`."""
    m, day = d.month, d.day
    if (m == 12 and day >= 24) or (m == 1 and day <= 3):
        return 0.45
    if (m == 12 and day >= 17) or (m == 1 and day <= 10):
        return 0.8
    if m == 8 and 10 <= day <= 18:  # Obon
        return 0.62
    if m == 8:
        return 0.82
    if (m == 4 and day >= 29) or (m == 5 and day <= 6):  # Golden Week
        return 0.85
    return 1.0


def _pick(words, idx: np.ndarray) -> pl.Series:
    return pl.Series(list(words), dtype=pl.Utf8).gather(pl.Series(idx.astype(np.int64)))


def _dates(days: np.ndarray) -> pl.Series:
    return pl.Series(days.astype(np.int32)).cast(pl.Date)


def _numbered(prefix: str, n: int, width: int, start: int = 1) -> pl.Series:
    s = pl.Series(np.arange(start, start + n, dtype=np.int64)).cast(pl.Utf8).str.zfill(width)
    return (prefix + s) if n else pl.Series([], dtype=pl.Utf8)


def _expand(owner: np.ndarray, counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each base row i repeated counts[owner[i]] times: (base row, index within)."""
    k = counts[owner]
    base = np.repeat(np.arange(len(owner)), k)
    ends = np.cumsum(k)
    within = np.arange(ends[-1] if len(ends) else 0) - np.repeat(ends - k, k)
    return base, within


def _expand_mask(owner: np.ndarray, mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each base row i repeated once per True of mask[owner[i]]: (base row, column)."""
    counts = mask.sum(axis=1)
    cols = np.nonzero(mask)[1]
    first = np.cumsum(counts) - counts
    base, within = _expand(owner, counts)
    return base, cols[first[owner[base]] + within]


def _company_names(rng, n: int, jp: np.ndarray) -> pl.Series:
    """Company names: "Northwind Logistics Ltd" or "株式会社さくら物流"."""
    form = rng.integers(0, len(JP_COMPANY_FORMS), n)
    parts = pl.DataFrame(
        {
            "a": _pick(EN_COMPANY_NAMES, rng.integers(0, len(EN_COMPANY_NAMES), n)),
            "b": _pick(EN_COMPANY_TRADES, rng.integers(0, len(EN_COMPANY_TRADES), n)),
            "c": _pick(EN_COMPANY_SUFFIXES, rng.integers(0, len(EN_COMPANY_SUFFIXES), n)),
            "ja": _pick(JP_COMPANY_NAMES, rng.integers(0, len(JP_COMPANY_NAMES), n)),
            "jb": _pick(JP_COMPANY_TRADES, rng.integers(0, len(JP_COMPANY_TRADES), n)),
            "pre": _pick([f[0] for f in JP_COMPANY_FORMS], form),
            "post": _pick([f[1] for f in JP_COMPANY_FORMS], form),
            "jp": pl.Series(jp),
        }
    )
    return parts.select(
        pl.when(pl.col("jp"))
        .then(pl.concat_str([pl.col("pre"), pl.col("ja"), pl.col("jb"), pl.col("post")]))
        .otherwise(pl.concat_str([pl.col("a"), pl.lit(" "), pl.col("b"), pl.col("c")]))
        .alias("name")
    ).to_series()


# ---- customers and their subscriptions -----------------------------------------------------


def _customer_traits(rng, n: int) -> _CustomerTraits:
    archetypes = ARCHETYPES[:n]
    jp = rng.random(n) < 0.45
    external = rng.random(n) < 0.3
    size = np.exp(rng.normal(np.log(14.0), 0.95, n))
    whale = rng.random(n) < 0.006
    size = size * np.where(whale, rng.uniform(10.0, 60.0, n), 1.0)
    currency = np.where(jp, _JPY, rng.choice(3, n, p=[0.55, 0.25, 0.2]))
    signin_days = np.where(rng.random(n) < 0.75, rng.exponential(4.0, n), rng.uniform(20.0, 400.0, n))
    signin_null = rng.random(n) < 0.07
    for i, a in enumerate(archetypes):
        jp[i] = a.japanese
        external[i] = a.managed_by == "external"
        currency[i] = _JPY if a.japanese else (0, 1, 2)[i % 3]
        signin_null[i] = a.signin_days_ago is None
        signin_days[i] = a.signin_days_ago if a.signin_days_ago is not None else 0.0
    return _CustomerTraits(archetypes, jp, external, size, currency, signin_days, signin_null)


def _subscription_terms(rng, traits: _CustomerTraits) -> _SubscriptionTerms:
    """The archetypes' subscriptions, then 1-3 random ones per other customer."""
    na, nr = traits.fixed, traits.random
    n_subs = rng.choice(np.array([1, 2, 3]), nr, p=[0.62, 0.28, 0.10])
    n = int(n_subs.sum())
    r_cust = np.repeat(np.arange(na, traits.count), n_subs)
    r_rank = np.arange(n) - np.repeat(np.cumsum(n_subs) - n_subs, n_subs)
    r_trial = (r_rank == 0) & (rng.random(n) < 0.09)
    term = rng.choice(np.array([365, 730, 1095]), n, p=[0.6, 0.15, 0.25])
    # days since start_date: some recent, most up to 4 years (renewed since: the
    # end_date is that of the current term)
    age = np.where(rng.random(n) < 0.12, rng.integers(0, 91, n), rng.integers(0, 1461, n))
    gone = rng.random(n) < 0.13
    gone_end = -rng.integers(1, 500, n)
    gone_terms = rng.choice(np.array([1, 1, 1, 2]), n)
    u_status = rng.random(n)
    pending_age = rng.integers(0, 21, n)
    r_auto = rng.random(n) < 0.62
    t_dur = rng.choice(np.array([30, 60, 90]), n)
    t_gone = rng.random(n) < 0.3
    t_age = (rng.random(n) * (t_dur + 1)).astype(np.int64)
    t_end_gone = -rng.integers(1, 300, n)

    r_status = np.full(n, _ACTIVE, dtype=np.int8)
    r_status[u_status < 0.055] = _SUSPENDED
    r_status[u_status < 0.03] = _PENDING
    age = np.where(r_status == _PENDING, pending_age, age)
    r_start = -age
    r_end = r_start + term * (age // term + 1)
    r_start = np.where(gone, gone_end - term * gone_terms, r_start)
    r_end = np.where(gone, gone_end, r_end)
    r_status[gone] = _EXPIRED
    r_auto &= ~gone
    # trials
    tr_start = np.where(t_gone, t_end_gone - t_dur, -t_age)
    r_start = np.where(r_trial, tr_start, r_start)
    r_end = np.where(r_trial, tr_start + t_dur, r_end)
    r_status = np.where(r_trial, np.where(t_gone, _EXPIRED, _ACTIVE), r_status).astype(np.int8)
    r_auto &= ~r_trial

    fixed = [s for a in traits.archetypes for s in a.subscriptions]
    per_archetype = [len(a.subscriptions) for a in traits.archetypes]
    return _SubscriptionTerms(
        customer=np.concatenate([np.repeat(np.arange(na), per_archetype), r_cust]).astype(np.int64),
        trial=np.concatenate([np.array([s.kind == "trial" for s in fixed], bool), r_trial]),
        status=np.concatenate([np.array([_STATUSES.index(s.status) for s in fixed], np.int8), r_status]),
        start=np.concatenate([np.array([s.start for s in fixed], np.int64), r_start]),
        end=np.concatenate([np.array([s.end for s in fixed], np.int64), r_end]),
        auto_renew=np.concatenate([np.array([s.auto_renew for s in fixed], bool), r_auto]),
    )


def _subscription_lines(rng, traits: _CustomerTraits, terms: _SubscriptionTerms) -> _SubscriptionLines:
    """Which products each subscription holds, its licenses and how its
    allocation behaves week by week."""
    fixed = [s for a in traits.archetypes for s in a.subscriptions]
    r_trial = terms.trial[len(fixed) :]
    p_paid = np.array([0.85, 0.2, 0.12, 0.08, 0.04, 0.03])
    p_trial = np.array([0.85, 0.4, 0.1, 0.1, 0.05, 0.05])
    has = rng.random((len(r_trial), len(PRODUCTS))) < np.where(r_trial[:, None], p_trial, p_paid)
    has[~has.any(axis=1), _MEETINGS] = True
    a_has = np.zeros((len(fixed), len(PRODUCTS)), bool)
    for j, s in enumerate(fixed):
        for p in s.lines:
            a_has[j, PRODUCTS.index(p)] = True
    line_sub, line_prod = np.nonzero(np.vstack([a_has, has]))
    n = len(line_sub)
    line_cust = terms.customer[line_sub]

    factor = np.select(
        [line_prod == _MEETINGS, line_prod == _CALLING, line_prod == PRODUCTS.index("messaging")],
        [rng.uniform(0.8, 1.1, n), rng.uniform(0.3, 0.9, n), rng.uniform(0.8, 1.2, n)],
        rng.uniform(0.05, 0.25, n),
    )
    lic = np.maximum(1, np.rint(traits.size[line_cust] * factor)).astype(np.int64)
    nice = rng.random(n) < 0.5
    lic = np.where(nice & (lic > 20), np.rint(lic / 5) * 5, lic)
    lic = np.where(nice & (lic > 500), np.rint(lic / 50) * 50, lic)
    lic = np.where(terms.trial[line_sub], rng.integers(1, 101, n), lic)
    lic = np.where(rng.random(n) < 0.001, 0, lic).astype(np.int64)

    target = np.where(lic <= 10, rng.beta(8.0, 1.5, n), rng.beta(6.0, 2.0, n))
    u_kind = rng.random(n)
    target = np.where(u_kind < 0.04, rng.uniform(0.01, 0.2, n), target)  # low
    target = np.where((u_kind > 0.97) & (lic >= 3), rng.uniform(1.05, 1.4, n), target)  # overage
    target = np.where(terms.trial[line_sub], rng.uniform(0.1, 0.9, n), target)
    target = np.where(terms.status[line_sub] == _PENDING, 0.0, target)
    uratio = np.where(terms.trial[line_sub], rng.beta(3.0, 3.0, n), rng.beta(7.0, 2.0, n))
    slope = rng.normal(0.0, 0.004, n)
    walk_sd = rng.uniform(0.005, 0.02, n)
    drop_latest = rng.random(n) < 0.01
    drop_prev = rng.random(n) < 0.01

    # the archetypes' lines come first, in PRODUCTS order within a subscription
    fixed_lines = [s.lines[p] for s in fixed for p in PRODUCTS if p in s.lines]
    k = len(fixed_lines)
    lic[:k] = [x.licenses for x in fixed_lines]
    target[:k] = [x.allocation for x in fixed_lines]
    uratio[:k] = 0.8
    slope[:k] = rng.normal(0.0, 0.002, k)
    walk_sd[:k] = 0.01
    drop_latest[:k] = [x.missing_week == "latest" for x in fixed_lines]
    drop_prev[:k] = [x.missing_week == "previous" for x in fixed_lines]
    return _SubscriptionLines(
        line_sub, line_prod, line_cust, lic, target, uratio, slope, walk_sd, drop_latest, drop_prev
    )


def _weekly_license_usage(
    rng, terms: _SubscriptionTerms, lines: _SubscriptionLines, calendar: _Calendar
) -> _WeeklyUsage:
    """One row per live (line, week): a line is live in a week when start <=
    week_start + 6 and end >= week_start. The allocation ratio walks randomly
    towards the line's target in its last week."""
    W = calendar.weeks
    l_start, l_end = terms.start[lines.subscription], terms.end[lines.subscription]
    lo = np.maximum(0, W - np.floor_divide(6 - l_start, 7))
    hi = np.minimum(W - 1, W + np.floor_divide(l_end, 7))
    n = np.maximum(0, hi - lo + 1)
    R = int(n.sum())
    first = np.cumsum(n) - n
    row_line = np.repeat(np.arange(lines.count, dtype=np.int32), n)
    row_w = (lo[row_line] + (np.arange(R) - first[row_line])).astype(np.int32)
    ws_off = -7 * (W - row_w.astype(np.int64))  # week_start - as_of

    season_used = 1.0 - (1.0 - calendar.season()) * 0.5

    noise = rng.standard_normal(R)
    noise *= lines.walk_sd[row_line]
    cs = np.cumsum(noise)
    del noise
    last = (first + n - 1)[row_line]
    walk = cs[last] - cs  # sum of the steps after this week: 0 in a line's last week
    del cs, last
    ratio = lines.target[row_line] + lines.slope[row_line] * (row_w - (W - 1)) + walk
    del walk
    ramp = np.clip((ws_off + 7 - l_start[row_line]) / 35.0, 0.1, 1.0)
    ratio *= ramp
    del ramp
    np.clip(ratio, 0.0, 1.6, out=ratio)
    assigned = np.rint(lines.licenses[row_line] * ratio).astype(np.int64)
    del ratio
    u = lines.usage_ratio[row_line] + 0.04 * rng.standard_normal(R)
    np.clip(u, 0.0, 1.0, out=u)
    u *= season_used[row_w]
    used = rng.binomial(assigned, u).astype(np.int64)
    del u
    keep = ~((row_w == W - 1) & lines.drop_latest[row_line]) & ~((row_w == W - 2) & lines.drop_previous[row_line])
    return _WeeklyUsage(row_line[keep], row_w[keep], ws_off[keep], assigned[keep], used[keep])


def _customers_table(
    rng, traits: _CustomerTraits, terms: _SubscriptionTerms, ids: _Ids, calendar: _Calendar
) -> pl.DataFrame:
    N, A = traits.count, calendar.as_of_day
    names = _company_names(rng, N, traits.jp)
    if traits.fixed:
        names = pl.concat([pl.Series([a.name for a in traits.archetypes], dtype=pl.Utf8), names.slice(traits.fixed)])
    subs_per_customer = np.bincount(terms.customer, minlength=N)
    first_sub = np.cumsum(subs_per_customer) - subs_per_customer
    min_start = np.minimum.reduceat(terms.start, first_sub) if terms.count else np.zeros(N, np.int64)
    created = min_start - rng.integers(0, 181, N)
    # seconds since the epoch; never after as_of, never before the org existed
    signin_ts = np.maximum(
        A * 86400 - np.rint(traits.signin_days * 86400).astype(np.int64) - 1, (A + created) * 86400 + 9 * 3600
    )
    return (
        pl.DataFrame(
            {
                "customer_id": ids.customer_id,
                "name": names,
                "managed_by": pl.Series(np.where(traits.external, "external", "partner")),
                "created_on": _dates(A + created),
                "_null": pl.Series(traits.signin_null),
                "_ts": pl.Series(signin_ts * 1_000_000),
            }
        )
        .with_columns(
            pl.when(pl.col("_null"))
            .then(None)
            .otherwise(pl.col("_ts"))
            .cast(pl.Datetime("us"))
            .dt.replace_time_zone("UTC")
            .alias("last_admin_sign_in")
        )
        .drop("_null", "_ts")
    )


def _subscriptions_table(terms: _SubscriptionTerms, ids: _Ids, calendar: _Calendar) -> pl.DataFrame:
    A = calendar.as_of_day
    return pl.DataFrame(
        {
            "subscription_id": ids.subscription_id,
            "customer_id": ids.customer_id.gather(pl.Series(terms.customer)),
            "kind": pl.Series(np.where(terms.trial, "trial", "paid")),
            "status": pl.Series(list(_STATUSES), dtype=pl.Utf8).gather(pl.Series(terms.status.astype(np.int64))),
            "start_date": _dates(A + terms.start),
            "end_date": _dates(A + terms.end),
            "auto_renew": pl.Series(terms.auto_renew & ~terms.trial),
        }
    )


def _subscription_licenses_table(lines: _SubscriptionLines, ids: _Ids) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "subscription_id": ids.subscription_id.gather(pl.Series(lines.subscription.astype(np.int64))),
            "product": pl.Series(list(PRODUCTS), dtype=pl.Utf8).gather(pl.Series(lines.product.astype(np.int64))),
            "licenses": pl.Series(lines.licenses),
        }
    )


def _license_usage_table(usage: _WeeklyUsage, licenses_df: pl.DataFrame, calendar: _Calendar) -> pl.DataFrame:
    rl = pl.Series(usage.line.astype(np.int64))
    return pl.DataFrame(
        {
            "subscription_id": licenses_df["subscription_id"].gather(rl),
            "product": licenses_df["product"].gather(rl),
            "week_start": _dates(calendar.as_of_day + usage.week_offset),
            "assigned": pl.Series(usage.assigned),
            "used": pl.Series(usage.used),
        }
    )


# ---- orders and invoices -------------------------------------------------------------------


def _orders_table(rng, terms: _SubscriptionTerms, ids: _Ids, calendar: _Calendar) -> pl.DataFrame:
    """The new order before start_date, then renewals and changes during the
    term; a cancellation last for some expired subscriptions."""
    S = terms.count
    n_ord = np.where(terms.trial, 1, rng.choice(np.array([1, 2, 3, 4]), S, p=[0.4, 0.3, 0.2, 0.1]))
    o_sub, o_k = _expand(np.arange(S), n_ord)
    n = len(o_sub)
    o_start = terms.start[o_sub]
    o_stop = np.minimum(terms.end[o_sub], -1)
    span = np.maximum(o_stop - o_start, 0)
    o_day = np.where(
        o_k == 0, o_start - rng.integers(0, 15, n), o_start + (rng.random(n) * (span + 1)).astype(np.int64)
    )
    last_ord = o_k == n_ord[o_sub] - 1
    o_type = np.where(rng.random(n) < 0.5, 1, 2)
    o_type = np.where(span < 300, 2, o_type)
    o_type = np.where(last_ord & (o_k > 0) & (terms.status[o_sub] == _EXPIRED) & (rng.random(n) < 0.6), 3, o_type)
    o_type = np.where(o_k == 0, 0, o_type)
    texts = [t for ty in _ORDER_TYPES for t in ORDER_DESCRIPTIONS[ty]]
    t_len = np.array([len(ORDER_DESCRIPTIONS[ty]) for ty in _ORDER_TYPES])
    t_first = np.cumsum(t_len) - t_len
    trial_text = texts.index("Trial order")
    t_pick = t_first[o_type] + (rng.random(n) * np.where(o_type == 0, t_len[0] - 1, t_len[o_type])).astype(np.int64)
    t_pick = np.where(terms.trial[o_sub], trial_text, t_pick)
    o_null = rng.random(n) < 0.2
    return (
        pl.DataFrame(
            {
                "order_id": _numbered("ORD-", n, 8),
                "subscription_id": ids.subscription_id.gather(pl.Series(o_sub.astype(np.int64))),
                "ordered_on": _dates(calendar.as_of_day + o_day),
                "type": pl.Series(list(_ORDER_TYPES), dtype=pl.Utf8).gather(pl.Series(o_type.astype(np.int64))),
                "description": _pick(texts, t_pick),
                "_null": pl.Series(o_null),
            }
        )
        .with_columns(pl.when(pl.col("_null")).then(None).otherwise(pl.col("description")).alias("description"))
        .drop("_null")
    )


def _invoices_table(
    rng,
    traits: _CustomerTraits,
    terms: _SubscriptionTerms,
    lines: _SubscriptionLines,
    ids: _Ids,
    calendar: _Calendar,
) -> pl.DataFrame:
    """Paid subscriptions, billed every 30 days from start_date: the latest few
    invoices before as_of (or the end)."""
    S = terms.count
    i_stop = np.minimum(terms.end, -1)
    months = np.maximum(i_stop - terms.start, 0) // 30 + 1
    n_inv = np.where(terms.trial, 0, np.minimum(months, rng.integers(1, 7, S)))
    v_sub, v_k = _expand(np.arange(S), n_inv)
    n = len(v_sub)
    issued = terms.start[v_sub] + 30 * (months[v_sub] - 1 - v_k)
    due = issued + rng.choice(np.array([14, 30, 30, 45]), n)
    sub_lic = np.bincount(lines.subscription, weights=lines.licenses, minlength=S)
    v_cur = traits.currency[terms.customer[v_sub]]
    amount = sub_lic[v_sub] * _PRICE[v_cur] * rng.uniform(0.85, 1.1, n)
    amount = np.where(v_cur == _JPY, np.round(amount), np.round(amount, 2))
    v_status = np.where(due >= 0, 1, np.where(rng.random(n) < 0.05, 2, 0))
    v_status = np.where((terms.status[v_sub] == _SUSPENDED) & (due < 0) & (v_k <= 1), 2, v_status)
    A = calendar.as_of_day
    return pl.DataFrame(
        {
            "invoice_id": _numbered("INV-", n, 8),
            "subscription_id": ids.subscription_id.gather(pl.Series(v_sub.astype(np.int64))),
            "issued_on": _dates(A + issued),
            "due_on": _dates(A + due),
            "amount": pl.Series(amount.astype(np.float64)),
            "currency": pl.Series(list(_CURRENCIES), dtype=pl.Utf8).gather(pl.Series(v_cur.astype(np.int64))),
            "status": pl.Series(list(_INVOICE_STATUSES), dtype=pl.Utf8).gather(pl.Series(v_status.astype(np.int64))),
        }
    )


# ---- calling: one row per customer and week with a calling line ---------------------------


@dataclass
class _CallingWeeks:
    """The (customer, week) pairs with a calling line's license_usage row,
    ordered by customer then week, with that week's assigned and used summed."""

    customer: np.ndarray
    week: np.ndarray
    assigned: np.ndarray
    used: np.ndarray
    customer_id: pl.Series
    week_start: pl.Series

    @property
    def count(self) -> int:
        return len(self.customer)

    @staticmethod
    def of(lines: _SubscriptionLines, usage: _WeeklyUsage, ids: _Ids, calendar: _Calendar) -> _CallingWeeks:
        is_call = lines.product[usage.line] == _CALLING
        cw = (
            pl.DataFrame(
                {
                    "c": pl.Series(lines.customer[usage.line[is_call]].astype(np.int64)),
                    "w": pl.Series(usage.week[is_call]),
                    "a": pl.Series(usage.assigned[is_call]),
                    "u": pl.Series(usage.used[is_call]),
                }
            )
            .group_by("c", "w")
            .agg(pl.col("a").sum(), pl.col("u").sum())
            .sort("c", "w")
        )
        customer = cw["c"].to_numpy()
        week = cw["w"].to_numpy().astype(np.int64)
        return _CallingWeeks(
            customer=customer,
            week=week,
            assigned=cw["a"].to_numpy(),
            used=cw["u"].to_numpy(),
            customer_id=ids.customer_id.gather(pl.Series(customer)),
            week_start=_dates(calendar.as_of_day - 7 * (calendar.weeks - week)),
        )


@dataclass
class _CallingHabits:
    """Per customer: how its users call, and which endpoint types and features it uses."""

    active_share: np.ndarray
    calls_per_user: np.ndarray
    minutes_per_call: np.ndarray
    has_queues: np.ndarray
    n_queues: np.ndarray
    endpoint_used: np.ndarray  # customers x ENDPOINT_TYPES
    endpoint_weight: np.ndarray  # customers x ENDPOINT_TYPES
    poor_factor: np.ndarray
    feature_used: np.ndarray  # customers x FEATURES


@dataclass
class _WeeklyCalls:
    """Per calling week: active users, calls and minutes."""

    active: np.ndarray
    calls: np.ndarray
    minutes: np.ndarray


def _calling_habits(rng, traits: _CustomerTraits) -> _CallingHabits:
    N, na = traits.count, traits.fixed
    active_frac = rng.uniform(0.82, 1.0, N)
    calls_per_user = np.exp(rng.normal(np.log(14.0), 0.5, N))
    call_minutes = rng.uniform(2.5, 6.0, N)
    has_q = rng.random(N) < 0.3
    n_q = rng.integers(1, _MAX_QUEUES + 1, N)
    ep_mask = rng.random((N, len(ENDPOINT_TYPES))) < _ENDPOINT_USED
    ep_mask[~ep_mask.any(axis=1), ENDPOINT_TYPES.index("webex_app_desktop")] = True
    ep_weight = rng.gamma(1.0, 1.0, (N, len(ENDPOINT_TYPES))) + 0.05
    poor_factor = np.exp(rng.normal(0.0, 0.6, N)) * np.where(rng.random(N) < 0.05, 5.0, 1.0)
    feat_mask = rng.random((N, len(FEATURES))) < _FEATURE_USED
    for i, a in enumerate(traits.archetypes):  # archetypes use every endpoint type and feature
        has_q[i] = a.has_call_queues
    ep_mask[:na] = True
    feat_mask[:na] = True
    feat_mask[:, FEATURES.index("call_queue")] = has_q
    return _CallingHabits(
        active_frac, calls_per_user, call_minutes, has_q, n_q, ep_mask, ep_weight, poor_factor, feat_mask
    )


def _weekly_calls(rng, calling: _CallingWeeks, habits: _CallingHabits, calendar: _Calendar) -> _WeeklyCalls:
    c, n = calling.customer, calling.count
    active = rng.binomial(calling.used, habits.active_share[c] * rng.uniform(0.9, 1.0, n)).astype(np.int64)
    calls = np.rint(
        active * habits.calls_per_user[c] * calendar.season()[calling.week] * np.exp(rng.normal(0.0, 0.12, n))
    ).astype(np.int64)
    minutes = np.round(calls * habits.minutes_per_call[c] * np.exp(rng.normal(0.0, 0.08, n)), 1)
    return _WeeklyCalls(active, calls, minutes)


def _calling_usage_table(calling: _CallingWeeks, calls: _WeeklyCalls) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "customer_id": calling.customer_id,
            "week_start": calling.week_start,
            "licensed_users": pl.Series(calling.assigned.astype(np.int64)),
            "active_users": pl.Series(calls.active),
            "calls": pl.Series(calls.calls),
            "minutes": pl.Series(calls.minutes.astype(np.float64)),
        }
    )


def _call_quality_table(rng, calling: _CallingWeeks, habits: _CallingHabits, calls: _WeeklyCalls) -> pl.DataFrame:
    """A calling week's calls split over the endpoint types the customer uses."""
    q_base, q_ep = _expand_mask(calling.customer, habits.endpoint_used)
    n = len(q_base)
    q_c = calling.customer[q_base]
    w = habits.endpoint_weight[q_c, q_ep] * habits.endpoint_used[q_c, q_ep]
    w_sum = (habits.endpoint_weight * habits.endpoint_used).sum(axis=1)
    q_calls = np.rint(calls.calls[q_base] * w / w_sum[q_c] * np.exp(rng.normal(0.0, 0.1, n))).astype(np.int64)
    p_poor = np.clip(_ENDPOINT_POOR[q_ep] * habits.poor_factor[q_c] * np.exp(rng.normal(0.0, 0.3, n)), 0.0, 0.6)
    poor = rng.binomial(q_calls, p_poor).astype(np.int64)
    qb = pl.Series(q_base.astype(np.int64))
    return pl.DataFrame(
        {
            "customer_id": calling.customer_id.gather(qb),
            "week_start": calling.week_start.gather(qb),
            "endpoint_type": pl.Series(list(ENDPOINT_TYPES), dtype=pl.Utf8).gather(pl.Series(q_ep.astype(np.int64))),
            "calls": pl.Series(q_calls),
            "poor_calls": pl.Series(poor),
        }
    )


def _calling_features_table(rng, calling: _CallingWeeks, habits: _CallingHabits, calls: _WeeklyCalls) -> pl.DataFrame:
    f_base, f_feat = _expand_mask(calling.customer, habits.feature_used)
    n = len(f_base)
    f_calls = np.rint(calls.calls[f_base] * _FEATURE_SHARE[f_feat] * np.exp(rng.normal(0.0, 0.3, n))).astype(np.int64)
    fb = pl.Series(f_base.astype(np.int64))
    return pl.DataFrame(
        {
            "customer_id": calling.customer_id.gather(fb),
            "week_start": calling.week_start.gather(fb),
            "feature": pl.Series(list(FEATURES), dtype=pl.Utf8).gather(pl.Series(f_feat.astype(np.int64))),
            "calls": pl.Series(f_calls),
        }
    )


def _call_queues_table(
    rng, traits: _CustomerTraits, calling: _CallingWeeks, habits: _CallingHabits, calls: _WeeklyCalls
) -> pl.DataFrame:
    """Queue j of customer c is `<customer_id>-Q<j+1>`; it takes a share of the week's calls."""
    N, Q = traits.count, _MAX_QUEUES
    q_counts = np.where(habits.has_queues, habits.n_queues, 0)
    qsplit = rng.gamma(2.0, 1.0, (N, Q)) * (np.arange(Q) < q_counts[:, None])
    qsplit /= np.maximum(qsplit.sum(axis=1, keepdims=True), 1e-9)
    q_share = rng.uniform(0.15, 0.45, N)
    p_abandon = np.where(rng.random((N, Q)) < 0.1, rng.uniform(0.15, 0.3, (N, Q)), rng.uniform(0.02, 0.12, (N, Q)))
    p_overflow = rng.uniform(0.0, 0.06, (N, Q))
    answer_wait = rng.uniform(8.0, 75.0, (N, Q))
    abandon_wait = rng.uniform(25.0, 140.0, (N, Q))
    name_start = rng.integers(0, len(QUEUE_NAMES_EN), N)
    k_base, k_j = _expand(calling.customer, q_counts)
    n = len(k_base)
    k_c = calling.customer[k_base]
    offered = np.rint(calls.calls[k_base] * q_share[k_c] * qsplit[k_c, k_j] * np.exp(rng.normal(0.0, 0.1, n))).astype(
        np.int64
    )
    abandoned = rng.binomial(offered, p_abandon[k_c, k_j]).astype(np.int64)
    overflowed = rng.binomial(offered - abandoned, p_overflow[k_c, k_j]).astype(np.int64)
    answered = rng.binomial(offered - abandoned - overflowed, 0.985).astype(np.int64)
    ans_wait = np.round((answered + overflowed) * answer_wait[k_c, k_j] * np.exp(rng.normal(0.0, 0.2, n)), 1)
    ab_wait = np.round(abandoned * abandon_wait[k_c, k_j] * np.exp(rng.normal(0.0, 0.2, n)), 1)
    qnames = list(QUEUE_NAMES_EN) + list(QUEUE_NAMES_JP)
    qn_idx = (name_start[k_c] + k_j) % len(QUEUE_NAMES_EN) + np.where(traits.jp[k_c], len(QUEUE_NAMES_EN), 0)
    kb = pl.Series(k_base.astype(np.int64))
    return pl.DataFrame(
        {
            "customer_id": calling.customer_id.gather(kb),
            "queue_id": pl.Series((k_j + 1).astype(np.int64)).cast(pl.Utf8),
            "queue_name": _pick(qnames, qn_idx),
            "week_start": calling.week_start.gather(kb),
            "offered": pl.Series(offered),
            "answered": pl.Series(answered),
            "abandoned": pl.Series(abandoned),
            "overflowed": pl.Series(overflowed),
            "answer_wait_seconds": pl.Series(ans_wait.astype(np.float64)),
            "abandon_wait_seconds": pl.Series(ab_wait.astype(np.float64)),
        }
    ).with_columns(pl.concat_str([pl.col("customer_id"), pl.lit("-Q"), pl.col("queue_id")]).alias("queue_id"))


# ---- directory: partner admins and who is assigned to which customer ------------------------


def _other_partner_admins() -> list[tuple[str, str]]:
    """(email, name) of the partner admins besides the demo users."""
    others = []
    for i in range(20):
        first_name, last_name = ADMIN_FIRST_NAMES[i], ADMIN_LAST_NAMES[(i * 7) % len(ADMIN_LAST_NAMES)]
        others.append((f"{first_name}.{last_name}@partner.example".lower(), f"{first_name} {last_name}"))
    return others


def _partner_admins_table(rng, others: list[tuple[str, str]]) -> pl.DataFrame:
    """The demo users (one per role), then the others with a random role."""
    other_roles = rng.integers(0, len(ROLES), len(others))
    return pl.DataFrame(
        {
            "email": list(DEMO_USERS) + [e for e, _ in others],
            "name": [v[0] for v in DEMO_USERS.values()] + [nm for _, nm in others],
            "role": [v[1] for v in DEMO_USERS.values()] + [ROLES[r] for r in other_roles],
        },
        schema={"email": pl.Utf8, "name": pl.Utf8, "role": pl.Utf8},
    )


def _customer_admins_table(rng, traits: _CustomerTraits, others: list[tuple[str, str]], ids: _Ids) -> pl.DataFrame:
    """The demo partner admin and sales admin each hold every archetype and a
    share of the rest; every other customer has one of the other admins."""
    N, na, nr = traits.count, traits.fixed, traits.random
    n_admin = min(N, max(20, round(0.15 * N)))
    n_sales = min(N, max(10, round(0.10 * N)))
    to_admin = np.zeros(N, bool)
    to_sales = np.zeros(N, bool)
    to_admin[:na] = True
    to_sales[:na] = True
    to_admin[na + rng.permutation(nr)[: max(0, n_admin - na)]] = True
    to_sales[na + rng.permutation(nr)[: max(0, n_sales - na)]] = True
    other_pick = rng.integers(0, len(others), N)
    to_other = ~(to_admin | to_sales) | (rng.random(N) < 0.2)
    links_c = np.concatenate([np.nonzero(to_admin)[0], np.nonzero(to_sales)[0], np.nonzero(to_other)[0]])
    links_e = (
        ["admin@demo.example"] * int(to_admin.sum())
        + ["sales@demo.example"] * int(to_sales.sum())
        + [others[j][0] for j in other_pick[to_other]]
    )
    return pl.DataFrame(
        {
            "customer_id": ids.customer_id.gather(pl.Series(links_c.astype(np.int64))),
            "email": pl.Series(links_e, dtype=pl.Utf8),
        }
    ).sort("customer_id", "email")
