"""No 5xx from anything a client sends (issue 11), checked with hypothesis.

Signed in as a partner full administrator (every area, every action), the
tests send to EVERY server callback of the app's callback map, and to every
route with junk paths and query strings:

- a value no component can hold in one input or state (1e30, Infinity, NaN,
  nested lists, a NUL byte...): the guard answers 400 before the callback runs;
- in every input and state a value of a kind its rule lets through, edge
  cases included (SQL-like text, unknown ids and tags, row 10**9, unknown
  sort columns), never a click (so nothing may write): the callbacks
  themselves answer, never with a 5xx;
- bodies of the wrong shape (wrong inputs, outputs, changedPropIds, not
  JSON, nested too deep) and any JSON at all: 400, never a 5xx;
- junk paths, parameters and forms on the API, the pages, /login and Dash's
  own routes: never a 5xx.

After each of them the data is what it was: every app-state table but the
sign-in bookkeeping (sessions, login_attempts), and the snapshot files.
Deterministic (derandomize=True) and bounded: a few examples per callback.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from partnerhub.auth.callback_inputs import rule_for, unruled_inputs
from partnerhub.data.state import metadata
from partnerhub.metrics.datasets import DATASETS
from partnerhub.metrics.view_query import FILTER_PARAMS
from tests.auth_client import csrf_header, new_user, pattern_prop_id, sign_in

CALLBACK_PATH = "/_dash-update-component"
# who is signed in and who failed to: these change with any sign-in, not the data
BOOKKEEPING = {"sessions", "login_attempts"}
PER_CALLBACK = settings(
    derandomize=True,
    max_examples=6,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
ROUTES = settings(
    derandomize=True, max_examples=120, deadline=None, database=None, suppress_health_check=list(HealthCheck)
)


# ---- the data that must not change -------------------------------------------------------------


def data_fingerprint(services) -> str:
    """A digest of every app-state row (but the sign-in bookkeeping) and of the snapshot files."""
    digest = hashlib.sha256()
    with services.state.read() as conn:
        for table in metadata.sorted_tables:
            if table.name in BOOKKEEPING:
                continue
            rows = conn.execute(select(table)).all()
            digest.update(f"{table.name}:{len(rows)}:{sorted(map(repr, rows))}".encode())
    folder = Path(services.settings.snapshots_dir)
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            stat = path.stat()
            digest.update(f"{path.relative_to(folder)}:{stat.st_size}:{stat.st_mtime_ns}".encode())
    return digest.hexdigest()


@pytest.fixture(scope="module")
def admin_client(app):
    from partnerhub.data.runtime import EXTENSION

    client = app.test_client()
    assert sign_in(client, new_user(app.extensions[EXTENSION], "partner_full_admin", prefix="fuzz")).status_code == 302
    client.get("/")  # Dash copies its callbacks into the app's map on the first request
    return client


@pytest.fixture(scope="module")
def callbacks(app, admin_client) -> dict[str, dict]:
    """Every callback that runs on the server: output key -> its entry."""
    found = {k: v for k, v in app.extensions["dash"].callback_map.items() if "callback" in v}
    assert len(found) > 30, sorted(found)
    return found


@pytest.fixture
def unchanged(services):
    """Call it after a test's requests: the data is what it was before them."""
    before = data_fingerprint(services)
    return lambda: data_fingerprint(services) == before


# ---- bodies -----------------------------------------------------------------------------------


def _registered_id(raw: str):
    return json.loads(raw) if raw.startswith("{") else raw


def _is_pattern(raw: str) -> bool:
    return raw.startswith("{")


def outputs_of(key: str):
    def one(part: str) -> dict:
        ident, prop = part.rsplit(".", 1)
        return {"id": ident, "property": prop}

    if key.startswith(".."):
        return [one(p) for p in key[2:-2].split("...")]
    return one(key)


def slots(entry: dict) -> list[dict]:
    return [*entry["inputs"], *entry["state"]]


