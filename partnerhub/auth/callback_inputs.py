"""What a Dash callback may be sent: checked before any callback runs.

The request guard (auth/guard.py) calls `body_problems(body, registered)` for
every POST to /_dash-update-component, once it knows the callback and its
area. The body is refused with 400 (naming the inputs at fault) unless:

- it has the shape Dash's renderer sends for that registered callback: the
  same outputs; one entry per registered input and state, with its id and
  property (a list of entries for a pattern-matching ALL input, each id
  matching the pattern); changedPropIds naming only those inputs. Dash reads
  these without checking them, so anything else would be a 500;
- every value is one its component can hold, by RULES: looked up by
  (component id, property), then (id prefix + "*", property), then
  ("*", property) for a property that means the same on every component
  (n_clicks, getRowsRequest, ...). A pattern-matching id is looked up by its
  "type". An input with no rule is refused (fail closed), and
  tests/test_fuzz.py checks that every registered callback has a rule for
  each of its inputs and states, so a new callback cannot ship without one.

The rules are about types and ranges, generous enough for anything a person
can type (a licence count of 0, a 300-character search): what the value
means (an unknown tag, too many licences) is for the callback and the
application layer, which answer with a message the page shows. A callback
that finds a value it cannot use raises BadCallbackInput, which auth/setup.py
answers with 400 like the guard does; any other exception stays a 500, so a
genuine bug is never mistaken for a bad request.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from werkzeug.exceptions import BadRequest

MAX_CLICKS = 2**53  # JavaScript's largest exact integer
MAX_ROW = 10**9  # as components/grid.py: no list has this many rows
MAX_COUNTER = 2**53
MAX_ID = 2**63 - 1  # an app-state row id (tags, tokens, trials)
MAX_SHORT = 1_000  # a name, an e-mail address, a password, a tag colour, an id
MAX_TYPED = 10_000  # a search box: long enough to reach the page's own "too long" notice
MAX_URL = 16_000  # a path or query string (a bookmark of many filters)
MAX_ITEMS = 10_000  # choices of a multi-select, selected rows
MAX_SORT = 50  # columns of one sort
MAX_PATTERN_ITEMS = 10_000  # buttons of one pattern-matching input
MAX_CHANGED = 10_000
MAX_LICENSES = 10**9  # a number input's magnitude; the product's range is the trial service's

# property -> what the renderer sends for the component's id on that property
ID_PROPERTY = "id"
WILDCARDS = ('["ALL"]', '["MATCH"]', '["ALLSMALLER"]')


class BadCallbackInput(ValueError, BadRequest):
    """A callback value of the right type that the callback still cannot
    use. A ValueError for the caller, a 400 when it reaches Flask."""

    code = 400

    def __init__(self, message: str):
        BadRequest.__init__(self, message)
        self.args = (message,)

    def __str__(self) -> str:
        return str(self.args[0])


@dataclass(frozen=True)
class Rule:
    """holds: what the component can hold, for people reading the table;
    check: whether a value is one of those."""

    holds: str
    check: Callable[[Any], bool]


def _int(v) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _text(v, max_chars: int) -> bool:
    # no NUL or other C0 control but tab and line breaks (PostgreSQL refuses
    # NUL in text), and no lone surrogate (it cannot be encoded as UTF-8)
    if not isinstance(v, str) or len(v) > max_chars:
        return False
    if any(ord(c) < 32 and c not in "\t\n\r" for c in v):
        return False
    try:
        v.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def nullable(rule: Rule) -> Rule:
    return Rule(f"{rule.holds}, or null", lambda v: v is None or rule.check(v))


def whole(lo: int, hi: int) -> Rule:
    return nullable(Rule(f"a whole number from {lo} to {hi}", lambda v: _int(v) and lo <= v <= hi))


def number(lo: float, hi: float) -> Rule:
    def check(v) -> bool:
        if isinstance(v, str):
            return _text(v, 40)  # a number input may send what was typed
        return (_int(v) or isinstance(v, float)) and math.isfinite(v) and lo <= v <= hi

    return nullable(Rule(f"a number from {lo} to {hi} (or its text)", check))


def text(max_chars: int) -> Rule:
    return nullable(Rule(f"text of at most {max_chars} characters", lambda v: _text(v, max_chars)))


def one_of(*values: str) -> Rule:
    return nullable(Rule(f"one of {', '.join(values)}", lambda v: isinstance(v, str) and v in values))


def choices(max_chars: int = MAX_SHORT, max_items: int = MAX_ITEMS) -> Rule:
    """A dropdown's value: one text, or a list of them (multi=True)."""

    def check(v) -> bool:
        if isinstance(v, list):
            return len(v) <= max_items and all(_text(i, max_chars) for i in v)
        return _text(v, max_chars)

    return nullable(Rule("text, or a list of texts", check))


