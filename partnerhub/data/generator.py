"""Demo data in the public import format (spec/data-contract.md).

`generate(out_dir, ...)` writes one file per table of the contract, exactly its
columns and types, into `out_dir`. The same (customers, weeks, seed, as_of,
fmt) always gives byte-identical files: one `numpy.random.default_rng(seed)`
drives every draw, in a fixed order, over arrays whose sizes depend only on the
parameters; the wall clock is read only for the default `as_of`.

Everything is vectorised (numpy repeat / cumsum, Polars gather and
concat_str): 100 000 customers over 52 weeks (about 10 M license_usage rows)
take well under a minute.

The first customers are fixed *archetypes* (see `_ARCHETYPES`): a current
trial, lines expiring within 30 and within 31-90 days, renewing lines,
recently added lines, low-allocation and overage lines, pending setup,
suspended and expired subscriptions, customers without a recent admin
sign-in, call queues... each with meetings and calling lines, so every section
of the dashboard has something to show at any size of 200 customers or more
(most sections at much smaller sizes too). The rest are random, drawn to look
like a reseller's book of business: long-tailed license counts, Japanese and
English company names, allocation drifting up and down week by week, calling
that dips over the year-end holidays and in August.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import numpy as np
import polars as pl

from .contract import ENDPOINT_TYPES, FEATURES, PRODUCTS, ROLES, TABLES

__all__ = ["DEMO_USERS", "SCHEMAS", "TABLE_NAMES", "build", "generate", "latest_sunday"]

DEMO_USERS: dict[str, tuple[str, str]] = {  # email -> (name, role); one per role of roles.md
    "full.admin@demo.example": ("Fiona Full", "partner_full_admin"),
    "admin@demo.example": ("Adam Admin", "partner_admin"),
    "readonly@demo.example": ("Rita Readonly", "partner_readonly_admin"),
    "sales.full@demo.example": ("Sam SalesFull", "sales_full_admin"),
    "sales@demo.example": ("Sara Sales", "sales_admin"),
}

_POLARS_TYPES = {
    "id": pl.Utf8,
    "name": pl.Utf8,
    "enum": pl.Utf8,
    "email": pl.Utf8,
    "currency": pl.Utf8,
    "date": pl.Date,
    "sunday": pl.Date,
    "timestamp": pl.Datetime("us", "UTC"),
    "bool": pl.Boolean,
    "int": pl.Int64,
    "decimal": pl.Float64,
}
TABLE_NAMES: tuple[str, ...] = tuple(t.name for t in TABLES)
# table -> {column: polars type}, in the contract's column order
SCHEMAS: dict[str, dict[str, pl.DataType]] = {
    t.name: {c.name: _POLARS_TYPES[c.type] for c in t.columns} for t in TABLES
}

_EPOCH = date(1970, 1, 1)
_STATUSES = ("active", "pending_setup", "suspended", "expired")
_ACTIVE, _PENDING, _SUSPENDED, _EXPIRED = range(4)
_M, _C = PRODUCTS.index("meetings"), PRODUCTS.index("calling")
_CURRENCIES = ("USD", "EUR", "GBP", "JPY")
_PRICE = np.array([14.0, 13.0, 11.5, 2100.0])  # per license per month, by currency

# --- archetypes -------------------------------------------------------------
# Each: name, Japanese?, managed_by, days since the last admin sign-in (None =
# never), has call queues, subscriptions as
#   (kind, status, start - as_of in days, end - as_of in days, auto_renew,
#    {product: (licenses, allocation ratio in the latest week)}
#    [, {product: "latest" | "previous": the week whose license_usage row is left out}])
_ARCHETYPES: tuple[dict, ...] = (
    dict(
        name="株式会社さくら物流",
        jp=True,
        managed="partner",
        signin=1.2,
        queues=True,
        subs=[("trial", "active", -10, 50, False, {"meetings": (25, 0.6), "calling": (10, 0.5)})],
    ),
    dict(
        name="Northwind Logistics Ltd",
        jp=False,
        managed="partner",
        signin=3.5,
        queues=True,
        subs=[("paid", "active", -345, 20, False, {"meetings": (60, 0.8), "calling": (25, 0.72)})],
    ),
    dict(
        name="富士精機株式会社",
        jp=True,
        managed="external",
        signin=None,
        queues=False,
        subs=[("paid", "active", -305, 60, False, {"meetings": (35, 0.7), "calling": (12, 0.66)})],
    ),
    dict(
        name="Bluepeak Analytics Inc.",
        jp=False,
        managed="partner",
        signin=41.0,
        queues=False,
        subs=[
            ("paid", "active", -340, 25, True, {"meetings": (120, 0.85), "calling": (40, 0.75)}),
            ("paid", "active", -1020, 75, True, {"meetings": (15, 0.9), "calling": (8, 0.8)}),
        ],
    ),
    dict(
        name="Harbor Dental Group LLC",
        jp=False,
        managed="external",
        signin=0.8,
        queues=False,
        subs=[("paid", "active", -12, 353, True, {"meetings": (45, 0.4), "calling": (20, 0.3)})],
    ),
    dict(
        name="株式会社青葉情報システム",
        jp=True,
        managed="partner",
        signin=2.0,
        queues=False,
        subs=[("paid", "active", -70, 295, True, {"meetings": (30, 0.7), "calling": (10, 0.6)})],
    ),
    dict(
        name="Evergreen Health Partners plc",
        jp=False,
        managed="partner",
        signin=12.0,
        queues=True,
        subs=[("paid", "active", -200, 165, True, {"meetings": (150, 0.05), "calling": (60, 0.06)})],
    ),
    dict(
        name="合同会社みなと食品",
        jp=True,
        managed="external",
        signin=65.0,
        queues=False,
        subs=[
            ("paid", "active", -400, 330, True, {"meetings": (40, 0.05), "calling": (30, 0.05), "webinars": (5, 0.4)})
        ],
    ),
    dict(
        name="Meridian Capital Holdings AG",
        jp=False,
        managed="partner",
        signin=0.2,
        queues=True,
        subs=[
            (
                "paid",
                "active",
                -500,
                230,
                True,
                {
                    "meetings": (2500, 1.08),
                    "calling": (800, 1.12),
                    "messaging": (2500, 0.7),
                    "contact_center": (60, 0.9),
                },
            )
        ],
    ),
    dict(
        name="株式会社北斗建設",
        jp=True,
        managed="partner",
        signin=6.0,
        queues=False,
        subs=[("paid", "active", -150, 215, False, {"meetings": (20, 1.3), "calling": (10, 1.3)})],
    ),
    dict(
        name="Pioneer Robotics GmbH",
        jp=False,
        managed="external",
        signin=9.0,
        queues=False,
        subs=[("paid", "pending_setup", -5, 360, True, {"meetings": (50, 0.0), "calling": (20, 0.0)})],
    ),
    dict(
        name="大和運輸株式会社",
        jp=True,
        managed="partner",
        signin=33.0,
        queues=False,
        subs=[("paid", "suspended", -160, 205, True, {"meetings": (30, 0.6), "calling": (15, 0.5)})],
    ),
    dict(
        name="Redwood Media Ltd",
        jp=False,
        managed="external",
        signin=None,
        queues=False,
        subs=[
            ("paid", "expired", -385, -20, False, {"meetings": (25, 0.6), "calling": (10, 0.5)}),
            ("trial", "expired", -460, -400, False, {"meetings": (10, 0.3)}),
        ],
    ),
    dict(
        name="株式会社朝日薬品",
        jp=True,
        managed="partner",
        signin=20.0,
        queues=False,
        subs=[
            ("paid", "expired", -800, -70, False, {"meetings": (40, 0.7), "calling": (15, 0.6)}),
            ("paid", "active", -70, 295, True, {"meetings": (45, 0.75), "calling": (15, 0.7)}),
        ],
    ),
    # names that must be shown escaped, quoted in CSV, and kept as text in XLSX
    dict(
        name='O\'Brien, Walsh & Partners "Legal" <UK>',
        jp=False,
        managed="partner",
        signin=4.0,
        queues=False,
        subs=[("paid", "active", -95, 270, True, {"meetings": (18, 0.75), "translation": (3, 0.5)})],
    ),
    dict(
        name="=SUM Consulting Co.",
        jp=False,
        managed="external",
        signin=7.0,
        queues=False,
        subs=[
            ("paid", "active", -600, 130, True, {"meetings": (12, 0.8)}),
            ("trial", "active", -20, 10, False, {"calling": (5, 0.4)}),
        ],
    ),
    dict(
        name="Lakeside Textiles S.A.",
        jp=False,
        managed="partner",
        signin=15.0,
        queues=False,
        subs=[("paid", "active", -250, 115, False, {"meetings": (0, 0.0), "messaging": (10, 0.6)})],
    ),
    # lines without a license_usage row in the latest / the previous week
    dict(
        name="株式会社瀬戸内観光",
        jp=True,
        managed="partner",
        signin=2.5,
        queues=False,
        subs=[
            (
                "paid",
                "active",
                -420,
                310,
                True,
                {"meetings": (22, 0.7), "calling": (8, 0.6)},
                {"meetings": "latest", "calling": "previous"},
            ),
            (
                "paid",
                "active",
                -130,
                235,
                True,
                {"meetings": (14, 0.8), "calling": (6, 0.7)},
                {"meetings": "previous", "calling": "latest"},
            ),
        ],
    ),
)

# --- word lists for names ---------------------------------------------------
_EN_A = (
    "Northwind",
    "Bluepeak",
    "Silverline",
    "Redwood",
    "Evergreen",
    "Summit",
    "Harbor",
    "Pioneer",
    "Crescent",
    "Lakeside",
    "Granite",
    "Maple",
    "Atlas",
    "Orion",
    "Beacon",
    "Cedar",
    "Falcon",
    "Horizon",
    "Ironwood",
    "Juniper",
    "Keystone",
    "Lighthouse",
    "Meridian",
    "Nova",
    "Oakridge",
    "Pinnacle",
    "Quantum",
    "Riverstone",
    "Sterling",
    "Trident",
    "Unity",
    "Vertex",
    "Westbrook",
    "Zenith",
    "Aurora",
    "Bramble",
    "Cobalt",
    "Driftwood",
    "Ember",
    "Foxglove",
    "Golden Gate",
    "Highland",
    "Indigo",
    "Kingfisher",
    "Larkspur",
    "Moorland",
    "Northgate",
    "Olympus",
    "Parkside",
    "Queensbury",
    "Rosewood",
    "Seabright",
    "Thornbury",
    "Upland",
    "Valiant",
    "Willow",
    "Yellowstone",
    "Ashford",
    "Blackstone",
    "Clearwater",
)
_EN_B = (
    "Logistics",
    "Analytics",
    "Health",
    "Foods",
    "Consulting",
    "Engineering",
    "Retail",
    "Media",
    "Pharma",
    "Capital",
    "Energy",
    "Systems",
    "Robotics",
    "Legal",
    "Architects",
    "Dental Group",
    "Insurance",
    "Travel",
    "Motors",
    "Textiles",
    "Software",
    "Partners",
    "Holdings",
    "Labs",
    "Hospitality",
    "Construction",
    "Realty",
    "Learning",
    "Biotech",
    "Freight",
    "Data",
    "Studios",
)
_EN_C = (
    " Ltd",
    " Inc.",
    " LLC",
    " GmbH",
    " Pty Ltd",
    " plc",
    " Corp.",
    " Co.",
    " S.A.",
    " B.V.",
    " AG",
    "",
    " Group",
    " Ltd.",
)
_JP_A = (
    "さくら",
    "富士",
    "日の出",
    "青葉",
    "北斗",
    "大和",
    "東海",
    "瀬戸内",
    "光",
    "若葉",
    "みなと",
    "朝日",
    "菊水",
    "高砂",
    "白鷺",
    "松風",
    "三つ葉",
    "錦",
    "桜井",
    "山田",
    "中央",
    "新星",
    "あおぞら",
    "ひまわり",
    "東京",
    "大阪",
    "名古屋",
    "札幌",
    "博多",
    "横浜",
    "京都",
    "神戸",
    "仙台",
    "広島",
    "北陸",
    "九州",
    "四国",
    "湘南",
    "信州",
    "琵琶湖",
)
_JP_B = (
    "物流",
    "商事",
    "製作所",
    "電機",
    "建設",
    "食品",
    "不動産",
    "薬品",
    "精機",
    "工業",
    "運輸",
    "情報システム",
    "ホールディングス",
    "出版",
    "保険",
    "観光",
    "技研",
    "化学",
    "繊維",
    "医療",
    "ソフトウェア",
    "印刷",
    "証券",
    "産業",
)
_JP_FORMS = (("株式会社", ""), ("株式会社", ""), ("", "株式会社"), ("合同会社", ""), ("有限会社", ""))
_QUEUE_NAMES_EN = (
    "Sales",
    "Support",
    "Billing",
    "Reception",
    "IT Helpdesk",
    "Reservations",
    "Customer Care",
    "After Hours",
)
_QUEUE_NAMES_JP = (
    "受付",
    "カスタマーサポート",
    "営業窓口",
    "経理",
    "ITヘルプデスク",
    "予約センター",
    "総務",
    "夜間窓口",
)
_ADMIN_FIRST = (
    "Kenji",
    "Yuki",
    "Hana",
    "Olivia",
    "Liam",
    "Aiko",
    "Noah",
    "Emma",
    "Haruto",
    "Sofia",
    "Daichi",
    "Mia",
    "Ren",
    "Isla",
    "Takumi",
    "Grace",
    "Sakura",
    "Ethan",
    "Mei",
    "Lucas",
)
_ADMIN_LAST = (
    "Tanaka",
    "Sato",
    "Suzuki",
    "Brown",
    "Wilson",
    "Takahashi",
    "Clarke",
    "Evans",
    "Watanabe",
    "Garcia",
    "Ito",
    "Nguyen",
    "Yamamoto",
    "Murphy",
    "Nakamura",
    "Lee",
    "Kobayashi",
    "Walker",
    "Kato",
    "Martin",
)
_ORDER_TEXT = {
    "new": ("Initial order", "New subscription", "Webex Suite new order", "新規注文", "Trial order"),
    "renewal": ("Annual renewal", "Renewal, 12 months", "Renewal (36 months)", "更新注文"),
    "change": ("Added licenses", "Removed licenses", "Added a product", "License true-up", "数量変更"),
    "cancellation": ("Cancelled at end of term", "Customer churned", "Cancellation requested", "解約"),
}
_ORDER_TYPES = ("new", "renewal", "change", "cancellation")

# share of calls per endpoint type / feature, and how often a customer uses it
_EP_P = np.array([0.7, 0.9, 0.8, 0.3, 0.15, 0.1])
_EP_POOR = np.array([0.008, 0.015, 0.035, 0.01, 0.03, 0.05])
_FEAT_P = np.array([0.0, 0.4, 0.5, 0.2, 0.25, 0.9, 0.2, 0.1])  # call_queue: customers with queues
_FEAT_SHARE = np.array([0.3, 0.08, 0.2, 0.02, 0.03, 0.12, 0.15, 0.01])


def latest_sunday(today: date) -> date:
    """The Sunday on or before `today`."""
    return today - timedelta(days=(today.weekday() + 1) % 7)


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


def _names(rng, n: int, jp: np.ndarray) -> pl.Series:
    """Company names: "Northwind Logistics Ltd" or "株式会社さくら物流"."""
    form = rng.integers(0, len(_JP_FORMS), n)
    parts = pl.DataFrame(
        {
            "a": _pick(_EN_A, rng.integers(0, len(_EN_A), n)),
            "b": _pick(_EN_B, rng.integers(0, len(_EN_B), n)),
            "c": _pick(_EN_C, rng.integers(0, len(_EN_C), n)),
            "ja": _pick(_JP_A, rng.integers(0, len(_JP_A), n)),
            "jb": _pick(_JP_B, rng.integers(0, len(_JP_B), n)),
            "pre": _pick([f[0] for f in _JP_FORMS], form),
            "post": _pick([f[1] for f in _JP_FORMS], form),
            "jp": pl.Series(jp),
        }
    )
    return parts.select(
        pl.when(pl.col("jp"))
        .then(pl.concat_str([pl.col("pre"), pl.col("ja"), pl.col("jb"), pl.col("post")]))
        .otherwise(pl.concat_str([pl.col("a"), pl.lit(" "), pl.col("b"), pl.col("c")]))
        .alias("name")
    ).to_series()


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
            df.write_csv(path, date_format="%Y-%m-%d", datetime_format="%Y-%m-%dT%H:%M:%SZ")
        counts[name] = df.height
    return counts


def build(customers: int, weeks: int, seed: int, as_of: date) -> dict[str, pl.DataFrame]:
    """The tables as Polars frames with the contract's columns and types."""
    rng = np.random.default_rng(seed)
    N, W = int(customers), int(weeks)
    A = (as_of - _EPOCH).days  # as_of in days since the epoch; "offsets" below are relative to it
    arch = _ARCHETYPES[:N]
    na = len(arch)
    nr = N - na

    # ---- customers (attributes) ----------------------------------------------
    jp = rng.random(N) < 0.45
    external = rng.random(N) < 0.3
    size = np.exp(rng.normal(np.log(14.0), 0.95, N))
    whale = rng.random(N) < 0.006
    size = size * np.where(whale, rng.uniform(10.0, 60.0, N), 1.0)
    currency = np.where(jp, 3, rng.choice(3, N, p=[0.55, 0.25, 0.2]))
    signin_days = np.where(rng.random(N) < 0.75, rng.exponential(4.0, N), rng.uniform(20.0, 400.0, N))
    signin_null = rng.random(N) < 0.07
    for i, a in enumerate(arch):
        jp[i] = a["jp"]
        external[i] = a["managed"] == "external"
        currency[i] = 3 if a["jp"] else (0, 1, 2)[i % 3]
        signin_null[i] = a["signin"] is None
        signin_days[i] = a["signin"] if a["signin"] is not None else 0.0

    # ---- subscriptions -----------------------------------------------------------
    n_subs = rng.choice(np.array([1, 2, 3]), nr, p=[0.62, 0.28, 0.10])
    S_r = int(n_subs.sum())
    r_cust = np.repeat(np.arange(na, N), n_subs)
    r_rank = np.arange(S_r) - np.repeat(np.cumsum(n_subs) - n_subs, n_subs)
    r_trial = (r_rank == 0) & (rng.random(S_r) < 0.09)
    term = rng.choice(np.array([365, 730, 1095]), S_r, p=[0.6, 0.15, 0.25])
    # days since start_date: some recent, most up to 4 years (renewed since: the
    # end_date is that of the current term)
    age = np.where(rng.random(S_r) < 0.12, rng.integers(0, 91, S_r), rng.integers(0, 1461, S_r))
    gone = rng.random(S_r) < 0.13
    gone_end = -rng.integers(1, 500, S_r)
    gone_terms = rng.choice(np.array([1, 1, 1, 2]), S_r)
    u_status = rng.random(S_r)
    pending_age = rng.integers(0, 21, S_r)
    r_auto = rng.random(S_r) < 0.62
    t_dur = rng.choice(np.array([30, 60, 90]), S_r)
    t_gone = rng.random(S_r) < 0.3
    t_age = (rng.random(S_r) * (t_dur + 1)).astype(np.int64)
    t_end_gone = -rng.integers(1, 300, S_r)

    r_status = np.full(S_r, _ACTIVE, dtype=np.int8)
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

    a_subs = [s for a in arch for s in a["subs"]]
    sub_cust = np.concatenate([np.repeat(np.arange(na), [len(a["subs"]) for a in arch]), r_cust]).astype(np.int64)
    sub_trial = np.concatenate([np.array([s[0] == "trial" for s in a_subs], bool), r_trial])
    sub_status = np.concatenate([np.array([_STATUSES.index(s[1]) for s in a_subs], np.int8), r_status])
    sub_start = np.concatenate([np.array([s[2] for s in a_subs], np.int64), r_start])
    sub_end = np.concatenate([np.array([s[3] for s in a_subs], np.int64), r_end])
    sub_auto = np.concatenate([np.array([s[4] for s in a_subs], bool), r_auto])
    S = len(sub_cust)
    sub_arch = np.arange(S) < len(a_subs)

    # ---- subscription lines ------------------------------------------------------
    p_paid = np.array([0.85, 0.2, 0.12, 0.08, 0.04, 0.03])
    p_trial = np.array([0.85, 0.4, 0.1, 0.1, 0.05, 0.05])
    has = rng.random((S_r, len(PRODUCTS))) < np.where(r_trial[:, None], p_trial, p_paid)
    has[~has.any(axis=1), _M] = True
    a_has = np.zeros((len(a_subs), len(PRODUCTS)), bool)
    for j, s in enumerate(a_subs):
        for p in s[5]:
            a_has[j, PRODUCTS.index(p)] = True
    line_sub, line_prod = np.nonzero(np.vstack([a_has, has]))
    L = len(line_sub)
    line_cust = sub_cust[line_sub]
    sub_arch[line_sub]

    factor = np.select(
        [line_prod == _M, line_prod == _C, line_prod == PRODUCTS.index("messaging")],
        [rng.uniform(0.8, 1.1, L), rng.uniform(0.3, 0.9, L), rng.uniform(0.8, 1.2, L)],
        rng.uniform(0.05, 0.25, L),
    )
    lic = np.maximum(1, np.rint(size[line_cust] * factor)).astype(np.int64)
    nice = rng.random(L) < 0.5
    lic = np.where(nice & (lic > 20), np.rint(lic / 5) * 5, lic)
    lic = np.where(nice & (lic > 500), np.rint(lic / 50) * 50, lic)
    lic = np.where(sub_trial[line_sub], rng.integers(1, 101, L), lic)
    lic = np.where(rng.random(L) < 0.001, 0, lic).astype(np.int64)

    target = np.where(lic <= 10, rng.beta(8.0, 1.5, L), rng.beta(6.0, 2.0, L))
    u_kind = rng.random(L)
    target = np.where(u_kind < 0.04, rng.uniform(0.01, 0.2, L), target)  # low
    target = np.where((u_kind > 0.97) & (lic >= 3), rng.uniform(1.05, 1.4, L), target)  # overage
    target = np.where(sub_trial[line_sub], rng.uniform(0.1, 0.9, L), target)
    target = np.where(sub_status[line_sub] == _PENDING, 0.0, target)
    uratio = np.where(sub_trial[line_sub], rng.beta(3.0, 3.0, L), rng.beta(7.0, 2.0, L))
    slope = rng.normal(0.0, 0.004, L)
    walk_sd = rng.uniform(0.005, 0.02, L)
    drop_latest = rng.random(L) < 0.01
    drop_prev = rng.random(L) < 0.01

    a_lic, a_target, a_drop = [], [], []
    for s in a_subs:
        for p in PRODUCTS:
            if p in s[5]:
                a_lic.append(s[5][p][0])
                a_target.append(s[5][p][1])
                a_drop.append(s[6].get(p, "") if len(s) > 6 else "")
    k = len(a_lic)
    lic[:k] = a_lic
    target[:k] = a_target
    uratio[:k] = 0.8
    slope[:k] = rng.normal(0.0, 0.002, k)
    walk_sd[:k] = 0.01
    drop_latest[:k] = [d == "latest" for d in a_drop]
    drop_prev[:k] = [d == "previous" for d in a_drop]

    # ---- license_usage: one row per live (line, week) ------------------------------
    # week w (0..W-1) starts at as_of - 7*(W - w); live when start <= week_start + 6
    # and end >= week_start
    l_start, l_end = sub_start[line_sub], sub_end[line_sub]
    lo = np.maximum(0, W - np.floor_divide(6 - l_start, 7))
    hi = np.minimum(W - 1, W + np.floor_divide(l_end, 7))
    n = np.maximum(0, hi - lo + 1)
    R = int(n.sum())
    first = np.cumsum(n) - n
    row_line = np.repeat(np.arange(L, dtype=np.int32), n)
    row_w = (lo[row_line] + (np.arange(R) - first[row_line])).astype(np.int32)
    ws_off = -7 * (W - row_w.astype(np.int64))  # week_start - as_of

    week_start_days = A - 7 * (W - np.arange(W))
    season = np.array([_season(_EPOCH + timedelta(days=int(d) + 3)) for d in week_start_days])
    season_used = 1.0 - (1.0 - season) * 0.5

    noise = rng.standard_normal(R)
    noise *= walk_sd[row_line]
    cs = np.cumsum(noise)
    del noise
    last = (first + n - 1)[row_line]
    walk = cs[last] - cs  # sum of the steps after this week: 0 in a line's last week
    del cs, last
    ratio = target[row_line] + slope[row_line] * (row_w - (W - 1)) + walk
    del walk
    ramp = np.clip((ws_off + 7 - l_start[row_line]) / 35.0, 0.1, 1.0)
    ratio *= ramp
    del ramp
    np.clip(ratio, 0.0, 1.6, out=ratio)
    assigned = np.rint(lic[row_line] * ratio).astype(np.int64)
    del ratio
    u = uratio[row_line] + 0.04 * rng.standard_normal(R)
    np.clip(u, 0.0, 1.0, out=u)
    u *= season_used[row_w]
    used = rng.binomial(assigned, u).astype(np.int64)
    del u
    keep = ~((row_w == W - 1) & drop_latest[row_line]) & ~((row_w == W - 2) & drop_prev[row_line])
    row_line, row_w, ws_off = row_line[keep], row_w[keep], ws_off[keep]
    assigned, used = assigned[keep], used[keep]
    del keep

    # ---- ids and names -------------------------------------------------------------
    cust_id = _numbered("CUST-", N, 6)
    names = _names(rng, N, jp)
    if na:
        names = pl.concat([pl.Series([a["name"] for a in arch], dtype=pl.Utf8), names.slice(na)])
    sub_num = pl.Series(np.arange(1, S + 1, dtype=np.int64)).cast(pl.Utf8).str.zfill(7)
    sub_id = (
        pl.DataFrame({"n": sub_num, "t": pl.Series(sub_trial)})
        .select(pl.concat_str([pl.when(pl.col("t")).then(pl.lit("TRIAL-")).otherwise(pl.lit("SUB-")), pl.col("n")]))
        .to_series()
    )
    product_s = pl.Series(list(PRODUCTS), dtype=pl.Utf8)

    # ---- customers -------------------------------------------------------------------
    first_sub = np.cumsum(np.bincount(sub_cust, minlength=N)) - np.bincount(sub_cust, minlength=N)
    min_start = np.minimum.reduceat(sub_start, first_sub) if S else np.zeros(N, np.int64)
    created = min_start - rng.integers(0, 181, N)
    # seconds since the epoch; never after as_of, never before the org existed
    signin_ts = np.maximum(
        A * 86400 - np.rint(signin_days * 86400).astype(np.int64) - 1, (A + created) * 86400 + 9 * 3600
    )
    customers_df = (
        pl.DataFrame(
            {
                "customer_id": cust_id,
                "name": names,
                "managed_by": pl.Series(np.where(external, "external", "partner")),
                "created_on": _dates(A + created),
                "_null": pl.Series(signin_null),
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

    subscriptions_df = pl.DataFrame(
        {
            "subscription_id": sub_id,
            "customer_id": cust_id.gather(pl.Series(sub_cust)),
            "kind": pl.Series(np.where(sub_trial, "trial", "paid")),
            "status": pl.Series(list(_STATUSES), dtype=pl.Utf8).gather(pl.Series(sub_status.astype(np.int64))),
            "start_date": _dates(A + sub_start),
            "end_date": _dates(A + sub_end),
            "auto_renew": pl.Series(sub_auto & ~sub_trial),
        }
    )
    licenses_df = pl.DataFrame(
        {
            "subscription_id": sub_id.gather(pl.Series(line_sub.astype(np.int64))),
            "product": product_s.gather(pl.Series(line_prod.astype(np.int64))),
            "licenses": pl.Series(lic),
        }
    )
    rl = pl.Series(row_line.astype(np.int64))
    usage_df = pl.DataFrame(
        {
            "subscription_id": licenses_df["subscription_id"].gather(rl),
            "product": licenses_df["product"].gather(rl),
            "week_start": _dates(A + ws_off),
            "assigned": pl.Series(assigned),
            "used": pl.Series(used),
        }
    )
    del rl

    # ---- orders ------------------------------------------------------------------------
    n_ord = np.where(sub_trial, 1, rng.choice(np.array([1, 2, 3, 4]), S, p=[0.4, 0.3, 0.2, 0.1]))
    o_sub, o_k = _expand(np.arange(S), n_ord)
    O = len(o_sub)
    o_start = sub_start[o_sub]
    o_stop = np.minimum(sub_end[o_sub], -1)
    span = np.maximum(o_stop - o_start, 0)
    o_day = np.where(
        o_k == 0, o_start - rng.integers(0, 15, O), o_start + (rng.random(O) * (span + 1)).astype(np.int64)
    )
    last_ord = o_k == n_ord[o_sub] - 1
    o_type = np.where(rng.random(O) < 0.5, 1, 2)
    o_type = np.where(span < 300, 2, o_type)
    o_type = np.where(last_ord & (o_k > 0) & (sub_status[o_sub] == _EXPIRED) & (rng.random(O) < 0.6), 3, o_type)
    o_type = np.where(o_k == 0, 0, o_type)
    texts = [t for ty in _ORDER_TYPES for t in _ORDER_TEXT[ty]]
    t_first = np.cumsum([len(_ORDER_TEXT[ty]) for ty in _ORDER_TYPES]) - [len(_ORDER_TEXT[ty]) for ty in _ORDER_TYPES]
    t_len = np.array([len(_ORDER_TEXT[ty]) for ty in _ORDER_TYPES])
    trial_text = texts.index("Trial order")
    t_pick = t_first[o_type] + (rng.random(O) * np.where(o_type == 0, t_len[0] - 1, t_len[o_type])).astype(np.int64)
    t_pick = np.where(sub_trial[o_sub], trial_text, t_pick)
    o_null = rng.random(O) < 0.2
    orders_df = (
        pl.DataFrame(
            {
                "order_id": _numbered("ORD-", O, 8),
                "subscription_id": sub_id.gather(pl.Series(o_sub.astype(np.int64))),
                "ordered_on": _dates(A + o_day),
                "type": pl.Series(list(_ORDER_TYPES), dtype=pl.Utf8).gather(pl.Series(o_type.astype(np.int64))),
                "description": _pick(texts, t_pick),
                "_null": pl.Series(o_null),
            }
        )
        .with_columns(pl.when(pl.col("_null")).then(None).otherwise(pl.col("description")).alias("description"))
        .drop("_null")
    )

    # ---- invoices (paid subscriptions, monthly) ----------------------------------------------
    # billed every 30 days from start_date; the latest few invoices before as_of (or the end)
    i_stop = np.minimum(sub_end, -1)
    months = np.maximum(i_stop - sub_start, 0) // 30 + 1
    n_inv = np.where(sub_trial, 0, np.minimum(months, rng.integers(1, 7, S)))
    v_sub, v_k = _expand(np.arange(S), n_inv)
    V = len(v_sub)
    issued = sub_start[v_sub] + 30 * (months[v_sub] - 1 - v_k)
    due = issued + rng.choice(np.array([14, 30, 30, 45]), V)
    sub_lic = np.bincount(line_sub, weights=lic, minlength=S)
    v_cur = currency[sub_cust[v_sub]]
    amount = sub_lic[v_sub] * _PRICE[v_cur] * rng.uniform(0.85, 1.1, V)
    amount = np.where(v_cur == 3, np.round(amount), np.round(amount, 2))
    v_status = np.where(due >= 0, 1, np.where(rng.random(V) < 0.05, 2, 0))
    v_status = np.where((sub_status[v_sub] == _SUSPENDED) & (due < 0) & (v_k <= 1), 2, v_status)
    invoices_df = pl.DataFrame(
        {
            "invoice_id": _numbered("INV-", V, 8),
            "subscription_id": sub_id.gather(pl.Series(v_sub.astype(np.int64))),
            "issued_on": _dates(A + issued),
            "due_on": _dates(A + due),
            "amount": pl.Series(amount.astype(np.float64)),
            "currency": pl.Series(list(_CURRENCIES), dtype=pl.Utf8).gather(pl.Series(v_cur.astype(np.int64))),
            "status": pl.Series(["paid", "open", "overdue"], dtype=pl.Utf8).gather(
                pl.Series(v_status.astype(np.int64))
            ),
        }
    )

    # ---- calling: one row per customer and week with a calling line ---------------------------
    is_call = line_prod[row_line] == _C
    cw = (
        pl.DataFrame(
            {
                "c": pl.Series(line_cust[row_line[is_call]].astype(np.int64)),
                "w": pl.Series(row_w[is_call]),
                "a": pl.Series(assigned[is_call]),
                "u": pl.Series(used[is_call]),
            }
        )
        .group_by("c", "w")
        .agg(pl.col("a").sum(), pl.col("u").sum())
        .sort("c", "w")
    )
    del is_call
    cw_c = cw["c"].to_numpy()
    cw_w = cw["w"].to_numpy().astype(np.int64)
    cw_a = cw["a"].to_numpy()
    cw_u = cw["u"].to_numpy()
    CW = len(cw_c)
    active_frac = rng.uniform(0.82, 1.0, N)
    calls_per_user = np.exp(rng.normal(np.log(14.0), 0.5, N))
    call_minutes = rng.uniform(2.5, 6.0, N)
    has_q = rng.random(N) < 0.3
    n_q = rng.integers(1, 6, N)
    ep_mask = rng.random((N, len(ENDPOINT_TYPES))) < _EP_P
    ep_mask[~ep_mask.any(axis=1), ENDPOINT_TYPES.index("webex_app_desktop")] = True
    ep_weight = rng.gamma(1.0, 1.0, (N, len(ENDPOINT_TYPES))) + 0.05
    poor_factor = np.exp(rng.normal(0.0, 0.6, N)) * np.where(rng.random(N) < 0.05, 5.0, 1.0)
    feat_mask = rng.random((N, len(FEATURES))) < _FEAT_P
    for i, a in enumerate(arch):  # archetypes use every endpoint type and feature
        has_q[i] = a["queues"]
    ep_mask[:na] = True
    feat_mask[:na] = True
    feat_mask[:, FEATURES.index("call_queue")] = has_q

    active = rng.binomial(cw_u, active_frac[cw_c] * rng.uniform(0.9, 1.0, CW)).astype(np.int64)
    calls = np.rint(active * calls_per_user[cw_c] * season[cw_w] * np.exp(rng.normal(0.0, 0.12, CW))).astype(np.int64)
    minutes = np.round(calls * call_minutes[cw_c] * np.exp(rng.normal(0.0, 0.08, CW)), 1)
    cw_cid = cust_id.gather(pl.Series(cw_c))
    cw_week = _dates(A - 7 * (W - cw_w))
    calling_usage_df = pl.DataFrame(
        {
            "customer_id": cw_cid,
            "week_start": cw_week,
            "licensed_users": pl.Series(cw_a.astype(np.int64)),
            "active_users": pl.Series(active),
            "calls": pl.Series(calls),
            "minutes": pl.Series(minutes.astype(np.float64)),
        }
    )

    q_base, q_ep = _expand_mask(cw_c, ep_mask)
    Q = len(q_base)
    q_c = cw_c[q_base]
    w = ep_weight[q_c, q_ep] * ep_mask[q_c, q_ep]
    w_sum = (ep_weight * ep_mask).sum(axis=1)
    q_calls = np.rint(calls[q_base] * w / w_sum[q_c] * np.exp(rng.normal(0.0, 0.1, Q))).astype(np.int64)
    p_poor = np.clip(_EP_POOR[q_ep] * poor_factor[q_c] * np.exp(rng.normal(0.0, 0.3, Q)), 0.0, 0.6)
    poor = rng.binomial(q_calls, p_poor).astype(np.int64)
    qb = pl.Series(q_base.astype(np.int64))
    call_quality_df = pl.DataFrame(
        {
            "customer_id": cw_cid.gather(qb),
            "week_start": cw_week.gather(qb),
            "endpoint_type": pl.Series(list(ENDPOINT_TYPES), dtype=pl.Utf8).gather(pl.Series(q_ep.astype(np.int64))),
            "calls": pl.Series(q_calls),
            "poor_calls": pl.Series(poor),
        }
    )

    f_base, f_feat = _expand_mask(cw_c, feat_mask)
    F = len(f_base)
    f_calls = np.rint(calls[f_base] * _FEAT_SHARE[f_feat] * np.exp(rng.normal(0.0, 0.3, F))).astype(np.int64)
    fb = pl.Series(f_base.astype(np.int64))
    calling_features_df = pl.DataFrame(
        {
            "customer_id": cw_cid.gather(fb),
            "week_start": cw_week.gather(fb),
            "feature": pl.Series(list(FEATURES), dtype=pl.Utf8).gather(pl.Series(f_feat.astype(np.int64))),
            "calls": pl.Series(f_calls),
        }
    )

    # call queues: queue j of customer c is `<customer_id>-Q<j+1>`
    q_counts = np.where(has_q, n_q, 0)
    qsplit = rng.gamma(2.0, 1.0, (N, 5)) * (np.arange(5) < q_counts[:, None])
    qsplit /= np.maximum(qsplit.sum(axis=1, keepdims=True), 1e-9)
    q_share = rng.uniform(0.15, 0.45, N)
    p_abandon = np.where(rng.random((N, 5)) < 0.1, rng.uniform(0.15, 0.3, (N, 5)), rng.uniform(0.02, 0.12, (N, 5)))
    p_overflow = rng.uniform(0.0, 0.06, (N, 5))
    answer_wait = rng.uniform(8.0, 75.0, (N, 5))
    abandon_wait = rng.uniform(25.0, 140.0, (N, 5))
    name_start = rng.integers(0, len(_QUEUE_NAMES_EN), N)
    k_base, k_j = _expand(cw_c, q_counts)
    K = len(k_base)
    k_c = cw_c[k_base]
    offered = np.rint(calls[k_base] * q_share[k_c] * qsplit[k_c, k_j] * np.exp(rng.normal(0.0, 0.1, K))).astype(
        np.int64
    )
    abandoned = rng.binomial(offered, p_abandon[k_c, k_j]).astype(np.int64)
    overflowed = rng.binomial(offered - abandoned, p_overflow[k_c, k_j]).astype(np.int64)
    answered = rng.binomial(offered - abandoned - overflowed, 0.985).astype(np.int64)
    ans_wait = np.round((answered + overflowed) * answer_wait[k_c, k_j] * np.exp(rng.normal(0.0, 0.2, K)), 1)
    ab_wait = np.round(abandoned * abandon_wait[k_c, k_j] * np.exp(rng.normal(0.0, 0.2, K)), 1)
    qnames = list(_QUEUE_NAMES_EN) + list(_QUEUE_NAMES_JP)
    qn_idx = (name_start[k_c] + k_j) % len(_QUEUE_NAMES_EN) + np.where(jp[k_c], len(_QUEUE_NAMES_EN), 0)
    kb = pl.Series(k_base.astype(np.int64))
    call_queues_df = pl.DataFrame(
        {
            "customer_id": cw_cid.gather(kb),
            "queue_id": pl.Series((k_j + 1).astype(np.int64)).cast(pl.Utf8),
            "queue_name": _pick(qnames, qn_idx),
            "week_start": cw_week.gather(kb),
            "offered": pl.Series(offered),
            "answered": pl.Series(answered),
            "abandoned": pl.Series(abandoned),
            "overflowed": pl.Series(overflowed),
            "answer_wait_seconds": pl.Series(ans_wait.astype(np.float64)),
            "abandon_wait_seconds": pl.Series(ab_wait.astype(np.float64)),
        }
    ).with_columns(pl.concat_str([pl.col("customer_id"), pl.lit("-Q"), pl.col("queue_id")]).alias("queue_id"))

    # ---- directory ---------------------------------------------------------------------------
    others = []
    for i in range(20):
        first_name, last_name = _ADMIN_FIRST[i], _ADMIN_LAST[(i * 7) % len(_ADMIN_LAST)]
        others.append((f"{first_name}.{last_name}@partner.example".lower(), f"{first_name} {last_name}"))
    other_roles = rng.integers(0, len(ROLES), len(others))
    partner_admins_df = pl.DataFrame(
        {
            "email": [e for e in DEMO_USERS] + [e for e, _ in others],
            "name": [v[0] for v in DEMO_USERS.values()] + [nm for _, nm in others],
            "role": [v[1] for v in DEMO_USERS.values()] + [ROLES[r] for r in other_roles],
        },
        schema={"email": pl.Utf8, "name": pl.Utf8, "role": pl.Utf8},
    )

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
    customer_admins_df = pl.DataFrame(
        {
            "customer_id": cust_id.gather(pl.Series(links_c.astype(np.int64))),
            "email": pl.Series(links_e, dtype=pl.Utf8),
        }
    ).sort("customer_id", "email")

    tables = {
        "customers": customers_df,
        "subscriptions": subscriptions_df,
        "subscription_licenses": licenses_df,
        "license_usage": usage_df,
        "orders": orders_df,
        "invoices": invoices_df,
        "calling_usage": calling_usage_df,
        "call_quality": call_quality_df,
        "calling_features": calling_features_df,
        "call_queues": call_queues_df,
        "partner_admins": partner_admins_df,
        "customer_admins": customer_admins_df,
    }
    # exactly the contract's columns, order and types
    return {name: tables[name].select([pl.col(c).cast(t) for c, t in SCHEMAS[name].items()]) for name in TABLE_NAMES}