def body_of(key: str, entry: dict, values: list, changed: list[str] | None = None) -> dict:
    """A body as the renderer sends it: `values` holds one value per input
    and state (for a pattern-matching input: its list of entries, or junk)."""
    items = []
    for spec, value in zip(slots(entry), values, strict=True):
        items.append(
            value if _is_pattern(spec["id"]) else {"id": spec["id"], "property": spec["property"], "value": value}
        )
    n = len(entry["inputs"])
    return {
        "output": key,
        "outputs": outputs_of(key),
        "inputs": items[:n],
        "state": items[n:],
        "changedPropIds": changed or [],
    }


def post(client, body) -> object:
    return client.post(CALLBACK_PATH, json=body, headers=csrf_header(client))


# ---- values -----------------------------------------------------------------------------------

SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=40)
    | st.sampled_from(["", "CUST-000001", "#ff0000", "customer_id", "asc", "meetings", "/customers", "?q=a"])
)
ANY_JSON = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4),
    max_leaves=12,
)
ROW_REQUESTS = st.fixed_dictionaries(
    {},
    optional={
        "startRow": st.integers(-5, 2**40) | st.floats() | st.text(max_size=5) | st.lists(st.integers(), max_size=2),
        "endRow": st.integers(-5, 2**40) | st.floats() | st.none(),
        "sortModel": st.lists(
            st.fixed_dictionaries(
                {"colId": st.text(max_size=20) | st.integers(), "sort": st.sampled_from(["asc", "desc", "up", None])}
            ),
            max_size=3,
        )
        | ANY_JSON,
        "filterModel": st.just({}) | ANY_JSON,
    },
)
# what the components of our pages plausibly hold, and near misses
PLAUSIBLE = (
    ANY_JSON
    | ROW_REQUESTS
    | st.lists(st.text(max_size=20), max_size=4)
    | st.lists(st.fixed_dictionaries({"customer_id": st.text(max_size=12) | st.integers()}), max_size=3)
    | st.integers(min_value=0, max_value=100)
)
# no component of ours can hold one of these, in any property
NEVER_VALID = st.sampled_from(
    [
        1e30,
        -1e30,
        float("inf"),
        float("-inf"),
        float("nan"),
        [[["x"]]],
        {"\x00": [1, 2]},
        "a\x00b",
        "\ud800",
        "x" * 20_000,
    ]
)
# a click would run an action: never sent where any value may be
NOT_A_CLICK = st.none() | st.just(0)
# values of the types the guard lets through, for the callbacks themselves to answer
TYPED_TEXT = st.text(max_size=60) | st.sampled_from(
    [
        "",
        " ",
        "%",
        "_",
        "\\",
        "'; DROP TABLE users; --",
        "CUST-000001",
        "CUST-999999",
        "#ff0000",
        "red",
        "2024-01-01",
        "2024-13-45",
        "meetings",
        "calling",
        "attention",
        "partner_full_admin",
        "admin@demo.example",
        "?q=a&status=nosuch&tag=nosuch",
        "needs_attention=maybe&product=fax",
        "/customers",
        "/customers/CUST-000001",
        "/customers/nosuch",
        "/nosuch",
        "x" * 900,
    ]
)
ROW_REQUESTS_IN_RANGE = st.fixed_dictionaries(
    {},
    optional={
        "startRow": st.integers(0, 10**9),
        "endRow": st.integers(0, 10**9),
        "sortModel": st.lists(
            st.fixed_dictionaries(
                {
                    "colId": st.sampled_from(["name", "customer_id", "statuses", "products", "week"])
                    | st.text(max_size=10),
                    "sort": st.sampled_from(["asc", "desc"]),
                }
            ),
            max_size=3,
        ),
        "filterModel": st.just({}),
    },
)
# (a value of the kind, the strategy of that kind): a slot draws from the kinds its rule takes
KINDS = [
    ("x", TYPED_TEXT),
    ("/x", st.builds("/{}".format, TYPED_TEXT)),
    ("all", st.sampled_from(["all", "attention"])),
    (5, st.integers(0, 2**53) | st.integers(-10, 10)),
    (0.5, st.floats(-1e9, 1e9)),
    (True, st.booleans()),
    (["x"], st.lists(TYPED_TEXT, max_size=4)),
    ([{"customer_id": "x"}], st.lists(st.fixed_dictionaries({"customer_id": TYPED_TEXT}), max_size=3)),
    ({}, ROW_REQUESTS_IN_RANGE),
]