def _flag(v) -> bool:
    return isinstance(v, bool)


def _sort_item(item) -> bool:
    # AG Grid names the kind of sort too: {"colId", "sort", "type": "default"}
    return (
        isinstance(item, Mapping)
        and set(item) <= {"colId", "sort", "type"}
        and _text(item.get("colId"), MAX_SHORT)
        and item.get("sort") in ("asc", "desc")
        and (item.get("type") is None or _text(item.get("type"), 100))
    )


def _row_index(v) -> bool:
    return v is None or (_int(v) and 0 <= v <= MAX_ROW)


# what dash-ag-grid's infinite row model sends: AG Grid's getRows params
# (its grid `api` and `context` objects arrive serialised, as {} or null)
ROWS_REQUEST_KEYS = {"startRow", "endRow", "sortModel", "filterModel", "context", "api"}


def _rows_request(v) -> bool:
    if not isinstance(v, Mapping) or not set(v) <= ROWS_REQUEST_KEYS:
        return False
    sort = v.get("sortModel")
    filters = v.get("filterModel")
    return (
        _row_index(v.get("startRow"))
        and _row_index(v.get("endRow"))
        and (sort is None or (isinstance(sort, list) and len(sort) <= MAX_SORT and all(map(_sort_item, sort))))
        # the grids have no column filters: AG Grid sends an empty model
        and (filters is None or (isinstance(filters, Mapping) and len(filters) <= MAX_SORT))
        and all(v.get(k) is None or isinstance(v.get(k), Mapping) for k in ("context", "api"))
    )


def _rows(v) -> bool:
    return isinstance(v, list) and len(v) <= MAX_ITEMS and all(isinstance(r, Mapping) for r in v)


def _customer_rows(v) -> bool:
    return _rows(v) and all(_text(r.get("customer_id"), MAX_SHORT) for r in v)


CLICKS = whole(0, MAX_CLICKS)
COUNTER = whole(0, MAX_COUNTER)
ROW_ID = whole(0, MAX_ID)
SHORT = text(MAX_SHORT)
TYPED = text(MAX_TYPED)
URL_PART = text(MAX_URL)
PATHNAME = nullable(Rule("a path starting with /", lambda v: _text(v, MAX_URL) and v.startswith("/")))
LICENSES = number(-MAX_LICENSES, MAX_LICENSES)
FLAG = nullable(Rule("true or false", _flag))
ROWS_REQUEST = nullable(Rule("an AG Grid row request {startRow, endRow, sortModel}", _rows_request))

