"""The worklist of "This week" (issue 14): the at-risk and watch customers of
a scope, lowest health first, with their tags and the viewer's follow-up date.

The rows are customer_health's (one place for the numbers, filters narrowing
the scope as for every dataset); this module only keeps the two bands, adds
the tags (app state) and the follow-up dates the page passes in (the viewer's
own, read through the application layer), then sorts and cuts one page in
DuckDB by the grids' one rule (components.grid.sort_frame): text
case-insensitively in the viewer's ICU collation, empty values last either
way, ties in customer_health's own order.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date

import polars as pl

from partnerhub.data.tags import tags_by_customer
from partnerhub.formatting import collation

from .health import BANDS, COLUMNS, customer_health
from .query import check_page, sort_directions
from .types import Context, View

WORKLIST_BANDS = ("at_risk", "watch")
# what the worklist adds to customer_health's columns
ADDED_COLUMNS = ("tags", "follow_up_date")
SORTABLE = ("customer_name", "customer_id", "health_score", "health_band", "licenses", "tags", "follow_up_date")
TEXT_SORTED = ("customer_name", "customer_id", "tags")


def worklist_bands(view: View) -> tuple[str, ...]:
    """The bands shown: at risk and watch, or those of them the filter names."""
    chosen = view.filters.health_band
    return tuple(b for b in WORKLIST_BANDS if not chosen or b in chosen)


def worklist_rows(ctx: Context, view: View) -> pl.DataFrame:
    """customer_health's rows of the worklist's bands, in its order."""
    frame = customer_health(ctx, view).frame
    return frame.filter(pl.col("health_band").is_in(worklist_bands(view)))


def _sort_keys(sort: Sequence[tuple[str, str]]) -> list[str]:
    order = []
    for column, direction in sort_directions(sort, SORTABLE, "a sortable column of the worklist"):
        if column in TEXT_SORTED:
            key = f"icu_sort_key(lower({column}), $collation)"
        elif column == "health_band":
            # by urgency (at risk first when ascending), as the customer list
            key = f"list_position({list(BANDS)!r}, health_band)"
        else:
            key = column
        order.append(f"{key} {direction} NULLS LAST")
    return order + ["position ASC"]


def worklist_page(
    ctx: Context,
    view: View,
    follow_ups: Mapping[str, date],
    sort: Sequence[tuple[str, str]] = (),
    offset: int = 0,
    limit: int = 50,
) -> tuple[pl.DataFrame, int]:
    """One page of the worklist and the number of its rows. Columns: those
    of customer_health (COLUMNS), `tags` (";"-joined by name, null when none)
    and `follow_up_date` (the viewer's open follow-up, from `follow_ups`:
    customer_id -> due date). `sort`: (column of SORTABLE, 'asc' | 'desc')
    pairs; ties and no sort keep customer_health's order (lowest health
    first, then most licenses, name, ID)."""
    check_page(offset, limit)
    order = _sort_keys(sort)
    rows = worklist_rows(ctx, view).with_row_index("position")
    total = rows.height
    ids = rows["customer_id"].to_list()
    tags = tags_by_customer(ctx.state, ids) if ids else pl.DataFrame(schema={"customer_id": pl.Utf8, "tag": pl.Utf8})
    dates = {cid: due for cid, due in follow_ups.items() if isinstance(due, date)}
    params: dict = {
        "tag_customers": tags["customer_id"].to_list(),
        "tag_names": tags["tag"].to_list(),
        "fu_customers": list(dates),
        "fu_dates": list(dates.values()),
        "limit": limit,
        "offset": offset,
    }
    if any("$collation" in o for o in order):
        params["collation"] = collation()  # DuckDB refuses a parameter the query does not use
    sql = f"""
    WITH tagmap AS (SELECT unnest($tag_customers::VARCHAR[]) AS customer_id, unnest($tag_names::VARCHAR[]) AS tag),
    tagged AS (SELECT customer_id, string_agg(tag, ';' ORDER BY lower(tag), tag) AS tags
               FROM tagmap GROUP BY customer_id),
    due AS (SELECT unnest($fu_customers::VARCHAR[]) AS customer_id, unnest($fu_dates::DATE[]) AS follow_up_date),
    listed AS (SELECT w.*, t.tags, d.follow_up_date
               FROM worklist_health w LEFT JOIN tagged t USING (customer_id) LEFT JOIN due d USING (customer_id))
    SELECT {", ".join((*COLUMNS, *ADDED_COLUMNS))} FROM listed
    ORDER BY {", ".join(order)} LIMIT $limit OFFSET $offset
    """
    cur = ctx.snapshot.cursor()
    try:
        cur.register("worklist_health", rows)
        page = cur.sql(sql, params=params).pl()
    finally:
        cur.close()
    return page.with_columns(pl.col("follow_up_date").cast(pl.Date), pl.col("tags").cast(pl.Utf8)), total