def within(rule) -> st.SearchStrategy:
    kinds = [strategy.filter(rule.check) for sample, strategy in KINDS if rule.check(sample)]
    assert kinds, rule.holds
    return st.none() | st.one_of(kinds)


def _pattern_entries(spec: dict, value) -> st.SearchStrategy:
    pattern = _registered_id(spec["id"])
    ident = st.fixed_dictionaries(
        {k: (st.text(max_size=20) | st.integers() if isinstance(v, list) else st.just(v)) for k, v in pattern.items()}
    )
    entry = st.fixed_dictionaries({"id": ident, "property": st.just(spec["property"]), "value": value})
    return st.lists(entry, max_size=3)


def any_values(entry: dict) -> st.SearchStrategy:
    """A value for every input and state; n_clicks never a click."""
    parts = []
    for spec in slots(entry):
        value = NOT_A_CLICK if spec["property"] == "n_clicks" else PLAUSIBLE
        if spec["property"] == "id":
            value = st.just(_registered_id(spec["id"])) | value
        parts.append(_pattern_entries(spec, value) if _is_pattern(spec["id"]) else value)
    return st.tuples(*parts).map(list)


def typed_values(entry: dict) -> st.SearchStrategy:
    """A value for every input and state that its rule lets through; n_clicks never a click."""
    parts = []
    for spec in slots(entry):
        ident, prop = _registered_id(spec["id"]), spec["property"]
        if prop == "n_clicks":
            value = NOT_A_CLICK
        elif prop == "id":
            value = st.just(ident)
        else:
            rule = rule_for(ident, prop)
            assert rule is not None, spec
            value = within(rule)
        parts.append(_pattern_entries(spec, value) if _is_pattern(spec["id"]) else value)
    return st.tuples(*parts).map(list)


def changed_ids(entry: dict, values: list) -> list[str]:
    """Every input's prop id, as the renderer names it."""
    out = []
    for spec, value in zip(entry["inputs"], values, strict=False):
        if _is_pattern(spec["id"]):
            entries = value if isinstance(value, list) else []
            out += [pattern_prop_id(e["id"], spec["property"]) for e in entries if isinstance(e, dict)]
        else:
            out.append(f"{spec['id']}.{spec['property']}")
    return out


# ---- every callback ---------------------------------------------------------------------------


def test_every_callback_input_has_a_rule(app, callbacks):
    # a new callback must say what each of its inputs can hold (auth/callback_inputs.py RULES)
    assert unruled_inputs(app.extensions["dash"].callback_map) == []


def refuses_what_no_component_holds(client, key: str, entry: dict):
    @PER_CALLBACK
    @given(values=any_values(entry), bad=NEVER_VALID, data=st.data())
    def run(values, bad, data):
        at = data.draw(st.integers(0, len(values) - 1))
        spec = slots(entry)[at]
        if _is_pattern(spec["id"]) and data.draw(st.booleans()):
            # one button of a pattern-matching input sends it
            values[at] = [{"id": e["id"], "property": spec["property"], "value": bad} for e in values[at][:1]] or bad
        else:
            values[at] = bad
        response = post(client, body_of(key, entry, values, changed_ids(entry, values)))
        assert response.status_code == 400, (key, spec, response.get_data(as_text=True)[:300])
        assert "error" in response.get_json()

    return run


def answers_typed_values(client, key: str, entry: dict):
    @settings(PER_CALLBACK, max_examples=10)
    @given(values=typed_values(entry), data=st.data())
    def run(values, data):
        ids = changed_ids(entry, values)
        changed = data.draw(st.lists(st.sampled_from(ids), max_size=2, unique=True)) if ids else []
        response = post(client, body_of(key, entry, values, changed))
        assert response.status_code < 500, (key, values, response.get_data(as_text=True)[:500])

    return run