# (component id, property) -> rule. An id ending in "*" is a prefix; "*"
# alone is any component. Keep the families together with their page.
RULES: dict[tuple[str, str], Rule] = {
    # the same on every component
    ("*", "n_clicks"): CLICKS,
    ("*", "getRowsRequest"): ROWS_REQUEST,
    ("*", "selectedRows"): nullable(Rule("a list of rows", _rows)),
    ("*", "is_open"): nullable(Rule("true or false", _flag)),
    ("*", "search_value"): TYPED,  # what is typed into a searchable dropdown
    ("*", "pathname"): PATHNAME,  # dcc.Location
    ("*", "search"): URL_PART,
    # the customer list and a customer's page
    ("customers-view", "data"): URL_PART,  # the list's query string
    ("customers-tags-version", "data"): COUNTER,
    ("customers-detail-id", "data"): SHORT,
    ("customers-attention", "value"): one_of("all", "attention"),
    ("customers-managed-by", "value"): choices(),
    ("customers-product", "value"): choices(),
    ("customers-status", "value"): choices(),
    ("customers-subscription-type", "value"): choices(),
    ("customers-tag", "value"): choices(),
    ("customers-q", "value"): TYPED,
    ("customers-health-band", "value"): choices(),
    ("customers-reason", "value"): choices(),
    # the drill-down's license sections (pages/_customers/list_layout.segment_notice)
    ("customers-segment", "data"): choices(),
    ("customers-grid", "selectedRows"): nullable(Rule("a list of customer rows", _customer_rows)),
    ("customers-assign-tag", "value"): ROW_ID,
    ("customers-tag-edit", "value"): ROW_ID,
    ("customers-tag-new-name", "value"): SHORT,
    ("customers-tag-new-color", "value"): SHORT,
    ("customers-tag-edit-name", "value"): SHORT,
    ("customers-tag-edit-color", "value"): SHORT,
    ("customers-admins-user", "value"): SHORT,
    ("customers-trial-lic-*", "value"): LICENSES,
    ("customers-trial-days", "value"): LICENSES,
    # a customer's notes and the viewer's follow-up (pages/_customers/notes_ui.py): long
    # enough to reach the notes service's own "at most 4,000 characters"
    ("customers-notes-new", "value"): TYPED,
    ("customers-notes-edit-text", "value"): TYPED,
    ("customers-notes-target", "data"): ROW_ID,
    ("customers-followup-date", "value"): SHORT,  # "YYYY-MM-DD"; services.follow_ups reads it
    ("customers-followup-text", "value"): SHORT,
    # This week: the worklist's query string and filters
    ("home-view", "data"): URL_PART,
    ("home-band", "value"): choices(),
    ("home-reason", "value"): choices(),
    ("home-tag", "value"): choices(),
    ("home-managed-by", "value"): choices(),
    # analytics and calling: the customer filters as a query string, the product toggle
    ("analytics-filters", "data"): URL_PART,
    ("calling-filters", "data"): URL_PART,
    ("analytics-toggle", "value"): SHORT,  # an unknown product falls back to meetings
    # a grid's row request past its first page (pages/_analytics/sections.py), as the browser passes it on
    ("analytics-rows-*", "data"): ROWS_REQUEST,
    ("calling-rows-*", "data"): ROWS_REQUEST,
    # the saved-views bar of each page (pages/_saved_views.py), its ids prefixed with the page's area
    **{
        rule: check
        for area in ("home", "customers", "analytics", "calling")
        for rule, check in (
            ((f"{area}-views-save-name", "value"), SHORT),
            ((f"{area}-views-save-shared", "value"), nullable(Rule("true or false", _flag))),
            ((f"{area}-views-here", "data"), URL_PART),  # the page's address: path and query
            ((f"{area}-views-name", "value"), SHORT),  # a view's new name
        )
    },
    # resources
    ("resources-search", "value"): TYPED,
    ("resources-category", "value"): choices(),
    ("resources-type", "value"): choices(),
    # alerts: the list's filters and selection, a new rule's form (services/alert_rules.py checks the values)
    ("alerts-state", "value"): one_of("all", "open", "resolved"),
    ("alerts-condition", "value"): SHORT,
    ("alerts-select", "value"): FLAG,
    ("alerts-new-condition", "value"): SHORT,
    ("alerts-new-param", "value"): number(-MAX_LICENSES, MAX_LICENSES),
    ("alerts-new-tag", "value"): choices(),
    ("alerts-new-managed-by", "value"): choices(),
    ("alerts-new-health-band", "value"): choices(),
    ("alerts-new-channels", "value"): choices(),
    ("alerts-new-webhook-url", "value"): TYPED,
    ("alerts-new-webhook-secret", "value"): SHORT,
    # my account
    ("account-token-name", "value"): SHORT,
    ("account-digest", "value"): FLAG,
    ("account-time-zone", "value"): SHORT,  # an IANA name; services.preferences checks it
    ("account-password-*", "value"): SHORT,
    # administration
    ("admin-refresh", "data"): COUNTER,
    ("admin-assign-refresh", "data"): COUNTER,
    ("admin-add-*", "value"): SHORT,  # e-mail, name, role, password
    ("admin-user-select", "value"): SHORT,
    ("admin-role-select", "value"): SHORT,
    ("admin-reset-password", "value"): SHORT,
    ("admin-assign-user", "value"): SHORT,
    ("admin-assign-customers", "value"): choices(),
    ("admin-unassign-customers", "value"): choices(),
    ("admin-audit-who", "value"): SHORT,
    ("admin-audit-action", "value"): SHORT,
    ("admin-audit-customer", "value"): SHORT,
    ("admin-audit-from", "value"): SHORT,  # a date; list_audit reads it
    ("admin-audit-to", "value"): SHORT,
}


