"""Checks an import folder against the contract, every rule, every row.

Files are staged as text tables in a DuckDB connection (`raw_<table>`, with
`__row`, the line number a person sees in the CSV, header = 1; for Parquet the
1-based row number), then each rule is one SQL query over them. Nothing is
loaded into Python row by row.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from .contract import TABLES, Column, Table

EXAMPLES_PER_RULE = 200  # problems listed per (file, column, rule); the rest are counted
SHOWN_IN_TOTAL = 300


@dataclass(frozen=True)
class Problem:
    file: str
    row: int | str
    column: str
    value: str
    rule: str

    def __str__(self) -> str:
        value = "" if self.value is None else str(self.value)
        if len(value) > 80:
            value = value[:77] + "..."
        return f"{self.file}:{self.row}:{self.column}: {value}: {self.rule}"


@dataclass
class Report:
    problems: list[Problem] = field(default_factory=list)
    # (file, column, rule) -> how many rows broke it, shown or not
    counts: dict = field(default_factory=lambda: defaultdict(int))
    warnings: list[str] = field(default_factory=list)
    files: dict[str, Path] = field(default_factory=dict)  # table -> file
    rows: dict[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.counts

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def add(self, problem: Problem, count: int = 1) -> None:
        self.problems.append(problem)
        self.counts[(problem.file, problem.column, problem.rule)] += count

    def lines(self) -> list[str]:
        """Every problem, summarised past a few hundred."""
        out = [str(p) for p in self.problems[:SHOWN_IN_TOTAL]]
        hidden = self.total - len(out)
        if hidden > 0:
            out.append(f"... and {hidden} more problems:")
            shown = defaultdict(int)
            for p in self.problems[:SHOWN_IN_TOTAL]:
                shown[(p.file, p.column, p.rule)] += 1
            for (file, column, rule), n in sorted(self.counts.items()):
                if n > shown[(file, column, rule)]:
                    out.append(f"  {file}: {column}: {rule}: {n} rows in all")
        return out


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


def find_files(folder: Path, report: Report) -> None:
    known = {t.name for t in TABLES}
    for t in TABLES:
        csv, pq = folder / f"{t.name}.csv", folder / f"{t.name}.parquet"
        if csv.exists() and pq.exists():
            report.add(Problem(pq.name, 0, "-", "", f"both {csv.name} and {pq.name} present: keep one"))
        elif csv.exists() or pq.exists():
            report.files[t.name] = csv if csv.exists() else pq
        elif t.required:
            report.add(Problem(f"{t.name}.csv", 0, "-", "", "required file missing (.csv or .parquet)"))
    for p in sorted(folder.iterdir()):
        stem = p.name.rsplit(".", 1)[0]
        if p.suffix in (".csv", ".parquet") and stem not in known:
            report.warnings.append(f"{p.name}: not a table of the contract, ignored")


def stage(con: duckdb.DuckDBPyConnection, table: Table, path: Path, report: Report) -> bool:
    """Loads one file as text into raw_<table>; False when it cannot be read."""
    name = path.name
    raw = f"raw_{table.name}"
    try:
        if path.suffix == ".csv":
            con.execute(
                "CREATE OR REPLACE TEMP TABLE __file AS SELECT * FROM read_csv(?, header=true, all_varchar=true, "
                "delim=',', quote='\"', escape='\"', strict_mode=true, null_padding=false)",
                [str(path)],
            )
        else:
            con.execute("CREATE OR REPLACE TEMP TABLE __file AS SELECT * FROM read_parquet(?)", [str(path)])
    except duckdb.Error as e:
        first = str(e).strip().splitlines()[0][:300]
        report.add(Problem(name, 0, "-", "", f"cannot be read: {first}"))
        return False
    described = con.sql("DESCRIBE __file").fetchall()
    present = [r[0] for r in described]
    types = {r[0]: r[1] for r in described}
    seen = set()
    for c in present:
        if c in seen:
            report.add(Problem(name, 1, c, "", "column appears twice"))
        seen.add(c)
    for c in present:
        if c not in table.column_names:
            report.warnings.append(f"{name}: unknown column {c!r} ignored")
    missing = [c for c in table.column_names if c not in present]
    for c in missing:
        report.add(Problem(name, 1, c, "", "required column missing"))
    if missing:
        return False
    selects = []
    for col in table.columns:
        q = f'"{col.name}"'
        if path.suffix == ".csv":
            selects.append(f"{q} AS {col.name}")
        else:
            selects.append(f"{_parquet_text(q, types[col.name])} AS {col.name}")
    if path.suffix == ".csv":
        # line number of each record: records before it, plus the line breaks
        # inside their quoted fields, plus the header
        nl = " + ".join(
            f"coalesce(length({c.name}) - length(replace({c.name}, chr(10), '')), 0)" for c in table.columns
        )
        con.execute(f"""
            CREATE OR REPLACE TEMP TABLE {raw} AS
            SELECT (2 + rid + coalesce(sum(nl) OVER (ORDER BY rid ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0))::BIGINT AS __row, * EXCLUDE (rid, nl)
            FROM (SELECT rowid AS rid, {", ".join(selects)}, {nl} AS nl FROM __file)""")
    else:
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE {raw} AS SELECT (rowid + 1)::BIGINT AS __row, "
            f"{', '.join(selects)} FROM __file"
        )
    con.execute("DROP TABLE __file")
    report.rows[table.name] = con.execute(f"SELECT count(*) FROM {raw}").fetchall()[0][0]
    return True


def _parquet_text(q: str, duck_type: str) -> str:
    """Parquet values as the text a CSV would hold, so one set of rules checks both."""
    t = duck_type.upper()
    if t.startswith("TIMESTAMP WITH TIME ZONE"):
        return f"strftime(CAST({q} AS TIMESTAMP), '%Y-%m-%dT%H:%M:%S.%fZ')"  # DuckDB without ICU works in UTC
    if t.startswith("TIMESTAMP"):  # naive Parquet timestamps are taken as UTC
        return f"strftime({q}, '%Y-%m-%dT%H:%M:%S.%fZ')"
    if t == "DATE":
        return f"strftime({q}, '%Y-%m-%d')"
    return f"CAST({q} AS VARCHAR)"


def _collect(con, report: Report, file: str, column: str, rule: str, sql: str, params=()) -> None:
    """Runs a query returning (__row, value) of broken rows and files them."""
    count = con.execute(f"SELECT count(*) FROM ({sql})", list(params) or None).fetchall()[0][0]
    if not count:
        return
    rows = con.sql(
        f"SELECT * FROM ({sql}) ORDER BY 1 LIMIT {EXAMPLES_PER_RULE}", params=list(params) or None
    ).fetchall()
    for i, (row, value) in enumerate(rows):
        report.add(Problem(file, row, column, value, rule), count - len(rows) + 1 if i == len(rows) - 1 else 1)


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
        check, rule = _type_check(col)
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
        check, _ = _type_check(col)
        parts.append(f"CASE WHEN {_bind(check, col.name)} THEN {typed_expr(col)} END AS {col.name}")
    con.execute(f"CREATE OR REPLACE TEMP VIEW {view} AS SELECT __row, {', '.join(parts)} FROM raw_{table.name}")
    return view


def _bind(check: str, column: str) -> str:
    # the type checks are written over a bare `v`
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
