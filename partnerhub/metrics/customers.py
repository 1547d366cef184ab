"""The customer list (metrics.md "Customer statuses"): one row per customer in
scope with its statuses, products, license sums and tags, after the list's
filters.

Everything is one DuckDB query over `customer_facts` (precomputed at import):
the scope, the filters and the viewer's tags are bound parameters, so
`customers_page` can sort and page 100 000 customers in the database and
return exactly the values `customers` returns for the same rows.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import polars as pl

from partnerhub.data.tags import customers_with_tags, tags_by_customer
from partnerhub.formatting import collation

from . import cache, licenses
from .definitions import NEEDS_ATTENTION, STATUSES
from .health import BANDS, REASONS
from .health import source as health_source
from .query import cast_columns, check_page, scope_sql, sort_directions
from .types import SEGMENT_SECTIONS, TOGGLE_PRODUCTS, Context, Result, View
from .view_query import SUBSCRIPTION_TYPES, check_filters

EXPORT_COLUMNS = (
    "customer_id",
    "customer_name",
    "managed_by",
    "statuses",
    "needs_attention",
    "products",
    "subscription_types",
    "tags",
    "total_licenses",
    "assigned",
    "used",
    "last_admin_sign_in",
    # metrics.md "Customer health": null for a customer that is not scored
    "health_score",
    "health_band",
)

# When each status holds (metrics.md), over one customer_facts row:
STATUS_SQL = {
    # an active trial running today
    "trial": "has_active_trial",
    # an active paid subscription running today
    "subscription": "has_active_paid",
    # something live that does not renew by itself ends within the next 30 days
    "expiring_soon": "coalesce(next_end_without_renewal <= $soon_end, false)",
    # a current line with more licenses assigned than purchased
    "license_overage": "has_overage",
    # no customer administrator signed in during the last 30 days
    "no_recent_activity": "(last_admin_sign_in IS NULL OR last_admin_sign_in < $activity_cutoff)",
    # an order placed but not fully set up
    "order_ready_for_setup": "has_pending_setup",
    # a subscription suspended for non-payment
    "suspended": "has_suspended",
    # nothing live any more (nor ever, for a customer with no subscription)
    "expired": "is_expired",
}
assert tuple(STATUS_SQL) == STATUSES


def _base_sql(ctx: Context, view: View, only: str | None = None) -> tuple[str, dict]:
    """SELECT of the list's rows (all columns, filtered, unsorted) and its
    parameters; `only`: just that customer's row."""
    f = check_filters(view.filters)
    scope, params = scope_sql(view)
    if only is not None:
        scope += " AND customer_id = $only"
        params["only"] = only
    tag_frame = tags_by_customer(ctx.state, None if only is None else [only])
    as_of = ctx.as_of
    midnight = datetime.combine(as_of, time(0), tzinfo=UTC)
    params.update(
        tag_customers=tag_frame["customer_id"].to_list(),
        tag_names=tag_frame["tag"].to_list(),
        soon_end=as_of + timedelta(days=ctx.settings.expiring_soon_days),
        activity_cutoff=midnight - timedelta(days=ctx.settings.no_recent_activity_days),
    )
    flags = ",\n".join(f"{sql} AS st_{name}" for name, sql in STATUS_SQL.items())
    status_text = ", ".join(f"CASE WHEN st_{s} THEN '{s}' END" for s in STATUSES)
    attention = " OR ".join(f"st_{s}" for s in STATUSES if s in NEEDS_ATTENTION)

    where = []
    # several values of one filter: any of them; different filters: all of them
    if f.managed_by:
        where.append("managed_by IN (SELECT unnest($managed_by::VARCHAR[]))")
        params["managed_by"] = list(f.managed_by)
    if f.product:
        where.append("list_has_any(product_list, $products::VARCHAR[])")
        params["products"] = list(f.product)
    if f.status:
        where.append("(" + " OR ".join(f"st_{s}" for s in STATUSES if s in f.status) + ")")
    if f.subscription_type:
        kinds = {"paid": "has_current_paid", "trial": "has_current_trial"}
        where.append("(" + " OR ".join(kinds[k] for k in SUBSCRIPTION_TYPES if k in f.subscription_type) + ")")
    if f.tag:
        where.append("customer_id IN (SELECT unnest($tagged::VARCHAR[]))")
        params["tagged"] = sorted(customers_with_tags(ctx.state, f.tag))
    if f.q.strip():
        where.append("(contains(lower(customer_name), lower($q)) OR contains(lower(customer_id), lower($q)))")
        params["q"] = f.q.strip()
    if f.needs_attention:
        where.append("needs_attention")
    if f.health_band:
        where.append("health_band IN (SELECT unnest($health_bands::VARCHAR[]))")
        params["health_bands"] = [b for b in BANDS if b in f.health_band]
    if f.reason:
        where.append("list_has_any(string_split(health_reasons, ';'), $reasons::VARCHAR[])")
        params["reasons"] = [r for r in REASONS if r in f.reason]
    if f.segment:
        where.append("customer_id IN (SELECT unnest($segment_ids::VARCHAR[]))")
        params["segment_ids"] = segment_customers(ctx, view.scope, f.segment)
    health, health_params = health_source(ctx)
    params.update(health_params)

    sql = f"""
    WITH tagmap AS (SELECT unnest($tag_customers::VARCHAR[]) AS customer_id,
                           unnest($tag_names::VARCHAR[]) AS tag),
    tagged_customers AS (SELECT customer_id, string_agg(tag, ';' ORDER BY lower(tag), tag) AS tags
                         FROM tagmap GROUP BY customer_id),
    flagged AS (SELECT f.*, {flags} FROM customer_facts f WHERE {scope}),
    health AS (SELECT customer_id, health_score, health_band, reasons AS health_reasons FROM {health}),
    listed AS (
        SELECT fl.*, concat_ws(';', {status_text}) AS statuses, ({attention}) AS needs_attention,
               coalesce(t.tags, '') AS tags, h.health_score, h.health_band, h.health_reasons
        FROM flagged fl LEFT JOIN tagged_customers t USING (customer_id)
        LEFT JOIN health h USING (customer_id)
    )
    SELECT * FROM listed WHERE {" AND ".join(where) or "TRUE"}
    """
    return sql, params


