"""The audit log reads as sentences (pages/_admin/audit_words.py): every
action code the source writes has one (found here by reading the source, so
a code added later fails this test until it gets its sentence), and the rows
of a real store, written by the application layer, show no code and no dict
text, in English and in Japanese."""

from __future__ import annotations

import ast
import re
from datetime import date
from functools import cache
from pathlib import Path

import pytest

from partnerhub.auth.audit import list_audit
from partnerhub.auth.users import add_or_update_user, get_user_by_email
from partnerhub.pages._admin.audit_tab import audit_rows
from partnerhub.pages._admin.audit_words import ACTIONS, action_label, sentence
from partnerhub.services import tags as tag_actions
from partnerhub.services import trials as trial_actions
from partnerhub.services import users as user_actions
from partnerhub.services.caller import Caller
from tests.customer_pages import FULL, free_customer

PACKAGE = Path(__file__).resolve().parents[1] / "partnerhub"
CODE = re.compile(r"^[a-z_]+\.[a-z_]+$")
# the codes other parts of the app are adding now: each has its sentence already
COMING = [
    "note.add",
    "note.edit",
    "note.delete",
    "follow_up.set",
    "follow_up.done",
    "follow_up.clear",
    "view.save",
    "view.rename",
    "view.share",
    "view.delete",
    "view.landing",
    "alert_rule.create",
    "alert_rule.delete",
    "digest.subscribe",
    "digest.unsubscribe",
]


def _strings(node: ast.AST) -> list[str]:
    return [n.value for n in ast.walk(node) if isinstance(n, ast.Constant) and isinstance(n.value, str)]


def _assigned_values(tree: ast.Module, name: str) -> list[str]:
    """The strings assigned to a name anywhere in the module (a constant, a
    conditional, or a dict's values: FIELDS[field])."""
    found: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == name for t in node.targets):
            value = node.value
            found += _strings(ast.Tuple(elts=value.values, ctx=ast.Load()) if isinstance(value, ast.Dict) else value)
    return found


def _action_argument(call: ast.Call) -> ast.expr | None:
    """The action of state.audit(conn, actor, action, ...) / _audit_each(conn, actor, action, ...)."""
    func = call.func
    name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else None
    if name not in ("audit", "_audit_each"):
        return None
    if len(call.args) >= 3:
        return call.args[2]
    return next((k.value for k in call.keywords if k.arg == "action"), None)


@cache
def written_codes() -> dict[str, str]:
    """code -> the file that writes it, for every audit write in the package."""
    found: dict[str, str] = {}
    unresolved = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for call in (n for n in ast.walk(tree) if isinstance(n, ast.Call)):
            arg = _action_argument(call)
            if arg is None:
                continue
            codes = [s for s in _strings(arg) if CODE.match(s)]
            for node in ast.walk(arg):
                if isinstance(node, ast.Name) and not isinstance(getattr(node, "ctx", None), ast.Store):
                    codes += [s for s in _assigned_values(tree, node.id) if CODE.match(s)]
            if not codes:
                unresolved.append(f"{path.relative_to(PACKAGE)}:{call.lineno}")
            for code in codes:
                found.setdefault(code, str(path.relative_to(PACKAGE)))
    assert not unresolved, f"audit writes whose action this test cannot read (write it as a literal): {unresolved}"
    return found


def test_the_source_scan_finds_the_known_writes():
    codes = written_codes()
    # a literal, a conditional (user.disable/enable), a module dict (user.language), the bulk writer (tag.add)
    for code in ("trial.start", "user.disable", "user.enable", "user.language", "user.time_zone", "tag.add"):
        assert code in codes, code


def test_every_written_action_code_has_a_sentence():
    missing = {code: where for code, where in written_codes().items() if code not in ACTIONS}
    assert not missing, f"give these audit actions a sentence in pages/_admin/audit_words.py: {missing}"


def test_the_codes_being_added_have_their_sentences():
    assert [c for c in COMING if c not in ACTIONS] == []


def _shows_no_code(text: str) -> None:
    assert "{" not in text and "}" not in text and "': " not in text and "[" not in text, text
    assert not any(code in text for code in ACTIONS), text
    assert text.rstrip()[-1] in ".。", text


