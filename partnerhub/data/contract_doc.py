"""Renders docs/data-contract.md from data/contract.py, so the documented
import format is the validated one.
`python -m partnerhub.data.contract_doc > docs/data-contract.md`."""

from __future__ import annotations

from .contract import CONTRACT_VERSION, TABLES

TYPE_WORDS = {
    "id": "id (1-64 of A-Z a-z 0-9 . _ -)",
    "name": "text (1-200 characters, no control characters)",
    "email": "e-mail address (no control characters)",
    "currency": "3 capital letters (ISO 4217)",
    "date": "date YYYY-MM-DD",
    "sunday": "date YYYY-MM-DD, a Sunday",
    "timestamp": "ISO 8601 timestamp with Z or an offset",
    "bool": "true / false",
    "int": "whole number",
    "decimal": "number",
}

HEADER = f"""# The import format (contract version {CONTRACT_VERSION})

A partner's data arrives as one folder holding one file per table,
`<table>.csv` or `<table>.parquet` (never both for one table). CSV: UTF-8, one
header row, comma separated, RFC 4180 quoting, every row with as many fields as
the header; an empty field is null.
Parquet: the natural types (naive timestamps are read as UTC).

**as_of** = the latest `week_start` in `license_usage` + 7 days. Every
"days until / since" is measured from as_of, never from the clock.

`flask --app app data import DIR` checks every rule below on every row and
reports each problem as `file:row:column: value: rule` (row = the line number
in a CSV, header = 1; for Parquet the 1-based row). Any problem: exit 1 and
nothing changes. Columns not listed are ignored with a warning.

**Text** (names, descriptions, e-mail addresses) must not contain control
characters: U+0000-U+001F except tab (so no NUL and no line break, even inside
a quoted CSV field) and U+007F. Each one is reported on its
`file:row:column`, the character shown as `<U+0007>`. Imports before this
rule accepted them; a folder that holds one is now refused as a whole.

This page is generated from `partnerhub/data/contract.py`; the importer validates
against the same description.
"""


def render() -> str:
    out = [HEADER]
    for t in TABLES:
        kind = (
            "directory table, merged into the app (never deletes)"
            if t.directory
            else ("required" if t.required else "optional")
        )
        out.append(f"\n## `{t.name}` ({kind})\n")
        out.append("| column | type | rule / meaning |\n| --- | --- | --- |")
        for c in t.columns:
            words = [TYPE_WORDS[c.type] if c.type != "enum" else " \\| ".join(f"`{v}`" for v in c.values)]
            rule = []
            if c.minimum is not None:
                rule.append(f"≥ {c.minimum:g}")
            rule.append("may be empty" if c.nullable else "required")
            if c.meaning:
                rule.append(c.meaning)
            out.append(f"| `{c.name}` | {words[0]} | {'; '.join(rule)} |")
        notes = []
        if t.key:
            notes.append("unique: " + " + ".join(f"`{k}`" for k in t.key))
        for r in t.references:
            notes.append(f"{', '.join(r.columns)} → `{r.table}`")
        for ch in t.checks:
            notes.append(f"`{ch.sql}` ({ch.column} {ch.rule})")
        if notes:
            out.append("\n" + "; ".join(notes) + ".")
    return "\n".join(out) + "\n"


if __name__ == "__main__":
    print(render(), end="")
