"""The weekly digest (partnerhub/alerts/digest.py), received by a real SMTP
server on loopback after the two imports of tests/alert_world.py: each
subscriber's own scope, KPIs with their change since the previous snapshot,
the lowest-health customers with reasons, this week's alerts, follow-ups due,
and the worklist attached as CSV; once per person and snapshot."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

import polars as pl
import pytest

from partnerhub.data import alerts as store
from partnerhub.i18n import _, language
from partnerhub.metrics.health import customer_health
from partnerhub.metrics.types import Context, View
from tests.alert_world import BASE_URL, FA, PLANTED, SA, Weeks, run_story


@pytest.fixture(scope="module")
def weeks(tmp_path_factory) -> Iterator[Weeks]:
    yield from run_story(tmp_path_factory.mktemp("digest-weeks"))


def _digests(w: Weeks, to: str) -> list:
    """(message, attachment bytes) of each digest `to` received, oldest first."""
    out = []
    for m in w.smtp.received():
        attached = next(iter(m.message.iter_attachments()), None)
        if m.rcpt_tos == [to] and attached is not None:
            out.append((m.message, attached.get_payload(decode=True)))
    return out


def _text(message) -> str:
    return message.get_body(("plain",)).get_content()


def _rows(content: bytes, bom: bool) -> list[dict]:
    assert content.startswith(b"\xef\xbb\xbf") is bom
    return list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))


def test_one_digest_per_person_and_snapshot(weeks):
    assert len(_digests(weeks, FA)) == len(_digests(weeks, SA)) == 2  # week 1 and week 2, the second run added none
    keys = {d["dedupe_key"] for d in store.delivery_log(weeks.svc.state) if d["kind"] == "digest"}
    assert keys == {f"digest:{weeks.users[u]}:{weeks.snapshots[n]}:email" for u in (FA, SA) for n in (1, 2)}


def test_a_sales_admins_digest_holds_only_her_customers(weeks):
    (first, _content), (message, content) = _digests(weeks, SA)
    # her scope now: PL-DROP (35.29 at risk), PL-TRIAL (82.14), PL-RECOVER (96.43)
    rows = _rows(content, bom=True)  # Japanese reader: Excel needs the byte-order mark
    assert [(r["customer_id"], r["health_band"]) for r in rows] == [("PL-DROP", "at_risk")]
    assert float(rows[0]["health_score"]) == pytest.approx(3000 / 85)
    text = _text(message)
    for name in ("Drop Works", "Trial Foods", "Recover Trading"):
        assert name in text
    others = set(PLANTED.values()) - {"Drop Works", "Trial Foods", "Recover Trading"}
    assert not [n for n in others if n in text], "a customer outside her scope is named"
    assert "CUST-" not in text and "CUST-" not in _text(first).replace("PL-", "")
    # the lowest health first, with the reasons in words
    assert text.index("Drop Works") < text.index("Trial Foods") < text.index("Recover Trading")
    with language("ja"):
        assert _("assigns %(share)s of its licenses", share="10 %") in text
        scored, average = _("Customers with a health score"), _("Average health score")
        total = _("Total customers")
    # the same three customers at both dates: W1 97.06, 82.14, 32.14; W2 35.29, 82.14, 96.43
    assert f"- {scored}: 3 (0)" in text
    assert f"- {average}: 71.3 (+0.8)" in text
    assert f"- {total}: 3 (0)" in text and "顧客総数" in text  # translated already
    # this week's alerts of her rules: PL-LOW left her scope and is not named
    assert "Trial Foods: " in text and "Low Logistics" not in text
    # follow-ups due within 7 days, in her scope: not the one in 30 days, not PL-LOW's
    assert "Call about the unused licenses" in text
    assert "Ask about the trial" not in text and "Check the rollout" not in text
    assert f"{BASE_URL}/customers/PL-DROP" in text
    assert '<html lang="ja">' in message.get_body(("html",)).get_content()


def test_the_first_digest_says_there_is_nothing_to_compare_with(weeks):
    (first, _), (second, _) = _digests(weeks, FA)
    note = "No snapshot of a week earlier is kept, so no changes are shown."
    assert note in _text(first) and note not in _text(second)


def test_a_full_admins_worklist_is_the_whole_partners(weeks):
    (_, _), (message, content) = _digests(weeks, FA)
    rows = _rows(content, bom=False)
    snap = weeks.svc.snapshots.kept(weeks.snapshots[2])
    assert snap is not None
    ctx = Context(snap, weeks.svc.state, weeks.svc.settings)
    expected = customer_health(ctx, View()).frame.filter(pl.col("health_band").is_in(["at_risk", "watch"]))
    assert [r["customer_id"] for r in rows] == expected["customer_id"].to_list()
    assert rows[0]["customer_id"] == "PL-LOW" and rows[1]["customer_id"] == "PL-DROP"  # 32.14, 35.29
    assert list(rows[0]) == list(expected.columns[: len(rows[0])])
    text = _text(message)
    assert message["Subject"] == "Weekly digest, data as of 2025-06-15: 2 customers at risk"
    assert "- At risk: 2 (0)" in text  # PL-LOW and PL-RECOVER before, PL-LOW and PL-DROP now
    assert text.count("  https://hub.example/customers/") >= 10 + 12  # ten lowest, 11 opened, 1 resolved
    assert "Drop Works: Health score falls by 15 points or more: health score 35, down 62 points from 97" in text
