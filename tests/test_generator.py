"""The demo-data generator writes valid, deterministic, realistic contract data
(spec/data-contract.md) in which every dashboard section has something to show."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import polars as pl
import pytest

from partnerhub.data.contract import BY_NAME, ENDPOINT_TYPES, FEATURES, PRODUCTS, ROLES, TABLES
from partnerhub.data.generator import DEMO_USERS, SCHEMAS, TABLE_NAMES, generate, latest_sunday

AS_OF = date(2025, 11, 23)  # a Sunday
ID_RE = r"^[A-Za-z0-9._-]{1,64}$"
WEEK_TABLES = ("license_usage", "calling_usage", "call_quality", "calling_features", "call_queues")


def _read(folder: Path, fmt: str = "parquet") -> dict[str, pl.DataFrame]:
    if fmt == "parquet":
        return {t: pl.read_parquet(folder / f"{t}.parquet") for t in TABLE_NAMES}
    return {t: pl.read_csv(folder / f"{t}.csv", schema=SCHEMAS[t]) for t in TABLE_NAMES}


@pytest.fixture(scope="module")
def ds300(tmp_path_factory):
    folder = tmp_path_factory.mktemp("ds300")
    counts = generate(folder, customers=300, weeks=26, seed=7, as_of=AS_OF)
    return counts, _read(folder)


@pytest.fixture(scope="module")
def ds200(tmp_path_factory):
    folder = tmp_path_factory.mktemp("ds200")
    generate(folder, customers=200, weeks=13, seed=3, as_of=AS_OF)
    return _read(folder)


# ---- basics ---------------------------------------------------------------------


def test_latest_sunday():
    assert latest_sunday(date(2025, 11, 23)) == date(2025, 11, 23)  # Sunday
    assert latest_sunday(date(2025, 11, 22)) == date(2025, 11, 16)  # Saturday
    assert latest_sunday(date(2025, 11, 24)) == date(2025, 11, 23)  # Monday
    assert latest_sunday(date(2024, 3, 1)) == date(2024, 2, 25)  # across a leap day
    for d in range(14):
        day = date(2026, 1, 1) + timedelta(days=d)
        s = latest_sunday(day)
        assert s.weekday() == 6 and 0 <= (day - s).days < 7


def test_rejects_bad_arguments(tmp_path):
    with pytest.raises(ValueError):
        generate(tmp_path, customers=10, weeks=2, as_of=date(2025, 11, 24))
    with pytest.raises(ValueError):
        generate(tmp_path, customers=10, weeks=2, as_of=AS_OF, fmt="xlsx")
    with pytest.raises(ValueError):
        generate(tmp_path, customers=10, weeks=0, as_of=AS_OF)


@pytest.mark.parametrize("fmt", ["parquet", "csv"])
def test_deterministic(tmp_path, fmt):
    a, b, c = tmp_path / "a", tmp_path / "b", tmp_path / "c"
    ca = generate(a, customers=150, weeks=14, seed=5, as_of=AS_OF, fmt=fmt)
    cb = generate(b, customers=150, weeks=14, seed=5, as_of=AS_OF, fmt=fmt)
    generate(c, customers=150, weeks=14, seed=6, as_of=AS_OF, fmt=fmt)
    assert ca == cb
    assert sorted(p.name for p in a.iterdir()) == sorted(f"{t}.{fmt}" for t in TABLE_NAMES)
    for t in TABLE_NAMES:
        assert (a / f"{t}.{fmt}").read_bytes() == (b / f"{t}.{fmt}").read_bytes(), t
    assert (a / f"license_usage.{fmt}").read_bytes() != (c / f"license_usage.{fmt}").read_bytes()


def test_csv_and_parquet_hold_the_same_data(tmp_path):
    generate(tmp_path / "p", customers=120, weeks=13, seed=2, as_of=AS_OF, fmt="parquet")
    generate(tmp_path / "c", customers=120, weeks=13, seed=2, as_of=AS_OF, fmt="csv")
    p, c = _read(tmp_path / "p"), _read(tmp_path / "c", "csv")
    for t in TABLE_NAMES:
        assert p[t].equals(c[t]), t


def test_switching_format_leaves_one_file_per_table(tmp_path):
    generate(tmp_path, customers=30, weeks=3, as_of=AS_OF, fmt="csv")
    generate(tmp_path, customers=30, weeks=3, as_of=AS_OF, fmt="parquet")
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(f"{t}.parquet" for t in TABLE_NAMES)


def test_default_as_of_is_the_latest_sunday(tmp_path):
    before = latest_sunday(datetime.now(UTC).date())
    generate(tmp_path, customers=20, weeks=2)
    after = latest_sunday(datetime.now(UTC).date())
    latest = pl.read_parquet(tmp_path / "license_usage.parquet")["week_start"].max()
    assert latest + timedelta(days=7) in (before, after)


@pytest.mark.parametrize("customers,weeks", [(1, 1), (5, 2), (18, 12), (40, 13), (60, 1)])
def test_small_sizes(tmp_path, customers, weeks):
    counts = generate(tmp_path, customers=customers, weeks=weeks, seed=1, as_of=AS_OF)
    usage = pl.read_parquet(tmp_path / "license_usage.parquet")
    assert counts["customers"] == customers
    assert usage["week_start"].max() + timedelta(days=7) == AS_OF
    assert usage["week_start"].n_unique() <= weeks
    admins = pl.read_parquet(tmp_path / "customer_admins.parquet")
    assert admins.filter(pl.col("email") == "admin@demo.example").height == min(customers, 20)


# ---- the contract -------------------------------------------------------------------


def test_columns_and_types(ds300, tmp_path):
    counts, d = ds300
    for table in TABLES:
        df = d[table.name]
        assert df.columns == list(table.column_names), table.name
        assert dict(df.schema) == SCHEMAS[table.name], table.name
        assert counts[table.name] == df.height > 0
    assert d["customers"]["last_admin_sign_in"].dtype == pl.Datetime("us", "UTC")
    generate(tmp_path, customers=40, weeks=13, as_of=AS_OF, fmt="csv")
    for t in TABLE_NAMES:
        header = (tmp_path / f"{t}.csv").read_text(encoding="utf-8").splitlines()[0]
        assert header.split(",") == list(BY_NAME[t].column_names)


def test_csv_encodings(tmp_path):
    generate(tmp_path, customers=60, weeks=13, as_of=AS_OF, fmt="csv")
    raw = {t: pl.read_csv(tmp_path / f"{t}.csv", infer_schema=False) for t in TABLE_NAMES}
    assert set(raw["subscriptions"]["auto_renew"].unique()) == {"true", "false"}
    ts = raw["customers"]["last_admin_sign_in"].drop_nulls()
    assert ts.len() > 0 and ts.str.contains(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$").all()
    assert raw["customers"]["last_admin_sign_in"].null_count() > 0  # empty field = null
    for t in TABLE_NAMES:
        for col in BY_NAME[t].columns:
            if col.type in ("date", "sunday"):
                assert raw[t][col.name].str.contains(r"^\d{4}-\d{2}-\d{2}$").all(), (t, col.name)
            if col.type == "int":
                assert raw[t][col.name].str.contains(r"^\d+$").all(), (t, col.name)
    # names with commas and quotes survive RFC 4180 quoting
    names = pl.read_csv(tmp_path / "customers.csv", schema=SCHEMAS["customers"])["name"]
    assert 'O\'Brien, Walsh & Partners "Legal" <UK>' in names.to_list()


def test_values_follow_the_rules(ds300):
    _, d = ds300
    for table in TABLES:
        df = d[table.name]
        for col in table.columns:
            s = df[col.name]
            if not col.nullable:
                assert s.null_count() == 0, (table.name, col.name)
            s = s.drop_nulls()
            if col.type == "id":
                assert s.str.contains(ID_RE).all(), (table.name, col.name)
            elif col.type == "name":
                assert s.str.len_chars().is_between(1, 200).all(), (table.name, col.name)
            elif col.type == "enum":
                assert set(s.unique()) <= set(col.values), (table.name, col.name)
            elif col.type == "sunday":
                assert (s.dt.weekday() == 7).all(), (table.name, col.name)
            elif col.type == "currency":
                assert s.str.contains(r"^[A-Z]{3}$").all()
            elif col.type == "email":
                assert s.str.contains(r"^[^@\s,;]+@[^@\s,;]+\.[^@\s,;]+$").all()
                assert (s == s.str.to_lowercase()).all()
            if col.minimum is not None:
                assert (s >= col.minimum).all(), (table.name, col.name)


def test_keys_are_unique_and_references_resolve(ds300):
    _, d = ds300
    for table in TABLES:
        df = d[table.name]
        if table.key:
            assert df.select(table.key).is_duplicated().sum() == 0, table.name
        for ref in table.references:
            target = d[ref.table].select([pl.col(a).alias(b) for a, b in zip(ref.target, ref.columns)]).unique()
            missing = df.select(ref.columns).join(target, on=list(ref.columns), how="anti")
            assert missing.height == 0, (table.name, ref.table)


def test_row_rules(ds300):
    _, d = ds300
    subs = d["subscriptions"]
    assert (subs["end_date"] >= subs["start_date"]).all()
    assert subs.filter((pl.col("kind") == "trial") & pl.col("auto_renew")).height == 0
    u = d["license_usage"]
    assert (u["used"] <= u["assigned"]).all()
    q = d["call_quality"]
    assert (q["poor_calls"] <= q["calls"]).all()
    cq = d["call_queues"]
    assert ((cq["answered"] + cq["abandoned"] + cq["overflowed"]) <= cq["offered"]).all()
    # one customer per queue
    assert cq.group_by("queue_id").agg(pl.col("customer_id").n_unique())["customer_id"].max() == 1
    inv = d["invoices"]
    assert (inv["due_on"] >= inv["issued_on"]).all()
    assert set(inv["currency"].unique()) == {"USD", "EUR", "JPY", "GBP"}
    assert set(inv["status"].unique()) == {"paid", "open", "overdue"}
    assert set(d["orders"]["type"].unique()) == {"new", "renewal", "change", "cancellation"}
    assert d["orders"]["description"].null_count() > 0
    cu = d["calling_usage"]
    assert (cu["active_users"] <= cu["licensed_users"]).all()
    c = d["customers"]
    assert c.filter(pl.col("last_admin_sign_in").dt.date() > AS_OF).height == 0
    assert c.filter(pl.col("last_admin_sign_in").dt.date() < pl.col("created_on")).height == 0


def test_as_of_and_weeks(ds300):
    _, d = ds300
    latest = AS_OF - timedelta(days=7)
    assert d["license_usage"]["week_start"].max() + timedelta(days=7) == AS_OF
    for t in WEEK_TABLES:
        weeks = d[t]["week_start"]
        assert (weeks.dt.weekday() == 7).all(), t
        assert weeks.max() == latest, t
        assert weeks.min() >= AS_OF - timedelta(days=7 * 26), t
    assert d["license_usage"]["week_start"].n_unique() == 26


def test_usage_rows_are_the_live_weeks(ds300):
    """One row per (line, week) the subscription was live, but for a few left out."""
    _, d = ds300
    subs = d["subscriptions"].select("subscription_id", "start_date", "end_date")
    rows = d["license_usage"].join(subs, on="subscription_id")
    live = (pl.col("start_date") <= pl.col("week_start") + timedelta(days=6)) & (
        pl.col("end_date") >= pl.col("week_start")
    )
    assert rows.filter(~live).height == 0
    weeks = pl.DataFrame({"week_start": [AS_OF - timedelta(days=7 * k) for k in range(1, 27)]})
    expected = (
        d["subscription_licenses"]
        .select("subscription_id", "product")
        .join(subs, on="subscription_id")
        .join(weeks, how="cross")
        .filter(live)
    )
    missing = expected.join(rows, on=["subscription_id", "product", "week_start"], how="anti")
    assert 0 < missing.height <= 0.01 * expected.height
    assert set(missing["week_start"].unique()) <= {AS_OF - timedelta(days=7), AS_OF - timedelta(days=14)}


def test_directory(ds300):
    _, d = ds300
    admins = d["partner_admins"]
    for email, (name, role) in DEMO_USERS.items():
        assert admins.filter(pl.col("email") == email).rows() == [(email, name, role)]
    assert admins.height >= 25
    assert set(admins["role"].unique()) <= set(ROLES)
    links = d["customer_admins"]
    per = links.group_by("email").len()
    n_admin = per.filter(pl.col("email") == "admin@demo.example")["len"].item()
    n_sales = per.filter(pl.col("email") == "sales@demo.example")["len"].item()
    assert n_admin >= 20 and 0.12 * 300 <= n_admin <= 0.2 * 300
    assert n_sales >= 10 and 0.07 * 300 <= n_sales <= 0.15 * 300
    # every customer is managed by someone
    assert links["customer_id"].n_unique() == 300


def test_realistic(tmp_path):
    generate(tmp_path, customers=3000, weeks=52, seed=11, as_of=AS_OF)
    d = _read(tmp_path)
    names = d["customers"]["name"]
    jp = names.str.contains(r"[\u3040-\u30ff\u4e00-\u9fff]")
    assert 0.3 < jp.mean() < 0.6
    assert names.str.contains(r"^株式会社").any() and names.str.contains(r" (Ltd|Inc\.|LLC)$").any()
    lic = d["subscription_licenses"]["licenses"]
    assert 5 <= lic.median() <= 50 and lic.max() >= 1000
    assert lic.filter(lic.is_between(5, 50)).len() > 0.5 * lic.len()
    n_subs = d["subscriptions"].group_by("customer_id").len()["len"]
    assert n_subs.min() >= 1 and n_subs.max() <= 3
    products = d["subscription_licenses"].group_by("subscription_id").agg(pl.col("product"))
    share = {p: products["product"].list.contains(p).mean() for p in PRODUCTS}
    assert max(share, key=share.get) == "meetings" and 0.15 < share["calling"] < 0.4
    assert all(share[p] > 0 for p in PRODUCTS)
    calling_customers = d["calling_usage"]["customer_id"].n_unique()
    assert 0.2 <= calling_customers / 3000 <= 0.35
    queue_customers = d["call_queues"]["customer_id"].n_unique()
    assert 0.2 <= queue_customers / calling_customers <= 0.4
    assert d["call_queues"].group_by("customer_id").agg(pl.col("queue_id").n_unique())["queue_id"].max() == 5
    managed = d["customers"]["managed_by"].value_counts()
    assert managed.height == 2
    signin = d["customers"]["last_admin_sign_in"]
    assert 0.02 < signin.null_count() / 3000 < 0.15
    old = (signin.drop_nulls().dt.date() < AS_OF - timedelta(days=30)).mean()
    assert 0.1 < old < 0.5
    # calls dip over the year-end holidays and in August
    calls = d["calling_usage"].group_by("week_start").agg(pl.col("calls").sum()).sort("week_start")
    typical = calls["calls"].median()
    at = dict(calls.iter_rows())
    assert at[date(2024, 12, 28) - timedelta(days=6)] < 0.7 * typical  # week of Dec 22
    assert at[date(2025, 8, 10)] < 0.8 * typical
    # allocation drifts: lines whose assigned count changed over the weeks
    u = d["license_usage"].group_by("subscription_id", "product").agg(pl.col("assigned").n_unique())
    assert (u["assigned"] > 1).mean() > 0.3


# ---- every section has something to show at 200 customers ---------------------------------


def _lines(d: dict[str, pl.DataFrame]) -> pl.DataFrame:
    """Per line, the facts of metrics.md the sections are built on."""
    latest, previous = AS_OF - timedelta(days=7), AS_OF - timedelta(days=14)
    u = d["license_usage"]
    at = lambda week, name: u.filter(pl.col("week_start") == week).select(  # noqa: E731
        "subscription_id", "product", pl.col("assigned").alias(name), pl.col("used").alias(name + "_used")
    )
    return (
        d["subscription_licenses"]
        .join(d["subscriptions"], on="subscription_id")
        .join(at(latest, "assigned"), on=["subscription_id", "product"], how="left")
        .join(at(previous, "prev"), on=["subscription_id", "product"], how="left")
        .with_columns(
            has_latest=pl.col("assigned").is_not_null(),
            has_prev=pl.col("prev").is_not_null(),
            assigned=pl.col("assigned").fill_null(0),
            current=(pl.col("status") != "expired") & (pl.col("start_date") <= AS_OF) & (pl.col("end_date") >= AS_OF),
            days_to_end=(pl.col("end_date") - AS_OF).dt.total_days(),
            days_since_added=(AS_OF - pl.col("start_date")).dt.total_days(),
        )
    )


def _both_products(df: pl.DataFrame, what: str) -> None:
    found = set(df["product"].unique())
    assert {"meetings", "calling"} <= found, f"{what}: only {sorted(found)}"


def test_sections_have_rows(ds200):
    d = ds200
    lines = _lines(d)
    cur = lines.filter(pl.col("current"))
    # headline and statuses
    assert cur.filter((pl.col("kind") == "trial") & (pl.col("status") == "active")).height > 0
    _both_products(cur.filter((pl.col("kind") == "trial") & (pl.col("status") == "active")), "trial")
    _both_products(cur.filter((pl.col("kind") == "paid") & (pl.col("status") == "active")), "paid")
    # expiring: within 30 days and within 31-90 days
    expiring = cur.filter(~pl.col("auto_renew") & pl.col("days_to_end").is_between(0, 90))
    _both_products(expiring.filter(pl.col("days_to_end") <= 30), "expiring within 30 days")
    _both_products(expiring.filter(pl.col("days_to_end") > 30), "expiring within 31-90 days")
    # renewing
    _both_products(cur.filter(pl.col("auto_renew") & pl.col("days_to_end").is_between(0, 90)), "renewing")
    # recently added
    recent = cur.filter(pl.col("days_since_added").is_between(0, 90))
    _both_products(recent, "recently added")
    _both_products(recent.filter(pl.col("days_since_added") <= 30), "added within 30 days")
    # overage
    _both_products(cur.filter(pl.col("assigned") > pl.col("licenses")), "overage")
    # low allocation, with the peer baseline of metrics.md
    peers = cur.filter(pl.col("licenses") >= 1).with_columns(
        ratio=pl.col("assigned") / pl.col("licenses"),
        band=pl.col("licenses").bin_intervals([10, 50, 250, 1000], labels=False, right_closed=True),
    )
    band = peers.group_by("product", "band").agg(band_median=pl.col("ratio").median(), n=pl.len())
    product = peers.group_by("product").agg(product_median=pl.col("ratio").median())
    low = (
        peers.join(band, on=["product", "band"])
        .join(product, on="product")
        .with_columns(baseline=pl.when(pl.col("n") >= 5).then("band_median").otherwise("product_median"))
        .filter((pl.col("days_since_added") >= 30) & (pl.col("ratio") < 0.5 * pl.col("baseline")))
    )
    _both_products(low, "low allocation")
    assert low.filter(pl.col("ratio") < 0.15).height > 0
    # typical allocation 60-90%
    assert 0.6 <= peers["ratio"].median() <= 0.9
    # pending setup, suspended, expired
    for status in ("pending_setup", "suspended", "expired"):
        _both_products(lines.filter(pl.col("status") == status), status)
    per_customer = d["subscriptions"].group_by("customer_id").agg(all_expired=(pl.col("status") == "expired").all())
    assert per_customer["all_expired"].any()
    # lines without a row in the latest / previous week
    _both_products(cur.filter(~pl.col("has_latest") & pl.col("has_prev")), "no row in the latest week")
    _both_products(
        cur.filter(pl.col("has_latest") & ~pl.col("has_prev") & (pl.col("days_since_added") > 14)),
        "no row in the previous week",
    )
    # no recent admin sign-in
    signin = d["customers"]["last_admin_sign_in"]
    assert signin.null_count() > 0
    assert (signin.drop_nulls().dt.date() < AS_OF - timedelta(days=30)).any()
    assert set(d["customers"]["managed_by"].unique()) == {"partner", "external"}


def test_calling_sections_have_rows(ds200):
    d = ds200
    latest, previous = AS_OF - timedelta(days=7), AS_OF - timedelta(days=14)
    for t in ("calling_usage", "call_quality", "calling_features", "call_queues"):
        for week in (latest, previous):
            assert d[t].filter(pl.col("week_start") == week).height > 0, (t, week)
    q = d["call_quality"].filter(pl.col("week_start") == latest)
    assert set(q["endpoint_type"].unique()) == set(ENDPOINT_TYPES)
    assert q["poor_calls"].sum() > 0
    queue_customers = d["call_queues"]["customer_id"].unique()
    f = d["calling_features"].filter(
        (pl.col("week_start") == latest) & pl.col("customer_id").is_in(queue_customers.implode())
    )
    assert set(f["feature"].unique()) == set(FEATURES)
    cq = d["call_queues"].filter(pl.col("week_start") == latest)
    assert cq["offered"].sum() > 0 and cq["abandoned"].sum() > 0 and cq["overflowed"].sum() > 0
    cu = d["calling_usage"].filter(pl.col("week_start") == latest)
    assert cu["calls"].sum() > 0 and cu["minutes"].sum() > 0
    assert (cu["licensed_users"] > cu["active_users"]).any()


def test_demo_admins_see_every_section(ds200):
    """The customers assigned to admin@ and sales@ cover every section (they hold the archetypes)."""
    d = ds200
    lines = _lines(d)
    for email in ("admin@demo.example", "sales@demo.example"):
        mine = d["customer_admins"].filter(pl.col("email") == email)["customer_id"]
        cur = lines.filter(pl.col("customer_id").is_in(mine.implode()) & pl.col("current"))
        _both_products(cur.filter(pl.col("kind") == "trial"), f"{email} trial")
        _both_products(cur.filter(~pl.col("auto_renew") & pl.col("days_to_end").is_between(0, 30)), f"{email} expiring")
        _both_products(cur.filter(pl.col("auto_renew") & pl.col("days_to_end").is_between(0, 90)), f"{email} renewing")
        _both_products(cur.filter(pl.col("days_since_added") <= 30), f"{email} recently added")
        _both_products(cur.filter(pl.col("assigned") > pl.col("licenses")), f"{email} overage")
        _both_products(
            cur.filter(
                (pl.col("days_since_added") >= 30)
                & (pl.col("licenses") >= 20)
                & (pl.col("assigned") < 0.15 * pl.col("licenses"))
            ),
            f"{email} low",
        )
        queues = d["call_queues"].filter(
            pl.col("customer_id").is_in(mine.implode()) & (pl.col("week_start") == AS_OF - timedelta(days=7))
        )
        assert queues.height > 0