def test_every_sentence_reads_without_values_and_with_them(app):
    """Each sentence copes with a row that has no before/after (an old row)
    as well as a full one: never a code, a dict or a crash."""
    samples = {
        "note.edit": {"before": {"id": 1, "body": "Call back"}, "after": {"id": 1, "body": "Called; all fine"}},
        "follow_up.set": {"after": {"due_date": "2026-12-24", "text": "Renewal call", "user_id": 1}},
        "view.share": {"after": {"name": "Gold", "page": "customers", "shared": True}},
        "alert_rule.create": {
            "after": {"condition": "trial_ending", "params": {"days": 14}, "channels": ["inbox", "email"]}
        },
        "token.revoke_all": {"before": {"tokens": ["a (ph_1)", "b (ph_2)"]}, "after": {"tokens": []}},
    }
    with app.test_request_context("/"):
        for code in ACTIONS:
            for row in ({"action": code, "target": "x@demo.example"}, {"action": code, **samples.get(code, {})}):
                _shows_no_code(sentence(row))
        assert sentence({"action": "alert_rule.create", **samples["alert_rule.create"]}) == (
            "Created an alert rule: Trial ending (days 14), delivered to in-app inbox, e-mail."
        )
        assert sentence({"action": "token.revoke_all", "target": "a@b.example", **samples["token.revoke_all"]}) == (
            "Revoked all 2 API tokens of a@b.example."
        )
        assert sentence({"action": "note.edit", **samples["note.edit"]}) == (
            "Edited a note from “Call back” to “Called; all fine”."
        )


def test_an_unknown_code_reads_as_a_generic_sentence(app):
    with app.test_request_context("/"):
        row = {"action": "widget.frobnicate", "target": "widget 7", "before": {"a": 1}, "after": {"a": 2}}
        assert sentence(row) == "Made a change to widget 7."
        assert sentence({"action": "widget.frobnicate"}) == "Made a change."
        assert action_label("widget.frobnicate") == "Other change"


@pytest.fixture
def acted(services, state):
    """A store of its own (each backend) where the application layer
    started a trial, created a tag and changed a user's role."""
    snapshot = services.snapshots.current()
    admin = get_user_by_email(services.state, FULL)
    add_or_update_user(state, "tests", FULL, "Full admin", "partner_full_admin")
    add_or_update_user(state, "tests", "someone@tests.example", "Someone", "partner_readonly_admin")
    caller = Caller(FULL, admin.role, None, state, snapshot, get_user_by_email(state, FULL).id)
    cid = free_customer(services, FULL)
    trial = trial_actions.start(caller, cid, {"meetings": 25, "calling": 1}, 30).value
    tag_actions.create(caller, "Renewal Q1", "#1f77b4")
    user_actions.change_role(caller, "someone@tests.example", "partner_full_admin")
    return cid, trial


def _rendered(app, state, language: str) -> list[dict]:
    with app.test_request_context(f"/?lang={language}"):
        return audit_rows(list_audit(state))


def test_rows_of_a_real_store_read_as_sentences(app, state, acted):
    cid, trial = acted
    rows = _rendered(app, state, "en")
    changes = [r["change"] for r in rows]
    end = trial.end_date.isoformat()
    assert changes[:3] == [
        "Changed the role of someone@tests.example from Partner read-only administrator to Partner full administrator.",
        "Created the tag “Renewal Q1”.",
        f"Started a 30-day trial until {end}: Meetings 25 licenses, Calling 1 license.",
    ]
    assert [r["action"] for r in rows[:3]] == ["Role changed", "Tag created", "Trial started"]
    assert rows[2]["customer_id"] == cid
    for row in rows:
        for value in (row["action"], row["change"]):
            assert "{" not in value and "." not in value.split(" ")[0], value
        _shows_no_code(row["change"])
    assert date.fromisoformat(end) > date(2000, 1, 1)


def test_rows_read_in_japanese_with_the_products_words(app, state, acted):
    rows = _rendered(app, state, "ja")
    for row in rows:
        assert "{" not in row["change"] and not any(code in row["change"] for code in ACTIONS), row
    text = " ".join(r["change"] for r in rows)
    # the product's and the roles' own Japanese words, not their codes
    assert "ミーティング" in text and "meetings" not in text
    assert "partner_full_admin" not in text and "パートナー" in text
