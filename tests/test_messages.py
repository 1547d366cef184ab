"""Messages that help: every notice and form error is a whole sentence in
both languages (its final full stop, or 。 in Japanese), plurals through
n_(), and a form names the rule that was broken.

Which messages are notices is read from the source: the translatable text
(`_()` / `n_()`) given to an error (`raise X(...)`), to an Outcome (what an
action says), to an alert, assigned to a `message`, or returned by a function
whose name says it words a message (`*_message`, `*_text`), in the
application layer and the pages. Pieces put into another message (its
keyword arguments) are not sentences of their own and are left out."""

from __future__ import annotations

import ast
from functools import cache
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from werkzeug.datastructures import MultiDict

from partnerhub.i18n import CATALOGUES
from partnerhub.metrics import view_query as V
from partnerhub.services import trials as trial_actions
from tests.customer_pages import FULL, free_customer, trial_rows
from tests.services_support import caller, counted

PACKAGE = Path(__file__).resolve().parents[1] / "partnerhub"
SOURCES = ("services", "pages", "components/license_bar.py")
JA = CATALOGUES / "ja" / "LC_MESSAGES" / "messages.po"
SENTENCE_ENDS = (".", "?", "!", "。", "？", "！")
# functions that word a notice without the word "message" in their name
NOTICE_FUNCTIONS = {"problem_text", "problems_text", "license_bar_text"}
CARRIERS = {"Outcome", "alert", "refusal", "Refused", "ValueError", "UnknownCustomers", "BadView"}


def _name(func: ast.expr) -> str | None:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return None


def _messages_in(node: ast.AST) -> list[str | tuple[str, str]]:
    """The msgids of the _() / n_() calls in `node`, not those nested in
    another message's keyword arguments (pieces of it)."""
    found: list[str | tuple[str, str]] = []
    stack = [node]
    while stack:
        n = stack.pop()
        if isinstance(n, ast.Call) and _name(n.func) in ("_", "n_"):
            args = [a.value for a in n.args if isinstance(a, ast.Constant) and isinstance(a.value, str)]
            if _name(n.func) == "_" and args:
                found.append(args[0])
            elif _name(n.func) == "n_" and len(args) >= 2:
                found.append((args[0], args[1]))
            continue
        stack.extend(ast.iter_child_nodes(n))
    return found


@cache
def notice_messages() -> dict[str | tuple[str, str], str]:
    """msgid -> where it is used as a notice or form error."""
    found: dict[str | tuple[str, str], str] = {}
    paths: list[Path] = []
    for source in SOURCES:
        target = PACKAGE / source
        paths += [target] if target.is_file() else sorted(target.rglob("*.py"))
    for path in paths:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        where = str(path.relative_to(PACKAGE))
        for node in ast.walk(tree):
            carried: list[ast.AST] = []
            if isinstance(node, ast.Raise) and node.exc is not None:
                carried.append(node.exc)
            elif isinstance(node, ast.Call) and _name(node.func) in CARRIERS:
                carried += node.args[:1]
            elif isinstance(node, ast.FunctionDef):
                carried += _messages_of_function(node)
            for part in carried:
                for msgid in _messages_in(part):
                    found.setdefault(msgid, f"{where}:{getattr(part, 'lineno', '?')}")
    return found


def _carries(node: ast.AST, name: str) -> bool:
    """Whether `name` is given to an error, an Outcome or an alert inside `node`."""
    for n in ast.walk(node):
        if isinstance(n, ast.Raise) and n.exc is not None:
            parts: list[ast.AST] = [n.exc]
        elif isinstance(n, ast.Call) and _name(n.func) in CARRIERS:
            parts = list(n.args[:1])
        else:
            continue
        if any(isinstance(m, ast.Name) and m.id == name for p in parts for m in ast.walk(p)):
            return True
    return False


def _messages_of_function(fn: ast.FunctionDef) -> list[ast.AST]:
    """A `message` the function builds and then shows, and what a function
    that words a notice returns."""
    parts: list[ast.AST] = []
    if _carries(fn, "message"):
        for n in ast.walk(fn):
            if isinstance(n, ast.Assign | ast.AugAssign):
                targets = n.targets if isinstance(n, ast.Assign) else [n.target]
                if any(isinstance(t, ast.Name) and t.id == "message" for t in targets):
                    parts.append(n.value)
    if fn.name.endswith("_message") or fn.name in NOTICE_FUNCTIONS:
        parts += [r.value for r in ast.walk(fn) if isinstance(r, ast.Return) and r.value is not None]
    return parts


