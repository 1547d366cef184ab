"""Small helpers every metrics module shares: the scope clause, the week
dates of metrics.md, and null-safe ratios.

The scope is always a bound list parameter inside the DuckDB query, so a
viewer's rows are the only ones that ever leave the snapshot.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, timedelta

import polars as pl

from .types import Context, View


def scope_sql(view: View, column: str = "customer_id", name: str = "scope") -> tuple[str, dict]:
    """`column IN (the viewer's customers)` as SQL with a bound parameter;
    TRUE when the viewer sees every customer. `column` is always a constant
    of our own code, never input."""
    if view.scope is None:
        return "TRUE", {}
    return f"{column} IN (SELECT unnest(${name}::VARCHAR[]))", {name: sorted(view.scope)}


def latest_week(ctx: Context) -> date:
    """The week_start of the newest complete week: as_of - 7."""
    return ctx.as_of - timedelta(days=7)


def previous_week(ctx: Context) -> date:
    return ctx.as_of - timedelta(days=14)


def weeks_ending_latest(ctx: Context, n: int) -> list[date]:
    """The n week_starts ending with the latest, oldest first."""
    latest = latest_week(ctx)
    return [latest - timedelta(days=7 * i) for i in range(n - 1, -1, -1)]


def ratio(num: pl.Expr, den: pl.Expr) -> pl.Expr:
    """num / den as Float64, null when den is 0 or null (metrics.md: never 0, never NaN)."""
    return pl.when(den != 0).then(num.cast(pl.Float64) / den.cast(pl.Float64)).otherwise(None)


def ratio_value(num, den) -> float | None:
    if num is None or den is None or den == 0:
        return None
    return float(num) / float(den)


def cast_columns(
    df: pl.DataFrame,
    ints: tuple[str, ...] = (),
    floats: tuple[str, ...] = (),
    texts: tuple[str, ...] = (),
    bools: tuple[str, ...] = (),
) -> pl.DataFrame:
    """Pins the export types (Int64 counts, Float64 ratios) whatever DuckDB
    inferred, including for empty results."""
    casts = [pl.col(c).cast(pl.Int64) for c in ints if c in df.columns]
    casts += [pl.col(c).cast(pl.Float64) for c in floats if c in df.columns]
    casts += [pl.col(c).cast(pl.Utf8) for c in texts if c in df.columns]
    casts += [pl.col(c).cast(pl.Boolean) for c in bools if c in df.columns]
    return df.with_columns(casts) if casts else df


# the most rows one page of a grid may ask for
PAGE_LIMIT_MAX = 10_000


def sort_directions(sort, allowed: Collection[str], not_allowed: str) -> list[tuple[str, str]]:
    """`sort`'s (column, 'asc' | 'desc') pairs as (column, 'ASC' | 'DESC'),
    for an ORDER BY; ValueError for the first bad pair, `not_allowed` naming
    what a column outside `allowed` is not ("a column of the customer list")."""
    pairs = []
    for item in sort or ():
        try:
            column, direction = item
        except (TypeError, ValueError):
            raise ValueError("sort: give (column, 'asc' or 'desc') pairs") from None
        if column not in allowed:
            raise ValueError(f"sort: {column!r} is not {not_allowed}")
        if str(direction).lower() not in ("asc", "desc"):
            raise ValueError(f"sort: direction must be 'asc' or 'desc', not {direction!r}")
        pairs.append((column, str(direction).upper()))
    return pairs


def check_page(offset, limit) -> None:
    """ValueError unless offset is a whole number ≥ 0 and limit one from 1 to
    PAGE_LIMIT_MAX (True and False are not numbers here)."""
    if not isinstance(offset, int) or isinstance(offset, bool) or offset < 0:
        raise ValueError("offset must be a whole number ≥ 0")
    if not isinstance(limit, int) or isinstance(limit, bool) or not 0 < limit <= PAGE_LIMIT_MAX:
        raise ValueError(f"limit must be a whole number from 1 to {PAGE_LIMIT_MAX}")