def test_every_callback_refuses_a_value_no_component_holds(admin_client, callbacks, unchanged):
    for key, entry in sorted(callbacks.items()):
        if slots(entry):
            refuses_what_no_component_holds(admin_client, key, entry)()
    assert unchanged()


def test_every_callback_answers_what_the_guard_lets_through_without_a_5xx(admin_client, callbacks, unchanged):
    for key, entry in sorted(callbacks.items()):
        answers_typed_values(admin_client, key, entry)()
    assert unchanged()


def _misshapen(key: str, entry: dict) -> st.SearchStrategy:
    good = body_of(key, entry, [None if not _is_pattern(s["id"]) else [] for s in slots(entry)])

    def replace(part: str, value) -> dict:
        return {**good, part: value}

    wrong_entry = st.fixed_dictionaries(
        {"id": ANY_JSON, "property": st.text(max_size=10) | st.integers(), "value": ANY_JSON}
    )
    return st.one_of(
        st.builds(replace, st.just("inputs"), ANY_JSON.filter(lambda v: v != good["inputs"] and v is not None)),
        st.builds(replace, st.just("inputs"), st.lists(wrong_entry, min_size=1, max_size=3)),
        st.builds(replace, st.just("state"), st.lists(wrong_entry, min_size=1, max_size=3)),
        st.builds(replace, st.just("outputs"), ANY_JSON.filter(lambda v: v != good["outputs"])),
        st.builds(
            replace,
            st.just("changedPropIds"),
            st.lists(
                ANY_JSON | st.sampled_from(['{"type"', '{"a":1}.n_clicks', "nosuch.value", "."]), min_size=1
            ).filter(lambda v: not all(isinstance(i, str) and i in changed_ids(entry, good["inputs"]) for i in v)),
        ),
    )


def refuses_misshapen(client, key: str, entry: dict):
    @settings(PER_CALLBACK, max_examples=3)
    @given(body=_misshapen(key, entry))
    def run(body):
        response = post(client, body)
        assert response.status_code == 400, (key, body, response.get_data(as_text=True)[:300])

    return run


def test_misshapen_callback_bodies_are_refused(admin_client, callbacks, unchanged):
    for key, entry in sorted(callbacks.items()):
        refuses_misshapen(admin_client, key, entry)()
    assert unchanged()


@ROUTES
@given(body=ANY_JSON | st.dictionaries(st.sampled_from(["output", "outputs", "inputs", "state"]), ANY_JSON))
def test_any_json_body_is_refused_or_answered(admin_client, body):
    assert post(admin_client, body).status_code < 500


@pytest.mark.parametrize(
    "data",
    [
        b"not json",
        b"[" * 100_000 + b"]" * 100_000,  # deeper than the parser goes
        b'{"output": "' + b"x" * 10_000 + b'"}',
        b'{"output": ".._pages_content.children..._pages_store.data..", "inputs": "x"}',
        b'{"output": "customers-grid.paginationGoTo@x"}',
    ],
)
def test_what_is_no_callback_body_is_a_400(admin_client, data, unchanged):
    response = admin_client.post(
        CALLBACK_PATH, data=data, headers={**csrf_header(admin_client), "Content-Type": "application/json"}
    )
    assert response.status_code == 400
    assert unchanged()


def test_the_grid_row_requests_of_issue_11_are_400(admin_client, callbacks):
    for key, entry in callbacks.items():
        if not key.endswith("getRowsResponse") and ".getRowsResponse..." not in key:
            continue
        for bad in ["0", [0], 5, {"startRow": 1e30}, {"startRow": float("inf")}, {"startRow": "1"}]:
            values = [bad if s["property"] == "getRowsRequest" else None for s in slots(entry)]
            response = post(admin_client, body_of(key, entry, values))
            assert response.status_code == 400, (key, bad)


def test_a_filter_store_of_the_wrong_type_is_a_400(admin_client, callbacks):
    for key, entry in callbacks.items():
        stores = [s for s in slots(entry) if s["id"] in ("analytics-filters", "calling-filters", "customers-view")]
        if stores:
            values = [7 if s in stores else None for s in slots(entry)]
            assert post(admin_client, body_of(key, entry, values)).status_code == 400, key


