"""Writes small hand-built contract folders for tests.

Tests describe rows as plain dicts; this writes them exactly as a partner's
export would look (CSV text, or Parquet with natural types).
"""

from __future__ import annotations

import csv
from datetime import date, datetime
from pathlib import Path
from typing import Any

import polars as pl

from partnerhub.data.contract import BY_NAME


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.isoformat().replace("+00:00", "Z")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def write_csv(folder: Path, table: str, rows: list[dict], columns: list[str] | None = None) -> Path:
    columns = columns or list(BY_NAME[table].column_names)
    path = Path(folder) / f"{table}.csv"
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(columns)
        for r in rows:
            w.writerow([_text(r.get(c)) for c in columns])
    return path


_POLARS = {
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


def write_parquet(folder: Path, table: str, rows: list[dict]) -> Path:
    spec = BY_NAME[table]
    schema: dict[str, Any] = {c.name: _POLARS[c.type] for c in spec.columns}
    frame = pl.DataFrame([{c: r.get(c) for c in schema} for r in rows], schema=schema, orient="row")
    path = Path(folder) / f"{table}.parquet"
    frame.write_parquet(path)
    return path


def write_folder(folder: Path, tables: dict[str, list[dict]], fmt: str = "csv") -> Path:
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    for table, rows in tables.items():
        (write_csv if fmt == "csv" else write_parquet)(folder, table, rows)
    return folder