def _is_sentence(text: str) -> bool:
    return text.rstrip().endswith(SENTENCE_ENDS)


def test_the_scan_finds_the_notices_it_should():
    found = notice_messages()
    assert "Customer not found." in found  # raise Refused(_(...))
    assert (
        "Deleted the tag “%(name)s”; %(count)s customer lost it.",
        "Deleted the tag “%(name)s”; %(count)s customers lost it.",
    ) in found
    assert "Only customers matching: %(filters)s." not in found or _is_sentence("Only customers matching: %(filters)s.")
    # a piece put into another message is not a notice of its own
    assert "renamed to “%(name)s”" not in found
    assert len(found) > 60


def test_every_notice_ends_its_sentence_in_english():
    unfinished = {
        m: where
        for m, where in notice_messages().items()
        if not all(_is_sentence(t) for t in ((m,) if isinstance(m, str) else m))
    }
    assert not unfinished, f"notices without their final full stop: {unfinished}"


def test_every_notice_ends_its_sentence_in_japanese():
    with JA.open("rb") as f:
        catalogue = read_po(f, locale="ja")
    unfinished = {}
    for msgid, where in notice_messages().items():
        entry = catalogue.get(msgid)
        if entry is None:  # not translated yet: tests/test_translations.py says so
            continue
        texts = entry.string if isinstance(entry.string, tuple) else (entry.string,)
        if not all(_is_sentence(t) for t in texts if t):
            unfinished[msgid if isinstance(msgid, str) else msgid[0]] = (texts, where)
    assert not unfinished, f"Japanese notices without their final 。: {unfinished}"


def test_the_filters_notice_is_a_sentence():
    source = (PACKAGE / "pages/_analytics/notices.py").read_text(encoding="utf-8")
    assert '_("Only customers matching: %(filters)s.",' in source


# ---- forms name the rule they broke -------------------------------------------------------------


@pytest.mark.parametrize(
    "licenses, expected",
    [
        (
            {"meetings": 500},
            "Licenses per product: give a whole number from 1 to 100; Meetings has 500.",
        ),
        ({"meetings": 0}, "Licenses per product: give a whole number from 1 to 100; Meetings has 0."),
        (
            {"meetings": 500, "calling": "2.5", "webinars": 7},
            "Licenses per product: give a whole number from 1 to 100; Meetings has 500, Calling has 2.5.",
        ),
        ({"meetings": None, "calling": ""}, "Choose at least one product for the trial: give it 1 to 100 licenses."),
    ],
)
def test_a_trial_form_names_the_licenses_rule_and_every_bad_value(app, services, licenses, expected):
    cid = free_customer(services, FULL)
    names = {"meetings": "Meetings", "calling": "Calling", "webinars": "Webinars"}
    with counted(services.state) as writes, pytest.raises(ValueError) as refused:
        trial_actions.start(caller(services, FULL), cid, licenses, 30, product_names=names)
    assert str(refused.value) == expected
    assert (writes.transactions, writes.audit) == (0, [])
    assert trial_rows(services, cid) == []


def test_the_trial_form_sends_what_was_typed():
    """An input with min/max hands an out-of-range number over as empty
    (Dash's number input checks validity), so the form could only say
    "choose a product": the inputs leave the range to the server's message."""
    from partnerhub.pages._customers.trials_ui import start_form

    inputs = [c for c in _walk(start_form()) if str(getattr(c, "id", "")).startswith("customers-trial-lic-")]
    assert inputs
    for component in inputs:
        assert getattr(component, "min", None) is None and getattr(component, "max", None) is None
        assert getattr(component, "step", None) == "any"


def _walk(component):
    yield component
    children = getattr(component, "children", None)
    for child in children if isinstance(children, list) else [children] if children is not None else []:
        if hasattr(child, "to_plotly_json"):
            yield from _walk(child)


def test_a_bad_filter_notice_names_every_bad_value_in_one_sentence(app):
    from partnerhub.pages._analytics.notices import grouped, problems_text

    args = MultiDict([("status", "bogus,trial,nope"), ("colour", "red")])
    with app.test_request_context("/"):
        problems = V.read_view(args, "customers").problems
        sentences = [problems_text(g) for g in grouped(problems)]
    assert sentences == [
        "This page has no parameter called “colour” (given “red”).",
        "The status values “bogus”, “nope” are unknown; use one of: "
        "trial, subscription, expiring_soon, license_overage, no_recent_activity, order_ready_for_setup, "
        "suspended, expired.",
    ]
    assert all(s.endswith(".") for s in sentences)
