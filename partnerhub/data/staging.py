"""Reads the files of an import folder into DuckDB as text tables.

Each file becomes `raw_<table>`: the contract's columns as text, plus `__row`,
the line number a person sees in the CSV (header = 1) or, for Parquet, the
1-based row number. The rules of data/validate.py then run as SQL over them.

A CSV is read with the columns its header names, never with DuckDB's dialect
sniffer: the sniffer takes a file whose rows disagree with the header for a
different dialect and either fails ("Error when sniffing file") or reads it
with the widest row as the header. Rows whose number of fields differs from
the header's are collected by DuckDB's reject store and reported on their line.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import duckdb

from .contract import TABLES, Table, visible
from .import_report import EXAMPLES_PER_RULE, Problem, Report

CSV_DIALECT = "delim=',', quote='\"', escape='\"', strict_mode=true, null_padding=false"
FIELD_COUNT_ERRORS = ("TOO MANY COLUMNS", "MISSING COLUMNS")


def find_files(folder: Path, report: Report) -> None:
    known = {t.name for t in TABLES}
    for t in TABLES:
        csv_path, pq = folder / f"{t.name}.csv", folder / f"{t.name}.parquet"
        if csv_path.exists() and pq.exists():
            report.add(Problem(pq.name, 0, "-", "", f"both {csv_path.name} and {pq.name} present: keep one"))
        elif csv_path.exists() or pq.exists():
            report.files[t.name] = csv_path if csv_path.exists() else pq
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
    is_csv = path.suffix == ".csv"
    # the file's column names, in order, and the SQL that reads each from __file
    loaded = _load_csv(con, path, report) if is_csv else _load_parquet(con, path, report)
    if loaded is None:
        return False
    present, sources = loaded
    for c in dict.fromkeys(present):
        if c not in table.column_names:
            report.warnings.append(f"{name}: unknown column {c!r} ignored")
        elif present.count(c) > 1:
            report.add(Problem(name, 1, c, "", "column appears twice"))
    missing = [c for c in table.column_names if c not in present]
    for c in missing:
        report.add(Problem(name, 1, c, "", "required column missing"))
    if missing:
        con.execute("DROP TABLE IF EXISTS __file")
        return False
    selects = [f"{sources[col.name]} AS {col.name}" for col in table.columns]
    if is_csv:
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


def _unreadable(report: Report, name: str, error: Exception | str) -> None:
    first = str(error).strip().splitlines()[0][:300] if str(error).strip() else type(error).__name__
    report.add(Problem(name, 0, "-", "", f"cannot be read: {first}"))


def _load_parquet(con, path: Path, report: Report) -> tuple[list[str], dict[str, str]] | None:
    try:
        con.execute("CREATE OR REPLACE TEMP TABLE __file AS SELECT * FROM read_parquet(?)", [str(path)])
    except duckdb.Error as e:
        _unreadable(report, path.name, e)
        return None
    described = con.sql("DESCRIBE __file").fetchall()
    present = [r[0] for r in described]
    sources = {r[0]: _parquet_text(f'"{r[0]}"', r[1]) for r in described}
    return present, sources


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


def csv_header(path: Path) -> list[str]:
    """The fields of the first record (RFC 4180, UTF-8 with or without BOM)."""
    with path.open(newline="", encoding="utf-8-sig") as f:
        return next(csv.reader(f), [])


def _load_csv(con, path: Path, report: Report) -> tuple[list[str], dict[str, str]] | None:
    """Reads the records into __file as columns c0, c1 … in header order."""
    name = path.name
    try:
        header = csv_header(path)
    except (OSError, UnicodeDecodeError, csv.Error) as e:
        _unreadable(report, name, e)
        return None
    if not header:  # an empty file: every column is reported missing
        return [], {}
    sources: dict[str, str] = {}
    for i, c in enumerate(header):
        sources.setdefault(c, f"c{i}")  # a repeated name reads its first column
    columns = ", ".join(f"'c{i}': 'VARCHAR'" for i in range(len(header)))
    con.execute("DROP TABLE IF EXISTS __rejects; DROP TABLE IF EXISTS __reject_scans")
    try:
        con.execute(
            "CREATE OR REPLACE TEMP TABLE __file AS SELECT * FROM read_csv(?, header=true, auto_detect=false, "
            f"columns={{{columns}}}, {CSV_DIALECT}, store_rejects=true, "
            "rejects_table='__rejects', rejects_scan='__reject_scans')",
            [str(path)],
        )
    except duckdb.Error as e:
        _unreadable(report, name, e)
        return None
    rejected = _report_rejects(con, path, len(header), report)
    con.execute("DROP TABLE IF EXISTS __rejects; DROP TABLE IF EXISTS __reject_scans")
    if rejected:
        con.execute("DROP TABLE __file")
        return None
    return header, sources


def _report_rejects(con, path: Path, header_fields: int, report: Report) -> bool:
    """Files the records DuckDB rejected; True when there were any.

    A record with more or fewer fields than the header is reported on its
    line like every other problem; anything else (an unterminated quote, bytes
    that are not UTF-8) makes the file unreadable.
    """
    # DuckDB files a short record once per missing column: one row per record
    kinds = ", ".join(f"'{k}'" for k in FIELD_COUNT_ERRORS)
    grouped = f"""
        SELECT line_byte_position AS pos, bool_or(error_type::VARCHAR IN ({kinds})) AS field_count,
               any_value(csv_line) AS record, any_value(error_message) AS message, min(line) AS record_no
        FROM __rejects GROUP BY line_byte_position"""
    total, wrong_width = con.execute(
        f"SELECT count(*), count(*) FILTER (WHERE field_count) FROM ({grouped})"
    ).fetchall()[0]
    if not total:
        return False
    if total > wrong_width:
        record_no, message = con.execute(
            f"SELECT record_no, message FROM ({grouped}) WHERE NOT field_count ORDER BY pos LIMIT 1"
        ).fetchall()[0]
        report.add(
            Problem(path.name, 0, "-", "", f"cannot be read: record {record_no}: {message}"), total - wrong_width
        )
    if wrong_width:
        shown = con.execute(
            f"SELECT pos, record FROM ({grouped}) WHERE field_count ORDER BY pos LIMIT {EXAMPLES_PER_RULE}"
        ).fetchall()
        lines = _line_numbers(path, [pos for pos, _ in shown])
        for i, (pos, record) in enumerate(shown):
            record = (record or "").lstrip("\r\n")
            fields = len(next(csv.reader(io.StringIO(record)), []))
            rule = f"has {fields} fields, the header has {header_fields}"
            value = visible(record.replace("\r", "").replace("\n", "\\n"))
            rest = wrong_width - len(shown) if i == len(shown) - 1 else 0
            report.add(Problem(path.name, lines[pos], "-", value, rule), 1 + rest)
    return True


def _line_numbers(path: Path, positions: list[int]) -> dict[int, int]:
    """The line (1-based) that each byte offset of the file falls on."""
    out: dict[int, int] = {}
    line, done = 1, 0
    with path.open("rb") as f:
        for pos in sorted(set(positions)):
            while done < pos:
                chunk = f.read(min(1 << 20, pos - done))
                if not chunk:
                    break
                line += chunk.count(b"\n")
                done += len(chunk)
            out[pos] = line
    return out
