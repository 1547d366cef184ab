"""Checks an import folder against the contract, every rule, every row.

Files are staged as text tables in a DuckDB connection (data/staging.py:
`raw_<table>`, with `__row`, the line number a person sees in the CSV, header
= 1; for Parquet the 1-based row number), then each rule is one SQL query over
them. Nothing is loaded into Python row by row.
"""

from __future__ import annotations

import re
from pathlib import Path

import duckdb

from .contract import CONTROL_CHARACTERS, CONTROL_CHARACTERS_RULE, TABLES, Column, Table, visible
from .import_report import EXAMPLES_PER_RULE, Problem, Report
from .staging import find_files, stage


# SQL that holds for a valid non-null raw text value `v` of a column type
def _type_check(col: Column) -> tuple[str, str]:
    t = col.type
    if t == "id":
        return "regexp_full_match(v, '[A-Za-z0-9._-]{1,64}')", "must be an id of 1-64 characters A-Z a-z 0-9 . _ -"
    if t == "name":
        return "length(v) BETWEEN 1 AND 200", "must be 1-200 characters"
    if t == "enum":
        allowed = ", ".join(f"'{x}'" for x in col.values)
        return f"v IN ({allowed})", "must be one of " + " | ".join(col.values)
    if t == "email":
        return (
            "length(v) <= 254 AND regexp_full_match(v, '[^@\\s,;]+@[^@\\s,;]+\\.[^@\\s,;]+')",
            "must be an e-mail address",
        )
    if t == "currency":
        return "regexp_full_match(v, '[A-Z]{3}')", "must be 3 capital letters (ISO 4217)"
    if t == "date":
        return (
            "regexp_full_match(v, '[0-9]{4}-[0-9]{2}-[0-9]{2}') AND TRY_CAST(v AS DATE) IS NOT NULL",
            "must be a date YYYY-MM-DD",
        )
    if t == "sunday":
        return (
            "regexp_full_match(v, '[0-9]{4}-[0-9]{2}-[0-9]{2}') AND TRY_CAST(v AS DATE) IS NOT NULL "
            "AND dayofweek(TRY_CAST(v AS DATE)) = 0",
            "must be a date YYYY-MM-DD that is a Sunday",
        )
    if t == "timestamp":
        return (
            "regexp_full_match(v, '[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}(:[0-9]{2}(\\.[0-9]+)?)?"
            "(Z|z|[+-][0-9]{2}(:?[0-9]{2})?)') AND TRY_CAST(v AS TIMESTAMPTZ) IS NOT NULL",
            "must be an ISO 8601 timestamp with Z or an offset",
        )
    if t == "bool":
        return "lower(v) IN ('true', 'false')", "must be true or false"
    if t == "int":
        check = "regexp_full_match(v, '[+-]?[0-9]{1,18}')"
        if col.minimum is not None:
            return f"{check} AND TRY_CAST(v AS BIGINT) >= {col.minimum:g}", f"must be a whole number ≥ {col.minimum:g}"
        return check, "must be a whole number"
    if t == "decimal":
        check = "TRY_CAST(v AS DOUBLE) IS NOT NULL AND isfinite(TRY_CAST(v AS DOUBLE))"
        if col.minimum is not None:
            return f"{check} AND TRY_CAST(v AS DOUBLE) >= {col.minimum:g}", f"must be a number ≥ {col.minimum:g}"
        return check, "must be a number"
    raise ValueError(t)


def _rules(col: Column) -> list[tuple[str, str]]:
    """Every (SQL check, words of the problem) a non-null raw value must pass."""
    rules = [_type_check(col)]
    if col.free_text:
        rules.append((f"NOT regexp_matches(v, '{CONTROL_CHARACTERS}')", CONTROL_CHARACTERS_RULE))
    return rules


def _valid(col: Column) -> str:
    return " AND ".join(f"({check})" for check, _ in _rules(col))


def typed_expr(col: Column, source: str | None = None) -> str:
    """The raw text of a valid value turned into its snapshot type."""
    v = source or col.name
    if col.type == "bool":
        return f"(lower({v}) = 'true')"
    if col.type == "email":
        return f"lower({v})"
    if col.type == "timestamp":
        return f"CAST({v} AS TIMESTAMPTZ)"
    return f"CAST({v} AS {col.sql_type})"


def _collect(con, report: Report, file: str, column: str, rule: str, sql: str, params=()) -> None:
    """Runs a query returning (__row, value) of broken rows and files them."""
    count = con.execute(f"SELECT count(*) FROM ({sql})", list(params) or None).fetchall()[0][0]
    if not count:
        return
    rows = con.sql(
        f"SELECT * FROM ({sql}) ORDER BY 1 LIMIT {EXAMPLES_PER_RULE}", params=list(params) or None
    ).fetchall()
    for i, (row, value) in enumerate(rows):
        report.add(Problem(file, row, column, visible(value), rule), count - len(rows) + 1 if i == len(rows) - 1 else 1)


