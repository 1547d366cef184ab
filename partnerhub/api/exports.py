"""CSV, XLSX and Parquet files of a Result, streamed by the server.

Encodings (metrics.md "Encodings of exports"): integers as integers, a null
as an empty CSV field / Parquet null / empty XLSX cell, text exactly as
imported, timestamps to the microsecond as imported (never cut to whole
seconds), and in XLSX always a text cell, never a formula. The XLSX header
row is the spec's column names, with a note (cell comment) on each saying
what it holds in Japanese and English; a CSV asked for with ?bom=true starts
with a UTF-8 byte-order mark (routes.csv_bom), added as it is sent. Each writer holds
at most one extra copy of the data: CSV is written slice by slice into the
response; XLSX and Parquet are written to a spooled temporary file that is
then streamed in chunks. The API writes XLSX in a worker process
(export_pool.py) so that the writer holds no lock the pages need, and keeps
every finished file on disk (export_cache.py): write_file is its writer of
CSV and Parquet.
"""

from __future__ import annotations

import io
import tempfile
from collections.abc import Iterator
from datetime import datetime
from typing import BinaryIO

import polars as pl

from partnerhub.i18n import catalogue
from partnerhub.metrics.definitions import definition

SLICE_ROWS = 20_000
CHUNK_BYTES = 256 * 1024

MEDIA_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "parquet": "application/vnd.apache.parquet",
}
FORMATS = tuple(MEDIA_TYPES)


# `%.f` writes the fraction of a second only when there is one (3, 6 or 9
# digits), so whole seconds stay `…:59Z` and 23:59:59.5 stays `…:59.500Z`.
CSV_TIMESTAMP = "%Y-%m-%dT%H:%M:%S%.fZ"


def _text_ready(frame: pl.DataFrame) -> pl.DataFrame:
    """Timestamps as ISO 8601 in UTC with Z, the form the import accepts."""
    exprs = []
    for name, dtype in frame.schema.items():
        if isinstance(dtype, pl.Datetime):
            col = pl.col(name)
            if dtype.time_zone is not None:
                col = col.dt.convert_time_zone("UTC")
            exprs.append(col.dt.strftime(CSV_TIMESTAMP).alias(name))
    return frame.with_columns(exprs) if exprs else frame


def csv_chunks(frame: pl.DataFrame) -> Iterator[bytes]:
    frame = _text_ready(frame)
    if frame.height == 0:
        buf = io.BytesIO()
        frame.write_csv(buf)
        yield buf.getvalue()
        return
    for i, part in enumerate(frame.iter_slices(SLICE_ROWS)):
        buf = io.BytesIO()
        part.write_csv(buf, include_header=(i == 0))
        yield buf.getvalue()


def file_chunks(spool) -> Iterator[bytes]:
    """The file's bytes from its start, in chunks; closed at the end, or when
    the response is closed early."""
    try:
        spool.seek(0)
        while chunk := spool.read(CHUNK_BYTES):
            yield chunk
    finally:
        spool.close()


def parquet_chunks(frame: pl.DataFrame) -> Iterator[bytes]:
    spool = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115 -- closed by file_chunks once streamed
    frame.write_parquet(spool)
    return file_chunks(spool)


def xlsx_chunks(frame: pl.DataFrame, sheet: str = "data") -> Iterator[bytes]:
    """The XLSX file written in this thread. The API has it written in a worker
    process instead (export_pool.py), which holds no lock this process needs."""
    spool = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115 -- closed by file_chunks once streamed
    write_xlsx(frame, spool, sheet)
    return file_chunks(spool)


def write_xlsx(
    frame: pl.DataFrame, target: str | BinaryIO | tempfile.SpooledTemporaryFile[bytes], sheet: str = "data"
) -> None:
    """The workbook of `frame` into `target` (a path or a binary file)."""
    import xlsxwriter

    # constant_memory: rows go to disk as they are written
    book = xlsxwriter.Workbook(
        target,
        {
            "constant_memory": True,
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
            "in_memory": False,
            "tmpdir": tempfile.gettempdir(),
        },
    )
    ws = book.add_worksheet(sheet[:31])
    bold = book.add_format({"bold": True})
    date_fmt = book.add_format({"num_format": "yyyy-mm-dd"})
    time_fmt = book.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"})
    # the cell holds the exact instant either way; this only shows the fraction
    fraction_fmt = book.add_format({"num_format": "yyyy-mm-dd hh:mm:ss.000"})
    for c, name in enumerate(frame.columns):
        ws.write_string(0, c, name, bold)
        note = header_note(name)
        if note:
            ws.write_comment(0, c, note, {"x_scale": 2.5, "y_scale": 2})
    kinds = [_xlsx_kind(dtype) for dtype in frame.dtypes]
    r = 1
    for part in frame.iter_slices(SLICE_ROWS):
        for row in part.iter_rows():
            for c, value in enumerate(row):
                if value is None:
                    continue
                kind = kinds[c]
                if kind == "number":
                    ws.write_number(r, c, value)
                elif kind == "bool":
                    ws.write_boolean(r, c, value)
                elif kind == "datetime":
                    ws.write_datetime(r, c, value.replace(tzinfo=None), fraction_fmt if value.microsecond else time_fmt)
                elif kind == "date":
                    ws.write_datetime(r, c, datetime(value.year, value.month, value.day), date_fmt)
                else:
                    ws.write_string(r, c, str(value))
            r += 1
    book.close()


def header_note(column: str) -> str:
    """The note on a header cell: what the column holds, in Japanese and in
    English (metrics.definitions). The header itself stays the spec's column
    name, one row, as scripts and readers expect; a note is shown by Excel on
    hovering and ignored by every reader of the data. Both languages, not
    the viewer's: one cached file serves every user of a scope."""
    text = definition(column)
    if not text:
        return ""
    return "\n".join(dict.fromkeys(catalogue(lang).gettext(text) for lang in ("ja", "en")))


def write_file(frame: pl.DataFrame, fmt: str, path: str) -> None:
    """A CSV or Parquet file of `frame` at `path`, byte for byte what
    WRITERS[fmt] streams (the export cache keeps these)."""
    if fmt == "csv":
        _text_ready(frame).write_csv(path)
    elif fmt == "parquet":
        frame.write_parquet(path)
    else:
        raise ValueError(f"write_file writes csv or parquet, not {fmt!r}")


def write_xlsx_from_ipc(ipc_path: str, xlsx_path: str, sheet: str = "data") -> None:
    """The worker process's job: the frame from an Arrow IPC file, its
    workbook into `xlsx_path`."""
    write_xlsx(pl.read_ipc(ipc_path), xlsx_path, sheet)


def _xlsx_kind(dtype) -> str:
    if dtype.is_numeric():
        return "number"
    if dtype == pl.Boolean:
        return "bool"
    if isinstance(dtype, pl.Datetime):
        return "datetime"
    if dtype == pl.Date:
        return "date"
    return "text"


WRITERS = {"csv": csv_chunks, "xlsx": xlsx_chunks, "parquet": parquet_chunks}
