"""Alert evaluation end to end (partnerhub/alerts/evaluate.py): two weekly
imports through `flask … data import` (tests/alert_world.py: generated
data plus planted customers worked out by hand), rules of a full admin and
of a sales admin with different scopes, delivery to a real SMTP server and a
real HTTP receiver on loopback, and `flask … alerts run` replaying.

The story (module fixture `weeks`):
1. fa (partner_full_admin, English) has one rule per condition, narrowed to
   the tag "Watched" (the planted customers); sa (sales_admin, Japanese) is
   assigned PL-DROP, PL-TRIAL, PL-RECOVER, PL-LOW and PL-QUIET and has
   health_at_risk (inbox + e-mail), trial_ending (webhook), new_overage and
   no_admin_activity, and a queue_abandonment rule made behind the
   service's back (her role may not see calling).
2. Import week 1: the import evaluates every rule for the first time.
3. PL-LOW and PL-QUIET are unassigned from sa; the SMTP server stops.
4. Import week 2: alerts open and resolve; webhooks go out; the e-mails
   stay pending.
5. The SMTP server is back: `alerts run` delivers the e-mails, once; a
   second `alerts run` sends nothing.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from collections import Counter
from collections.abc import Iterator

import pytest

from partnerhub.alerts import evaluate, webhook
from partnerhub.auth.guard import Refused
from partnerhub.auth.users import add_or_update_user, get_user_by_email
from partnerhub.data import alerts as store
from partnerhub.data.runtime import Services
from partnerhub.i18n import _, language
from partnerhub.metrics.health import customer_health
from partnerhub.metrics.types import Context, View
from partnerhub.services import alert_rules
from tests.alert_world import AS_OF, BASE_URL, FA, FA_SECRET, SA, SA_SECRET, P, Weeks, caller, run_story


@pytest.fixture(scope="module")
def weeks(tmp_path_factory) -> Iterator[Weeks]:
    yield from run_story(tmp_path_factory.mktemp("alert-weeks"))


def _alerts(w: Weeks, email: str) -> list[dict]:
    return store.list_alerts(w.svc.state, w.users[email], "all")


def _opened_on(w: Weeks, email: str, week: int) -> set[tuple[str, str]]:
    return {(a["condition"], a["customer_id"]) for a in _alerts(w, email) if a["opened_snapshot"] == w.snapshots[week]}


def _resolved_on(w: Weeks, email: str, week: int) -> set[tuple[str, str]]:
    return {
        (a["condition"], a["customer_id"]) for a in _alerts(w, email) if a["resolved_snapshot"] == w.snapshots[week]
    }


def _open_now(w: Weeks, email: str) -> set[tuple[str, str]]:
    return {(a["condition"], a["customer_id"]) for a in _alerts(w, email) if a["state"] == "open"}


# ---- which alerts ------------------------------------------------------------------------------


def test_the_first_import_opens_what_holds_then(weeks):
    # week 1: only PL-RECOVER and PL-LOW are at risk (32.14); nothing else holds yet
    # (the trial ends in 17 days, PL-EXP in 32, PL-QUIET's sign-in is 58 days old,
    # 2 % poor calls, 8 % abandoned), and health_drop has no previous evaluation
    assert _opened_on(weeks, FA, 1) == {("health_at_risk", "PL-RECOVER"), ("health_at_risk", "PL-LOW")}
    assert _opened_on(weeks, SA, 1) == {("health_at_risk", "PL-RECOVER"), ("health_at_risk", "PL-LOW")}
    # 11 rules of fa's and 5 of sa's
    assert "16 rules evaluated (0 skipped), 4 opened, 0 resolved, 2 digests" in weeks.lines["week1"]


def test_the_second_import_opens_and_resolves_exactly_what_changed(weeks):
    assert _opened_on(weeks, FA, 2) == {
        ("health_at_risk", "PL-DROP"),  # 97.06 -> 35.29
        ("health_drop", "PL-DROP"),  # 61.8 points; PL-CALL fell 9, PL-SETUP 9.8, PL-EXP 5.9
        ("usage_trend_low", "PL-DROP"),  # 0.5 < 0.6
        ("trial_ending", "PL-TRIAL"),  # 10 days
        ("subscription_expiring", "PL-EXP"),  # 25 days, no auto-renew
        ("new_overage", "PL-OVER"),  # 12 assigned of 10
        ("new_order_ready_for_setup", "PL-SETUP"),
        ("new_suspended", "PL-SUSP"),
        ("poor_call_quality", "PL-CALL"),  # 8 of 100
        ("queue_abandonment", "PL-CALL"),  # 8 of 25
        ("no_admin_activity", "PL-QUIET"),  # 65 days
    }
    assert _resolved_on(weeks, FA, 2) == {("health_at_risk", "PL-RECOVER")}  # 96.43
    # PL-LOW stays at risk: its alert stays open, not opened again
    assert ("health_at_risk", "PL-LOW") in _open_now(weeks, FA)
    assert sum(a["customer_id"] == "PL-LOW" for a in _alerts(weeks, FA)) == 1


def test_a_rule_follows_its_owners_scope(weeks):
    # sa lost PL-LOW (still at risk) and PL-QUIET (now 65 days without sign-in)
    assert _opened_on(weeks, SA, 2) == {("health_at_risk", "PL-DROP"), ("trial_ending", "PL-TRIAL")}
    assert _resolved_on(weeks, SA, 2) == {("health_at_risk", "PL-RECOVER"), ("health_at_risk", "PL-LOW")}
    assert _open_now(weeks, SA) == {("health_at_risk", "PL-DROP"), ("trial_ending", "PL-TRIAL")}
    # never opened: PL-OVER is not hers; calling is not for her role
    assert not [a for a in _alerts(weeks, SA) if a["condition"] in ("new_overage", "queue_abandonment")]
    assert not [a for a in _alerts(weeks, SA) if a["customer_id"] == "PL-QUIET"]


def test_an_alert_keeps_the_values_that_made_it_fire(weeks):
    found = {(a["condition"], a["customer_id"]): a for a in _alerts(weeks, FA)}
    drop = found[("health_drop", "PL-DROP")]["values"]
    assert drop["health_score"] == pytest.approx(3000 / 85)
    assert drop["previous_health_score"] == pytest.approx(8250 / 85)
    assert drop["drop"] == pytest.approx(5250 / 85)
    assert drop["reasons"] == "allocation;usage" and drop["health_band"] == "at_risk"
    assert found[("trial_ending", "PL-TRIAL")]["values"] == {
        "days_to_end": 10,
        "end_date": "2025-06-25",
        "subscription_id": "PL-TRIAL-S",
    }
    assert found[("queue_abandonment", "PL-CALL")]["values"] == {
        "offered": 25,
        "abandoned": 8,
        "abandon_ratio": pytest.approx(0.32),
    }
    assert found[("poor_call_quality", "PL-CALL")]["values"]["poor_ratio"] == pytest.approx(0.08)
    assert found[("new_overage", "PL-OVER")]["values"] == {
        "status": "license_overage",
        "total_licenses": 10,
        "assigned": 12,
    }
    assert found[("no_admin_activity", "PL-QUIET")]["values"]["days_since_sign_in"] == 65
    opened = found[("health_at_risk", "PL-DROP")]
    assert (opened["opened_as_of"], opened["customer_name"]) == (AS_OF, "Drop Works")
    resolved = found[("health_at_risk", "PL-RECOVER")]
    assert (resolved["opened_as_of"], resolved["resolved_as_of"], resolved["state"]) == (P, AS_OF, "resolved")


def test_a_calling_rule_is_refused_to_a_role_without_calling(weeks):
    sa = caller(weeks.svc, SA, "sales_admin", weeks.users[SA])
    with pytest.raises(Refused):
        alert_rules.create(sa, "poor_call_quality")


# ---- delivery ----------------------------------------------------------------------------------


def _mails(w: Weeks, start: str | None, end: str):
    got = w.smtp.received()
    return got[(w.mails[start] if start else 0) : w.mails[end]]


def test_each_mail_arrives_once_even_with_the_server_down_during_the_import(weeks):
    week1 = _mails(weeks, None, "week1")
    # fa's and sa's health_at_risk rules, and both digests
    assert Counter((m.rcpt_tos[0], _kind(m)) for m in week1) == {
        (FA, "alert"): 1,
        (SA, "alert"): 1,
        (FA, "digest"): 1,
        (SA, "digest"): 1,
    }
    assert weeks.mails["week2"] == weeks.mails["week1"]  # the server was down
    assert "pending 4" in weeks.lines["week2"]
    later = _mails(weeks, "week2", "run1")
    assert Counter((m.rcpt_tos[0], _kind(m)) for m in later) == {
        (FA, "alert"): 1,
        (SA, "alert"): 1,
        (FA, "digest"): 1,
        (SA, "digest"): 1,
    }
    assert "0 rules evaluated (16 skipped)" in weeks.lines["run1"] and "delivered 4" in weeks.lines["run1"]
    # the second run: nothing new
    assert weeks.mails["run2"] == weeks.mails["run1"] and weeks.posts["run2"] == weeks.posts["run1"]
    assert "0 opened, 0 resolved, 0 digests; 0 messages queued; delivered 0, pending 0" in weeks.lines["run2"]
    # every attempt recorded: refused while the server was down, then sent
    log = store.delivery_log(weeks.svc.state, user_id=weeks.users[FA])
    digest = next(d for d in log if d["kind"] == "digest" and weeks.snapshots[2] in d["dedupe_key"])
    attempts = store.attempts_of(weeks.svc.state, digest["id"])
    assert [a["ok"] for a in attempts] == [False] * (len(attempts) - 1) + [True] and len(attempts) >= 2
    assert digest["state"] == "sent"


def _kind(message) -> str:
    return "digest" if _attachment(message.message) is not None else "alert"


def _attachment(message):
    return next((p for p in message.iter_attachments()), None)


def _body(message, subtype: str) -> str:
    return message.get_body((subtype,)).get_content()


def test_the_alert_mail_says_what_opened_and_resolved(weeks):
    mail = next(m for m in _mails(weeks, "week2", "run1") if m.rcpt_tos == [FA] and _kind(m) == "alert")
    message = mail.message
    assert message["Subject"] == "Alert: Health becomes at risk (opened 1, resolved 1)"
    text = _body(message, "plain")
    assert "Drop Works (PL-DROP): health score 35 (At risk)" in text
    assert f"{BASE_URL}/customers/PL-DROP" in text
    assert "Recover Trading (PL-RECOVER): health score 96 (Healthy)" not in text  # resolved: as it was when opened
    assert "Resolved for 1 customer" in text and "Opened for 1 customer" in text
    html = _body(message, "html")
    assert f'<a href="{BASE_URL}/customers/PL-DROP">Drop Works</a>' in html


def test_a_japanese_users_mail_is_in_japanese(weeks):
    mail = next(m for m in _mails(weeks, "week2", "run1") if m.rcpt_tos == [SA] and _kind(m) == "alert")
    with language("ja"):
        subject = _(
            "Alert: %(rule)s (opened %(opened)s, resolved %(resolved)s)",
            rule=_("Health becomes at risk"),
            opened="1",
            resolved="1",  # PL-LOW left her scope: resolved without a word
        )
        opened = _("Opened for %(count)s customer", count="1")
    assert mail.message["Subject"] == subject
    assert opened in _body(mail.message, "plain")
    assert '<html lang="ja">' in _body(mail.message, "html")


def _verified(post, secret: str) -> dict:
    expected = "sha256=" + hmac.new(secret.encode(), post.body, hashlib.sha256).hexdigest()
    headers = {k.lower(): v for k, v in post.headers.items()}
    assert hmac.compare_digest(expected, headers[webhook.SIGNATURE_HEADER.lower()])
    return json.loads(post.body)


def test_webhooks_are_signed_and_sent_once(weeks):
    posts = weeks.hooks.received()
    assert len(posts) == weeks.posts["run2"] == 4
    fa_posts = [_verified(p, FA_SECRET) for p in posts if p.path == "/hook/fa"]
    sa_posts = [_verified(p, SA_SECRET) for p in posts if p.path == "/hook/sa"]
    got = sorted((b["event"], b["as_of"], tuple(sorted(a["customer_id"] for a in b["alerts"]))) for b in fa_posts)
    assert got == [
        ("alert.opened", "2025-06-08", ("PL-LOW", "PL-RECOVER")),
        ("alert.opened", "2025-06-15", ("PL-DROP",)),
        ("alert.resolved", "2025-06-15", ("PL-RECOVER",)),
    ]
    [trial] = sa_posts
    assert (trial["event"], trial["condition"], trial["rule_id"]) == (
        "alert.opened",
        "trial_ending",
        weeks.rules[(SA, "trial_ending")],
    )
    [alert] = trial["alerts"]
    assert alert["customer_id"] == "PL-TRIAL" and alert["values"]["days_to_end"] == 10
    assert alert["url"] == f"{BASE_URL}/customers/PL-TRIAL"
    assert trial["text"] and trial["markdown"]
    # a wrong secret does not verify
    with pytest.raises(AssertionError):
        _verified(next(p for p in posts if p.path == "/hook/sa"), FA_SECRET)


def test_the_inbox_is_the_alerts_themselves(weeks):
    assert store.unread_count(weeks.svc.state, weeks.users[SA]) == 4  # RECOVER, LOW, DROP, TRIAL


# ---- several processes -------------------------------------------------------------------------


def test_two_runs_at_once_evaluate_a_rule_once(weeks, state):
    """Two evaluations of the same snapshot at once (two nodes), on each
    backend: the rule is evaluated once, its alerts open once, its messages
    are queued once."""
    svc = Services(weeks.svc.settings, weeks.svc.snapshots, state)
    add_or_update_user(state, "tests", FA, "Full Admin", "partner_full_admin")
    user = get_user_by_email(state, FA).id
    rule = store.create_rule(
        state, "tests", user, "health_at_risk", {}, {}, ["inbox", "webhook"], "http://127.0.0.1:9/", "s" * 20
    )
    snapshot = svc.snapshots.current()
    ctx = Context(snapshot, state, svc.settings)
    at_risk = set(
        customer_health(ctx, View()).frame.filter(customer_health(ctx, View()).frame["health_band"] == "at_risk")[
            "customer_id"
        ]
    )
    summaries = []
    barrier = threading.Barrier(2)

    def one():
        barrier.wait()
        summaries.append(evaluate.evaluate_rules(svc, ctx))

    threads = [threading.Thread(target=one) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(s.rules for s in summaries) == [0, 1]
    alerts = store.list_alerts(state, user, "all")
    assert {a["customer_id"] for a in alerts} == at_risk and len(alerts) == len(at_risk) > 0
    assert [d["dedupe_key"] for d in store.delivery_log(state)] == [f"rule:{rule['id']}:{snapshot.id}:opened:webhook"]
    again = evaluate.evaluate_rules(svc, ctx)
    assert (again.rules, again.skipped) == (0, 1)
