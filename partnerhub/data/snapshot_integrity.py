"""Is a snapshot file the one that was imported?

The importer records the file's SHA-256 beside it, `<id>.sha256`, in the
format of `sha256sum` (so `sha256sum -c` checks it by hand too). A process
checks it once, the first time it opens the snapshot; `data verify` checks
every kept snapshot in full. A snapshot found damaged is set aside as
`<id>.duckdb.damaged` with the reason in `<id>.damaged.json`, never deleted
at once: the operator can look at it, and pruning removes it later.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb

MANIFEST = ".sha256"
SET_ASIDE = ".duckdb.damaged"
RECORD = ".damaged.json"
_CHUNK = 1 << 20


class Damaged(Exception):
    """The file is not a snapshot this app can serve: set it aside."""


@dataclass(frozen=True)
class SetAside:
    """A snapshot the app stopped serving, and why."""

    id: str
    reason: str
    found_at: datetime
    moved: bool  # False: the file was missing or could not be read, and stays where it is


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def write_private(path: Path, text: str) -> None:
    """Writes a small file 0600 whatever the umask, replacing it in one rename."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(text)
    os.replace(tmp, path)


def write_manifest(snapshot: Path, digest: str) -> None:
    """`snapshot` is the published path (<id>.duckdb) the digest belongs to."""
    write_private(snapshot.with_suffix(MANIFEST), f"{digest}  {snapshot.name}\n")


def recorded_sha256(snapshot: Path) -> str | None:
    """The digest recorded at import; None for a snapshot imported before
    checksums were recorded (or whose manifest is gone)."""
    try:
        text = snapshot.with_suffix(MANIFEST).read_text(errors="replace")
    except FileNotFoundError:
        return None
    word = text.split(maxsplit=1)[0] if text.split() else ""
    return word.lower()


def check_checksum(snapshot: Path) -> bool:
    """Raises Damaged when the file differs from what was imported; False
    when there is no checksum to compare with. OSError (missing, no
    permission, an I/O error) is the caller's to judge."""
    expected = recorded_sha256(snapshot)
    if expected is None:
        return False
    if file_sha256(snapshot) != expected:
        raise Damaged(f"checksum mismatch: {snapshot.name} differs from the file imported")
    return True


def duckdb_reason(error: Exception) -> str:
    text = str(error).strip().splitlines()
    return f"DuckDB cannot read it: {text[0][:200]}" if text else f"DuckDB cannot read it: {type(error).__name__}"


def check_in_full(snapshot: Path) -> str:
    """`data verify`: the checksum, then every table counted against the
    counts written at import. Raises Damaged; returns a note for a snapshot
    that has no checksum to compare with."""
    had_checksum = check_checksum(snapshot)
    try:
        con = duckdb.connect(str(snapshot), read_only=True)
    except duckdb.Error as e:
        raise Damaged(duckdb_reason(e)) from e
    try:
        con.execute("SELECT as_of, imported_at, source FROM meta").fetchall()[0]
        for table, count in con.execute("SELECT table_name, count FROM row_counts").fetchall():
            found = con.execute(f'SELECT count(*) FROM "{table}"').fetchall()[0][0]
            if found != count:
                raise Damaged(f"table {table} has {found} rows, {count} were imported")
    except duckdb.Error as e:
        raise Damaged(duckdb_reason(e)) from e
    except IndexError as e:
        raise Damaged("its meta table is empty") from e
    finally:
        con.close()
    return "" if had_checksum else "no checksum recorded (imported by an earlier version)"


def write_record(directory: Path, sid: str, reason: str, moved: bool) -> SetAside:
    found = SetAside(sid, reason, datetime.now(UTC), moved)
    body = {"snapshot_id": sid, "reason": reason, "found_at": found.found_at.isoformat(), "moved": moved}
    write_private(directory / f"{sid}{RECORD}", json.dumps(body) + "\n")
    return found


def read_records(directory: Path) -> list[SetAside]:
    """Every snapshot set aside and not pruned yet, oldest first."""
    out = []
    for path in sorted(directory.glob(f"*{RECORD}")):
        try:
            body = json.loads(path.read_text())
            out.append(
                SetAside(
                    str(body["snapshot_id"]),
                    str(body["reason"]),
                    datetime.fromisoformat(body["found_at"]),
                    bool(body.get("moved", True)),
                )
            )
        except (OSError, ValueError, KeyError, TypeError):
            # a record we cannot read still says something was set aside
            sid = path.name.removesuffix(RECORD)
            out.append(SetAside(sid, "set aside (its record cannot be read)", datetime.now(UTC), True))
    return out
