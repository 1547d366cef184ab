"""JSON answers keep the order the spec and the metrics give their keys:
Flask 3 ignores the removed JSON_SORT_KEYS setting, so sorting has to be
switched off on the app's JSON provider."""

from __future__ import annotations

import json

from partnerhub.metrics.datasets import kpis
from partnerhub.metrics.types import Context, View
from tests.auth_client import sign_in

FULL = "full.admin@demo.example"


def test_kpis_keep_the_metrics_key_order(app):
    client = app.test_client()
    sign_in(client, FULL)
    text = client.get("/api/v1/kpis?product=meetings").get_data(as_text=True)
    svc = app.extensions["partnerhub"]
    expected = kpis(
        Context(svc.snapshots.current(), svc.state, svc.settings), View(), {"customers", "analytics", "calling"}
    )
    body = json.loads(text, object_pairs_hook=lambda pairs: pairs)
    assert [k for k, _v in body] == list(expected)
    headline = dict(body)["headline"]
    assert [k for k, _v in headline] == list(expected["headline"])
    # the order is not an accident of sorting: the spec lists total_customers first
    assert [k for k, _v in headline] != sorted(k for k, _v in headline)