def rule_for(component_id, prop: str) -> Rule | None:
    """The rule of one input: by id, by the longest matching id prefix, by
    property; None when there is none. A dict id is looked up by its type."""
    name = component_id.get("type") if isinstance(component_id, Mapping) else component_id
    if not isinstance(name, str):
        return None
    if (name, prop) in RULES:
        return RULES[(name, prop)]
    prefixes = [p for p, q in RULES if q == prop and p.endswith("*") and p != "*" and name.startswith(p[:-1])]
    if prefixes:
        return RULES[(max(prefixes, key=len), prop)]
    return RULES.get(("*", prop))


# ---- the body's shape -----------------------------------------------------------


def _registered_id(raw: str):
    """A registered id: text, or a pattern-matching dict (kept as a dict)."""
    if raw.startswith("{"):
        return json.loads(raw)
    return raw


def _is_wildcard(v) -> bool:
    return isinstance(v, list) and len(v) == 1 and json.dumps(v) in WILDCARDS


def _id_value(v) -> bool:
    return _text(v, MAX_SHORT) or (_int(v) and abs(v) <= MAX_ID)


def _matches(pattern, actual) -> bool:
    """Whether a sent id is the registered one (a pattern: same keys, the
    fixed values equal, wildcard keys a text or a whole number)."""
    if not isinstance(pattern, dict):
        return actual == pattern
    if not isinstance(actual, Mapping) or set(actual) != set(pattern):
        return False
    return all(_id_value(actual[k]) if _is_wildcard(p) else actual[k] == p for k, p in pattern.items())


def _takes_list(pattern) -> bool:
    return isinstance(pattern, dict) and any(_is_wildcard(v) and v != ["MATCH"] for v in pattern.values())


def _canonical(component_id) -> str:
    if isinstance(component_id, Mapping):
        return json.dumps(dict(component_id), sort_keys=True)
    return str(component_id)


def _entry(item, pattern, prop: str) -> bool:
    return (
        isinstance(item, Mapping)
        and item.get("property") == prop
        and _matches(pattern, item.get("id"))
        and set(item) <= {"id", "property", "value"}
    )


def _output_parts(key: str) -> list[tuple[Any, str]]:
    """(id, property) of each output of a registered callback's key, in order."""
    multi = key.startswith("..") and key.endswith("..")
    parts = key[2:-2].split("...") if multi else [key]
    out = []
    for part in parts:
        ident, _sep, prop = part.rpartition(".")
        out.append((_registered_id(ident.replace("\\.", ".")), prop))
    return out