SECTIONS = {
    "recently_added": licenses.recently_added,
    "expiring": licenses.expiring,
    "renewing": licenses.renewing,
    "low_allocation": licenses.low_allocation,
    "overage": licenses.overage,
}


def segment_customers(ctx: Context, scope: frozenset[str] | None, segments: tuple[str, ...]) -> list[str]:
    """The customers in `scope` with a line in any of the license sections
    named (types.SEGMENTS), read from the sections' own metrics functions so
    the list counts exactly what their KPI cards count. The sections get the
    bare scope: the list's other filters apply afterwards (AND), and a section
    never reads the list back (narrowed_view would otherwise recurse)."""
    ids: set[str] = set()
    for segment in segments:
        section, _, product = segment.partition(":")
        for p in (product,) if product else TOGGLE_PRODUCTS:
            ids.update(SECTIONS[section](ctx, View(scope=scope, product=p)).frame["customer_id"].to_list())
    return sorted(ids)


assert tuple(SECTIONS) == SEGMENT_SECTIONS

TEXT_COLUMNS = ("customer_id", "customer_name", "managed_by", "statuses", "products", "subscription_types", "tags")


def _finish(df: pl.DataFrame) -> pl.DataFrame:
    df = cast_columns(
        df,
        ints=("total_licenses", "assigned", "used"),
        floats=("health_score",),
        texts=(*TEXT_COLUMNS, "health_band"),
        bools=("needs_attention",),
    )
    # DuckDB hands TIMESTAMPTZ over as Etc/UTC; exports say plain UTC
    return df.with_columns(pl.col("last_admin_sign_in").dt.convert_time_zone("UTC")).select(EXPORT_COLUMNS)


