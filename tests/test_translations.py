"""The Japanese catalogue is complete: every message the code marks with
`_()` / `n_()` today (extracted afresh here, not read from an old .pot) has a
Japanese translation that is not fuzzy and keeps exactly the placeholders of
its English; the glossary's words are the ones the catalogue uses; and the
app reads the .po itself (no compiled .mo is tracked)."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from babel.messages.frontend import CommandLineInterface
from babel.messages.pofile import read_po

from partnerhub.i18n import CATALOGUES, catalogue

ROOT = Path(__file__).resolve().parents[1]
JA = CATALOGUES / "ja" / "LC_MESSAGES" / "messages.po"
# %(name)s, %(num)d, a bare %s / %d, and str.format's {name}; %% is a literal percent
PLACEHOLDER = re.compile(r"%\([A-Za-z_][A-Za-z0-9_]*\)[#0 +-]*\d*(?:\.\d+)?[sdifr]|%[sdifr]|\{[A-Za-z_][A-Za-z0-9_]*\}")


def placeholders(text: str) -> list[str]:
    return sorted(PLACEHOLDER.findall(text.replace("%%", "")))


def placeholder_problems(msgid, msgstr) -> list[str]:
    """Why this translation's placeholders differ from its English ([] when they do not)."""
    ids = msgid if isinstance(msgid, tuple) else (msgid,)
    strs = msgstr if isinstance(msgstr, tuple) else (msgstr,)
    # every plural form of the English carries the same placeholders; Japanese has one form
    expected = sorted(set().union(*(placeholders(i) for i in ids)))
    problems = []
    for s in strs:
        found = sorted(set(placeholders(s)))
        if found != expected:
            problems.append(f"{ids[0]!r}: {expected} in English, {found} in {s!r}")
    return problems


@pytest.fixture(scope="module")
def extracted(tmp_path_factory):
    """The messages the code marks now, extracted as `make messages` does."""
    out = tmp_path_factory.mktemp("messages") / "messages.pot"
    CommandLineInterface().run(
        [
            "pybabel",
            "--quiet",
            "extract",
            "-F",
            str(ROOT / "babel.cfg"),
            "-k",
            "_",
            "-k",
            "n_:1,2",
            "-k",
            "N_",
            # Babel skips folders starting with "_" by default: pages/_customers and the like hold messages
            "--ignore-dirs",
            ".* __pycache__",
            "-o",
            str(out),
            str(ROOT / "partnerhub"),
        ]
    )
    with out.open("rb") as f:
        return [m for m in read_po(f) if m.id]


@pytest.fixture(scope="module")
def japanese():
    with JA.open("rb") as f:
        return read_po(f, locale="ja")


def _text(message) -> str:
    return message.string[0] if isinstance(message.string, tuple) else message.string


def test_extraction_finds_the_marked_messages(extracted):
    ids = {m.id for m in extracted}
    assert "Customers" in ids and "Sign in" in ids
    assert len(ids) > 400  # pages/_customers/ and the other page packages too
    # tables marked with N_(): role names and metric definitions
    assert "Partner full administrator" in ids and "Calls placed in the week." in ids
    # n_() extracts singular and plural together
    assert any(isinstance(i, tuple) and i[0] == "%(count)s day" for i in ids)


def test_every_message_has_a_japanese_translation(extracted, japanese):
    missing = [m.id for m in extracted if japanese.get(m.id) is None or not _text(japanese.get(m.id)).strip()]
    assert not missing, (
        f"{len(missing)} messages lack a Japanese translation (run `make messages`, translate): {missing}"
    )


def test_no_translation_is_fuzzy(japanese):
    fuzzy = [m.id for m in japanese if m.id and m.fuzzy]
    assert not fuzzy, f"fuzzy translations are not shown; check and unmark them: {fuzzy}"


def test_every_translation_keeps_its_placeholders(japanese):
    problems = [p for m in japanese if m.id and _text(m) for p in placeholder_problems(m.id, m.string)]
    assert not problems, problems


def test_the_placeholder_check_sees_a_dropped_or_added_one():
    assert placeholder_problems("Added %(email)s.", "%(email)s を追加しました。") == []
    assert placeholder_problems("Added %(email)s.", "追加しました。")
    assert placeholder_problems("Added %(email)s.", "%(email)s を %(name)s に追加しました。")
    assert placeholder_problems("{n} rows", "行")
    assert placeholder_problems(("%(num)s day", "%(num)s days"), ("%(num)s日",)) == []
    assert placeholder_problems("Try in %(seconds)d s", "%(seconds)s 秒後")  # d became s
    assert placeholder_problems("100%% done", "100%% 完了") == []


def test_the_app_reads_the_po_catalogue():
    ja = catalogue("ja")
    assert ja.gettext("Customers") == "顧客"
    assert ja.ngettext("%(count)s day", "%(count)s days", 3) == "%(count)s日"
    # English is the code's own text
    assert catalogue("en").gettext("Customers") == "Customers"


def _glossary() -> dict[str, str]:
    rows = {}
    for line in (ROOT / "docs" / "glossary.md").read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 4 and cells[0] not in ("English", "---"):
            rows[cells[0]] = cells[1]
    return rows


def test_the_catalogue_uses_the_glossarys_words(japanese):
    glossary = _glossary()
    assert glossary["Suspended"] == "中断済み" and glossary["Customer / Customers"] == "顧客"
    differ = {
        english: (_text(japanese.get(english)), word)
        for english, word in glossary.items()
        if japanese.get(english) is not None and _text(japanese.get(english)) != word
    }
    assert not differ, f"catalogue vs glossary: {differ}"


def test_no_compiled_catalogue_is_tracked():
    tracked = subprocess.run(
        ["git", "ls-files", "*.mo"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    assert tracked == []
