"""Sort keys of text in an ICU collation, for the grids' sorts in Polars.

DuckDB's icu extension is built into the duckdb wheel (nothing to download
or compile, unlike PyICU, which needs libicu-dev): `icu_sort_key(text,
collation)` gives a key whose plain byte order is the collation's order, so
Polars can sort by it. The customer list sorts in DuckDB with the same key
(metrics.customers.collated)."""

from __future__ import annotations

import threading

import duckdb
import polars as pl

_local = threading.local()


def _connection() -> duckdb.DuckDBPyConnection:
    # one in-memory database per thread (a DuckDB connection is not shared across threads)
    con = getattr(_local, "con", None)
    if con is None:
        con = _local.con = duckdb.connect()
    return con


def collation_keys(values: pl.Series, collation: str) -> pl.Series:
    """Each value's ICU sort key in `collation` ("ja", "en"), lower-cased
    first so that case never decides; nulls stay null. Each distinct value
    is keyed once."""
    distinct = pl.DataFrame({"v": values.drop_nulls().unique()})
    if distinct.height == 0:
        return pl.Series(values.name, [None] * len(values), dtype=pl.String)
    keyed = _keys(distinct, collation)
    return values.replace_strict(keyed["v"], keyed["k"], default=None, return_dtype=pl.String)


def _keys(distinct: pl.DataFrame, collation: str) -> pl.DataFrame:
    con = _connection()
    con.register("distinct_values", distinct)
    try:
        return con.sql(
            "SELECT v, icu_sort_key(lower(v), $collation) AS k FROM distinct_values", params={"collation": collation}
        ).pl()
    finally:
        con.unregister("distinct_values")


KEY_SUFFIX = "__collation"


def with_collation_keys(rows: list[dict], fields, collation: str) -> list[dict]:
    """The rows of a grid sorted in the browser, each text value of `fields`
    with its ICU key beside it (field + KEY_SUFFIX): the browser's comparator
    (phCollate in assets/dashAgGridComponentFunctions.js) sorts by these
    keys, so a client-side grid sorts exactly as the server does (Chromium's
    own Intl.Collator("ja") orders kanji by code point, not by reading)."""
    fields = [f for f in fields if any(isinstance(r.get(f), str) for r in rows)]
    if not rows or not fields:
        return rows
    keys = {f: collation_keys(pl.Series(f, [r.get(f) for r in rows], dtype=pl.String), collation) for f in fields}
    out = []
    for i, row in enumerate(rows):
        row = dict(row)
        for f in fields:
            if isinstance(row.get(f), str):
                row[f + KEY_SUFFIX] = keys[f][i]
        out.append(row)
    return out