# ---- every route ------------------------------------------------------------------------------

JUNK_TEXT = st.text(max_size=30) | st.sampled_from(["%00", "\x00", "../../etc/passwd", "x" * 5000, "1e30", "-1", "[]"])
PARAM_NAMES = st.sampled_from([*FILTER_PARAMS, "product", "next", "format", "page", "q[]", ""]) | st.text(max_size=8)
QUERIES = st.lists(st.tuples(PARAM_NAMES, JUNK_TEXT), max_size=5)
PAGES = ["/", "/customers", "/customers/CUST-000001", "/analytics", "/calling", "/resources", "/account", "/admin"]
API = ["/api/v1/kpis", "/api/v1/datasets", "/api/v1/openapi.json", "/api", "/api/v1"]
DASH = ["/_dash-layout", "/_dash-dependencies", "/_reload-hash", "/_favicon.ico", "/logout", "/login"]
DATASET_FILES = st.builds(
    "/api/v1/datasets/{}.{}".format,
    st.sampled_from(sorted(DATASETS)),
    st.sampled_from(["csv", "xlsx", "parquet"]),
)
KNOWN_PATHS = st.sampled_from(PAGES + API + DASH) | DATASET_FILES
JUNK_PATHS = (
    st.builds("/api/v1/datasets/{}.{}".format, st.text(max_size=12), st.sampled_from(["csv", "xlsx", "json", ""]))
    | st.builds("/customers/{}".format, st.text(min_size=1, max_size=30))
    | st.builds("/{}".format, st.text(max_size=30))
    | st.builds("/api/v1/{}".format, st.text(max_size=30))
    | st.builds("/assets/{}".format, st.text(min_size=1, max_size=30))
    | st.builds(
        "/_dash-component-suites/{}/{}".format, st.sampled_from(["dash", "os", "x"]), st.text(min_size=1, max_size=30)
    )
)
METHODS = st.sampled_from(["GET", "GET", "GET", "HEAD", "POST", "DELETE"])


def answers_without_a_5xx(client, services, path: str, query, method: str) -> None:
    before = data_fingerprint(services)
    headers = csrf_header(client) if method == "POST" else {}
    if path.startswith("/logout") and method == "POST":
        method = "GET"  # a real sign-out would end the test's session
    response = client.open(path, method=method, query_string=query, headers=headers)
    assert response.status_code < 500, (method, path, query, response.get_data(as_text=True)[:300])
    assert data_fingerprint(services) == before


@ROUTES
@given(path=KNOWN_PATHS, query=QUERIES, method=METHODS)
def test_every_route_answers_junk_parameters_without_a_5xx(admin_client, services, path, query, method):
    answers_without_a_5xx(admin_client, services, path, query, method)


@settings(ROUTES, max_examples=60)
@given(path=JUNK_PATHS, query=QUERIES, method=METHODS)
def test_junk_paths_answer_without_a_5xx(admin_client, services, path, query, method):
    answers_without_a_5xx(admin_client, services, path, query, method)


@pytest.fixture(scope="module")
def stranger(app):
    """An anonymous client at an address of its own: its failed sign-ins lock nobody else."""
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = "203.0.113.77"
    return client


@ROUTES
@given(
    form=st.dictionaries(
        st.sampled_from(["email", "password", "next", "csrf_token", "remember"]), JUNK_TEXT, max_size=5
    ),
    with_token=st.booleans(),
    query=QUERIES,
)
def test_the_sign_in_form_answers_junk_without_a_5xx(stranger, form, with_token, query, services):
    from tests.auth_client import form_token

    before = data_fingerprint(services)
    if with_token:
        form = {**form, "csrf_token": form_token(stranger)}
    response = stranger.post("/login", data=form, query_string=query)
    assert response.status_code < 500, (form, response.get_data(as_text=True)[:300])
    assert data_fingerprint(services) == before