def customers(ctx: Context, view: View) -> Result:
    """One row per customer in scope matching the filters, by name then ID.
    statuses: every status that holds today, in the list's order;
    needs_attention: any of expiring soon, license overage, no recent
    activity, order ready for setup, suspended; products and
    subscription_types: what is current today; total_licenses, assigned,
    used: sums over the current lines of every product; health_score and
    health_band: the customer's health (metrics.md "Customer health"), null
    when it is not scored."""
    check_filters(view.filters)

    def compute():
        sql, params = _base_sql(ctx, view)
        df = ctx.snapshot.frame(
            f"SELECT {', '.join(EXPORT_COLUMNS)} FROM ({sql}) ORDER BY customer_name, customer_id", params
        )
        df = _finish(df)
        return Result("customers", ctx.as_of, {}, df, EXPORT_COLUMNS)

    return cache.cached(ctx, "customers", view, compute, extra=cache.state_version(ctx))


def customers_page(ctx: Context, view: View, sort=(), offset: int = 0, limit: int = 100) -> tuple[pl.DataFrame, int]:
    """One page of `customers`, sorted and cut in DuckDB. `sort` is a list of
    (export column, 'asc' | 'desc'), sorted by the grids' one rule
    (components.grid.sort_frame): text case-insensitively in the ICU
    collation of the viewer's language (formatting.collation: Japanese names
    in gojūon order beside Latin ones), empty values last either way; ties
    (and no sort) fall back to the list's own order (the spec's, as in
    `customers` and the exports): name as stored, then ID. Returns the page
    and the number of rows of the whole filtered list."""
    order = []
    for column, direction in sort_directions(sort, EXPORT_COLUMNS, "a column of the customer list"):
        sort_key = collated(column) if column in TEXT_COLUMNS else SORT_KEYS.get(column, column)
        order.append(f"{sort_key} {direction} NULLS LAST")
    order += ["customer_name ASC", "customer_id ASC"]
    check_page(offset, limit)
    check_filters(view.filters)
    # DuckDB refuses a parameter the query does not use
    collating = {"collation": collation()} if any("$collation" in o for o in order) else {}
    key = (tuple(order), offset, limit, tuple(collating.values()))

    def compute():
        sql, params = _base_sql(ctx, view)
        df = ctx.snapshot.frame(
            f"SELECT {', '.join(EXPORT_COLUMNS)}, count(*) OVER () AS total_rows FROM ({sql}) "
            f"ORDER BY {', '.join(order)} LIMIT $limit OFFSET $offset",
            {**params, "limit": limit, "offset": offset, **collating},
        )
        if df.height:
            total = int(df["total_rows"][0])
        else:
            total = int(ctx.snapshot.rows(f"SELECT count(*) FROM ({sql})", params)[0][0])
        return _finish(df.drop("total_rows")), total

    return cache.cached(ctx, "customers_page", view, compute, extra=(key, cache.state_version(ctx)))


# the band sorts by how urgent it is (at risk first when ascending), not by its name
SORT_KEYS = {"health_band": f"list_position({list(BANDS)!r}, health_band)"}


def collated(column: str) -> str:
    """The SQL sort key of a text column: lower case (case never decides,
    as in sort_frame), then ICU's key for the $collation parameter."""
    return f"icu_sort_key(lower({column}), $collation)"


def customer_row(ctx: Context, view: View, customer_id: str) -> dict | None:
    """The list's row of one customer in scope (filters ignored), or None."""
    plain = View(scope=view.scope, product=view.product)
    sql, params = _base_sql(ctx, plain, only=customer_id)
    df = ctx.snapshot.frame(f"SELECT {', '.join(EXPORT_COLUMNS)} FROM ({sql})", params)
    df = _finish(df)
    return df.row(0, named=True) if df.height else None