def check_columns(con, table: Table, file: str, report: Report) -> None:
    raw = f"raw_{table.name}"
    for col in table.columns:
        if not col.nullable:
            _collect(
                con,
                report,
                file,
                col.name,
                "must not be empty",
                f"SELECT __row, NULL AS v FROM {raw} WHERE {col.name} IS NULL",
            )
        for check, rule in _rules(col):
            _collect(
                con,
                report,
                file,
                col.name,
                rule,
                f"SELECT __row, v FROM (SELECT __row, {col.name} AS v FROM {raw}) WHERE v IS NOT NULL AND NOT coalesce(({check}), false)",
            )


def typed_view(con, table: Table) -> str:
    """A view of raw_<table> with valid values typed and invalid ones null."""
    view = f"typed_{table.name}"
    parts = []
    for col in table.columns:
        parts.append(f"CASE WHEN {_check_on_column(_valid(col), col.name)} THEN {typed_expr(col)} END AS {col.name}")
    con.execute(f"CREATE OR REPLACE TEMP VIEW {view} AS SELECT __row, {', '.join(parts)} FROM raw_{table.name}")
    return view


def _check_on_column(check: str, column: str) -> str:
    """A type check (written over a bare `v`) applied to `column`."""
    return re.sub(r"\bv\b", column, check)


def check_rows(con, table: Table, file: str, report: Report, known: dict[str, set] | None = None) -> None:
    """Keys, references and cross-column rules, over the values that are valid."""
    view = f"typed_{table.name}"
    if table.key:
        keys = ", ".join(table.key)
        not_null = " AND ".join(f"{k} IS NOT NULL" for k in table.key)
        label = "+".join(table.key)
        _collect(
            con,
            report,
            file,
            table.key[-1],
            f"duplicate {label} (first seen on an earlier row)",
            f"SELECT __row, concat_ws('/', {keys}) FROM (SELECT __row, {keys}, row_number() OVER "
            f"(PARTITION BY {keys} ORDER BY __row) AS n FROM {view} WHERE {not_null}) WHERE n > 1",
        )
    for ref in table.references:
        target = f"typed_{ref.table}"
        if not _exists(con, target):
            continue
        on = " AND ".join(f"t.{a} = r.{b}" for a, b in zip(ref.columns, ref.target))
        not_null = " AND ".join(f"t.{a} IS NOT NULL" for a in ref.columns)
        extra = ""
        widen = (known or {}).get(f"{table.name}.{ref.columns[0]}")
        params = []
        if widen:
            extra = f" AND t.{ref.columns[0]} NOT IN (SELECT unnest(?::VARCHAR[]))"
            params = [sorted(widen)]
        _collect(
            con,
            report,
            file,
            ref.columns[0],
            f"refers to a missing {ref.table} row",
            f"SELECT t.__row, concat_ws('/', {', '.join('t.' + a for a in ref.columns)}) FROM {view} t "
            f"WHERE {not_null} AND NOT EXISTS (SELECT 1 FROM {target} r WHERE {on}){extra}",
            params,
        )
    for check in table.checks:
        _collect(
            con,
            report,
            file,
            check.column,
            check.rule,
            f"SELECT __row, CAST({check.column} AS VARCHAR) FROM {view} WHERE NOT coalesce(({check.sql}), true)",
        )


def _exists(con, name: str) -> bool:
    return bool(con.execute("SELECT count(*) FROM duckdb_views() WHERE view_name = ?", [name]).fetchall()[0][0])


def validate(
    con: duckdb.DuckDBPyConnection, folder: Path, known: dict[str, set] | None = None, progress=None
) -> Report:
    """Stages and checks every file of `folder`; `known` widens references to
    rows that live outside this import (customers of the current snapshot,
    admins already in the app)."""
    report = Report()
    if not folder.is_dir():
        report.add(Problem(str(folder), 0, "-", "", "not a folder"))
        return report
    find_files(folder, report)
    staged = []
    for table in TABLES:
        path = report.files.get(table.name)
        if path is None:
            continue
        if progress:
            progress(table.name, "reading")
        if stage(con, table, path, report):
            check_columns(con, table, path.name, report)
            typed_view(con, table)
            staged.append(table)
    for table in staged:
        if progress:
            progress(table.name, "checking")
        check_rows(con, table, report.files[table.name].name, report, known)
    return report