def _outputs_problems(body: Mapping, registered: Mapping, key: str) -> list[str]:
    if registered.get("no_output"):
        return []
    expected = _output_parts(key)
    sent = body.get("outputs")
    multi = key.startswith("..") and key.endswith("..")
    if not multi:
        sent = [sent]
    if not isinstance(sent, list) or len(sent) != len(expected):
        return ["outputs"]
    for item, (pattern, prop) in zip(sent, expected, strict=True):
        items = item if _takes_list(pattern) and isinstance(item, list) else [item]
        if not all(_entry(i, pattern, prop) and "value" not in i for i in items):
            return ["outputs"]
    return []


def _value_problem(name: str, component_id, prop: str, value) -> str | None:
    if prop == ID_PROPERTY:
        return None if value == component_id else name
    rule = rule_for(component_id, prop)
    if rule is None:
        return f"{name} (no rule for this input)"
    return None if rule.check(value) else name


def _inputs_problems(sent, registered: Iterable[Mapping], kind: str, sent_ids: set[str]) -> list[str]:
    registered = list(registered)
    if sent is None:
        sent = []
    if not isinstance(sent, list) or len(sent) != len(registered):
        return [kind]
    problems: list[str] = []
    for item, spec in zip(sent, registered, strict=True):
        pattern, prop = _registered_id(spec["id"]), spec["property"]
        name = f"{spec['id']}.{prop}"
        if _takes_list(pattern):
            if not isinstance(item, list) or len(item) > MAX_PATTERN_ITEMS:
                problems.append(name)
                continue
            entries = item
        else:
            entries = [item]
        for entry in entries:
            if not _entry(entry, pattern, prop):
                problems.append(name)
                break
            sent_ids.add(f"{_canonical(entry['id'])}.{prop}")
            problem = _value_problem(name, entry["id"], prop, entry.get("value"))
            if problem:
                problems.append(problem)
                break
    return problems


def _changed_problems(changed, input_ids: set[str]) -> list[str]:
    if changed is None:
        return []
    if not isinstance(changed, list) or len(changed) > MAX_CHANGED:
        return ["changedPropIds"]
    for prop_id in changed:
        if not isinstance(prop_id, str):
            return ["changedPropIds"]
        ident, _sep, prop = prop_id.rpartition(".")
        if ident.startswith("{"):
            try:
                ident = _canonical(json.loads(ident))
            except (ValueError, RecursionError):
                return ["changedPropIds"]
        if f"{ident}.{prop}" not in input_ids:
            return ["changedPropIds"]
    return []


def body_problems(body: Mapping, registered: Mapping, key: str) -> list[str]:
    """What is wrong with a callback request's body for the registered
    callback `registered` (an entry of Dash's callback_map under `key`):
    the names of the parts and inputs at fault, [] when it may run."""
    input_ids: set[str] = set()
    problems = _outputs_problems(body, registered, key)
    problems += _inputs_problems(body.get("inputs"), registered.get("inputs", []), "inputs", input_ids)
    problems += _inputs_problems(body.get("state"), registered.get("state", []), "state", set())
    if not problems:
        problems += _changed_problems(body.get("changedPropIds"), input_ids)
    return problems


def unruled_inputs(callback_map: Mapping[str, Mapping]) -> list[str]:
    """Inputs and states of server callbacks that no rule covers (the test
    suite keeps this empty)."""
    missing = []
    for entry in callback_map.values():
        if "callback" not in entry:
            continue  # runs in the browser
        for spec in [*entry.get("inputs", []), *entry.get("state", [])]:
            if spec["property"] != ID_PROPERTY and rule_for(_registered_id(spec["id"]), spec["property"]) is None:
                missing.append(f"{spec['id']}.{spec['property']}")
    return sorted(set(missing))
