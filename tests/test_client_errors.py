"""What a client gets wrong answers 4xx, without a traceback in the log
(issue 11): unknown static files are 404, a callback refusing a value is a
JSON 400; and a genuine bug stays a 500, so that it shows."""

from __future__ import annotations

import logging

import pytest
from dash.exceptions import DependencyException
from flask import Flask, request

from partnerhub.auth.callback_inputs import BadCallbackInput
from partnerhub.auth.setup import answer_client_errors
from partnerhub.components.grid import BadRowRequest
from partnerhub.i18n import init_i18n

UNKNOWN_FILES = [
    "/_dash-component-suites/dash/nosuch.js",
    "/_dash-component-suites/dash/nosuch",
    "/_dash-component-suites/dash/deps/../../../app.py",
    "/_dash-component-suites/nosuchpkg/x.js",
    "/_dash-component-suites/os/x.js",
    "/_dash-component-suites/dash/dash-renderer/build/nosuch.v1_2_3m4.min.js",
    "/assets/nosuch.css",
    "/assets/vendor",
    "/assets/../factory.py",
    "/assets/%00",
]


@pytest.mark.parametrize("path", UNKNOWN_FILES)
def test_an_unknown_static_file_is_a_404_without_a_traceback(app, path, caplog):
    with caplog.at_level(logging.ERROR):
        response = app.test_client().get(path)  # anonymous: static files are public
    assert response.status_code == 404
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR], caplog.text


def test_every_file_dash_lists_is_served_or_a_404(app, caplog):
    client = app.test_client()
    client.get("/login")  # Dash registers its files on the first request
    registered = app.extensions["dash"].registered_paths
    served = set()
    with caplog.at_level(logging.ERROR):
        for package, paths in registered.items():
            for path in sorted(paths):
                response = client.get(f"/_dash-component-suites/{package}/{path}")
                # a package may list a source map it does not ship
                assert response.status_code == 200 or (response.status_code == 404 and path.endswith(".map"))
                served |= {path} if response.status_code == 200 else set()
    assert "dash-renderer/build/dash_renderer.min.js" in served and "dash_ag_grid.min.js" in served
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR], caplog.text


@pytest.fixture
def bare():
    """A Flask app with only the client-error handlers, and routes that fail as ?kind= asks."""
    server = Flask(__name__)
    server.config.update(PROPAGATE_EXCEPTIONS=False)  # a 500 answered, as in production

    def fail():
        raise {
            "bad-input": BadCallbackInput("licenses: give a number"),
            "bad-rows": BadRowRequest([("startRow", "give a whole number")]),
            "bug": ValueError("a bug, not a bad request"),
            "type-bug": TypeError("a bug too"),
            "dependency": DependencyException("no such file"),
            "missing": FileNotFoundError("a source map its package does not ship"),
        }[request.args["kind"]]

    for path in ("/_dash-update-component", "/_dash-component-suites/dash/x.js", "/elsewhere"):
        server.add_url_rule(path, path, view_func=fail)
    init_i18n(server)
    # the handlers the real server has (auth/setup.py)
    answer_client_errors(server)
    return server.test_client()


@pytest.mark.parametrize(
    "kind, error",
    [("bad-input", "licenses: give a number"), ("bad-rows", "startRow: give a whole number")],
)
def test_a_callback_refusing_a_value_answers_a_json_400(bare, kind, error):
    response = bare.get("/_dash-update-component", query_string={"kind": kind})
    assert response.status_code == 400
    assert response.get_json() == {"error": error}


@pytest.mark.parametrize("kind", ["bug", "type-bug"])
def test_a_genuine_bug_in_a_callback_stays_a_500(bare, kind):
    assert bare.get("/_dash-update-component", query_string={"kind": kind}).status_code == 500


@pytest.mark.parametrize("kind", ["dependency", "missing"])
def test_a_missing_file_is_a_404_only_for_component_files(bare, kind):
    assert bare.get("/_dash-component-suites/dash/x.js", query_string={"kind": kind}).status_code == 404
    assert bare.get("/elsewhere", query_string={"kind": kind}).status_code == 500


def test_bad_requests_elsewhere_keep_their_own_answer(bare):
    response = bare.get("/elsewhere", query_string={"kind": "bad-rows"})
    assert response.status_code == 400
    assert response.get_json() is None  # Werkzeug's own page, not the callback's JSON
