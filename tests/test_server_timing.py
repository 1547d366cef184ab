"""Every response says how long the app spent on it (`Server-Timing: app;dur=<ms>`),
whatever answered it: a page, a static file, the API, a refusal."""

from __future__ import annotations

import re

import pytest

from tests.auth_client import sign_in

TIMING = re.compile(r"^app;dur=\d+(\.\d+)?$")


@pytest.mark.parametrize("path", ["/login", "/customers", "/api/v1/kpis", "/no-such-page"])
def test_every_response_carries_server_timing(client, path):
    res = client.get(path)
    assert TIMING.match(res.headers["Server-Timing"]), res.headers.get("Server-Timing")
    assert len(res.headers.getlist("Server-Timing")) == 1


def test_static_files_and_signed_in_pages_carry_it(client):
    assert sign_in(client, "full.admin@demo.example").status_code == 302
    page = client.get("/customers")
    assert page.status_code == 200
    assert TIMING.match(page.headers["Server-Timing"])
    script = re.search(r'src="(/_dash-component-suites/[^"]+\.js[^"]*)"', page.get_data(as_text=True))
    assert script is not None
    static = client.get(script.group(1))
    assert static.status_code == 200
    assert TIMING.match(static.headers["Server-Timing"])
