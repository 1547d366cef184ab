"""Delivery of alerts and digests (partnerhub/alerts): e-mail to a real SMTP
server on loopback (aiosmtpd; plain with AUTH, STARTTLS and TLS with a
self-signed certificate), webhooks to a real HTTP server on loopback, and
the outbox's promises: every attempt recorded, retried with bounded backoff,
pending until a later run delivers it once, given up after the maximum, and
two runs at once never sending one message twice. Stores on SQLite and
PostgreSQL (the `state` fixture)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from partnerhub.alerts import outbox, smtp, webhook
from partnerhub.alerts.outbox import NewDelivery, deliver_pending
from partnerhub.auth.users import add_or_update_user, get_user_by_email
from partnerhub.data import alerts as store
from partnerhub.data.settings import Settings, load_settings, parse_smtp_url
from partnerhub.data.state import StateStore
from tests import delivery_servers
from tests.delivery_servers import SMTP_PASSWORD, SMTP_USER, SmtpServer, free_port, server_context

# the receivers' fixtures, made this module's
smtp_server = delivery_servers.smtp_server
tls_certificate = delivery_servers.tls_certificate
webhook_receiver = delivery_servers.webhook_receiver

# what does not depend on the store's backend runs on SQLite only; the
# outbox's promises (dedupe, leases, retries) run on both
SQLITE_ONLY = pytest.mark.parametrize("backend", ["sqlite"])
NOW = datetime(2027, 1, 11, 6, 0, tzinfo=UTC)
SUBJECT_JA = "週次ダイジェスト: リスクのある顧客 3 件"


def _settings(tmp_path: Path, smtp_url: str | None = None, **changes) -> Settings:
    values: dict = dict(
        home=tmp_path,
        state_url="unused",
        secret_key="k",
        smtp=parse_smtp_url(smtp_url) if smtp_url else None,
        delivery_backoff_seconds=0.0,
        delivery_backoff_max_seconds=0.0,
        delivery_timeout_seconds=5.0,
    )
    values.update(changes)
    return Settings(**values)


def _mail(key: str, to: str = "pm@partner.example", subject: str = SUBJECT_JA, attachments=None) -> NewDelivery:
    payload = {
        "subject": subject,
        "text": "顧客「東京商事」の健全性が 72 から 35 に下がりました。\n",
        "html": "<p>顧客「<b>東京商事</b>」の健全性が 72 から 35 に下がりました。</p>",
    }
    if attachments:
        payload["attachments"] = attachments
    return NewDelivery("email", "alert.opened", key, to, payload, user_id=1, alert_id=1)


def _user_and_rule(state: StateStore, secret: str | None = "s3cret-s3cret-s3cret", url: str = "http://x/") -> int:
    add_or_update_user(state, "tests", "owner@partner.example", "Owner", "partner_full_admin")
    user = get_user_by_email(state, "owner@partner.example")
    rule = store.create_rule(
        state, "tests", user.id, "health_at_risk", {}, {}, ["webhook"], url if secret else None, secret
    )
    return rule["id"]


def _state_of(state: StateStore, key: str) -> dict:
    found = store.delivery_by_key(state, key)
    assert found is not None
    return found


# ---- settings ----------------------------------------------------------------------------------


def test_the_smtp_url_is_parsed_and_its_password_never_shown(monkeypatch, tmp_path):
    server = parse_smtp_url("smtp://us%40er:p%40ss%3Aword@mail.example:2525?starttls=true")
    assert (server.host, server.port, server.security, server.user, server.password) == (
        "mail.example",
        2525,
        "starttls",
        "us@er",
        "p@ss:word",
    )
    assert "p@ss" not in repr(server) and "p@ss" not in server.location()
    assert (parse_smtp_url("smtps://h").port, parse_smtp_url("smtps://h").security) == (465, "tls")
    assert (parse_smtp_url("smtp://h").port, parse_smtp_url("smtp://h?starttls=true").port) == (25, 587)
    for bad, reason in [
        ("http://h", "use smtp://host:port"),
        ("smtp://", "no host"),
        ("smtp://u:topsecret@h:99999", "not a URL"),
        ("smtp://u:topsecret@h?tls=1", "unknown parameter 'tls'"),
        ("smtps://u:topsecret@h?starttls=true", "smtps:// is TLS already"),
        ("smtp://h?starttls=maybe", "starttls must be true or false"),
    ]:
        with pytest.raises(SystemExit) as exc:
            parse_smtp_url(bad)
        assert reason in str(exc.value) and "topsecret" not in str(exc.value), exc.value
    monkeypatch.setenv("PARTNERHUB_SMTP_URL", "smtp://u:topsecret@mail.example:587?starttls=1")
    monkeypatch.setenv("PARTNERHUB_BASE_URL", "https://hub.example/")
    monkeypatch.setenv("PARTNERHUB_DELIVERY_BACKOFF_SECONDS", "0")
    settings = load_settings(home=tmp_path)
    assert settings.smtp is not None and settings.smtp.password == "topsecret"
    assert "topsecret" not in repr(settings)
    assert (settings.base_url, settings.mail_from) == (
        "https://hub.example",
        "Partner Hub Analytics <partnerhub@localhost>",
    )
    assert settings.delivery_backoff_seconds == 0.0
    monkeypatch.setenv("PARTNERHUB_MAIL_FROM", "no address")
    with pytest.raises(SystemExit, match="PARTNERHUB_MAIL_FROM"):
        load_settings(home=tmp_path)


# ---- e-mail ------------------------------------------------------------------------------------


@SQLITE_ONLY
def test_mail_arrives_with_text_html_an_attachment_and_a_japanese_subject(state, smtp_server, tmp_path):
    settings = _settings(tmp_path, smtp_server.url(), mail_from="パートナーハブ <hub@partner.example>")
    csv = "customer_id,customer_name\r\nC-1,東京商事\r\n".encode()
    attachment = {"filename": "worklist.csv", "content_type": "text/csv", "content": base64.b64encode(csv).decode()}
    assert outbox.enqueue(state, [_mail("alert:1:opened:email", attachments=[attachment])]) == 1

    run = deliver_pending(state, settings)

    delivery = _state_of(state, "alert:1:opened:email")
    assert run.sent == [delivery["id"]] and (run.retrying, run.failed) == ([], [])
    assert (delivery["state"], delivery["attempts"], delivery["last_error"]) == ("sent", 1, None)
    assert [a["ok"] for a in store.attempts_of(state, delivery["id"])] == [True]
    [got] = smtp_server.received()
    assert got.rcpt_tos == ["pm@partner.example"]
    msg = got.message
    assert msg["Subject"] == SUBJECT_JA and msg["To"] == "pm@partner.example"
    assert msg["From"].addresses[0].display_name == "パートナーハブ"
    assert msg["Date"] and msg["Message-ID"].endswith("@partner.example>")
    assert msg.get_content_type() == "multipart/mixed"
    body = msg.get_body(("plain",))
    html = msg.get_body(("html",))
    # lines end in CRLF on the wire
    assert body is not None and body.get_content() == "顧客「東京商事」の健全性が 72 から 35 に下がりました。\r\n"
    assert html is not None and "<b>東京商事</b>" in html.get_content()
    [part] = list(msg.iter_attachments())
    assert (part.get_filename(), part.get_content_type(), part.get_payload(decode=True)) == (
        "worklist.csv",
        "text/csv",
        csv,
    )


def test_a_wrong_smtp_password_is_reported_without_the_password(smtp_server, tmp_path):
    url = f"smtp://{SMTP_USER}:not-{SMTP_PASSWORD.replace('@', '%40').replace(':', '%3A').replace('/', '%2F')}@127.0.0.1:{smtp_server.port}"
    settings = _settings(tmp_path, url)
    with pytest.raises(Exception) as exc:
        smtp.send(settings, "pm@partner.example", {"subject": "s", "text": "t"})
    message = str(exc.value)
    assert "refused the user 'mailer'" in message and "535" in message and "not-" not in message
    assert smtp_server.received() == []


@pytest.mark.parametrize("security", ["starttls", "tls"])
def test_starttls_and_tls_with_a_certificate_the_client_trusts(security, tls_certificate, monkeypatch, tmp_path):
    cert, key = tls_certificate
    server = SmtpServer(free_port(), security, server_context(cert, key))
    server.start()
    try:
        settings = _settings(tmp_path, server.url())
        # not trusted yet: the system's CAs do not know a self-signed certificate
        with pytest.raises(Exception, match="CERTIFICATE_VERIFY_FAILED"):
            smtp.send(settings, "pm@partner.example", {"subject": "untrusted", "text": "t"})
        monkeypatch.setenv("SSL_CERT_FILE", str(cert))
        smtp.send(settings, "pm@partner.example", {"subject": f"over {security}", "text": "t", "html": "<p>t</p>"})
    finally:
        server.stop()
    assert [r.message["Subject"] for r in server.received()] == [f"over {security}"]


@SQLITE_ONLY
def test_no_smtp_server_gives_the_email_up_at_once_with_the_reason(state, tmp_path):
    outbox.enqueue(state, [_mail("alert:2:opened:email")])
    run = deliver_pending(state, _settings(tmp_path))
    delivery = _state_of(state, "alert:2:opened:email")
    assert run.failed == [delivery["id"]]
    assert (delivery["state"], delivery["attempts"]) == ("failed", 1)
    assert "no SMTP server is configured" in delivery["last_error"]


def test_smtp_down_at_the_import_delivers_on_the_next_run_once(state, tmp_path):
    server = SmtpServer(free_port())  # not listening yet
    settings = _settings(tmp_path, server.url(), delivery_attempts_per_run=2)
    outbox.enqueue(state, [_mail("digest:5:snap-2:email", subject="digest")])

    first = deliver_pending(state, settings)
    delivery = _state_of(state, "digest:5:snap-2:email")
    assert first.retrying == [delivery["id"]] and first.sent == []
    assert (delivery["state"], delivery["attempts"]) == ("pending", 2)
    assert all(not a["ok"] and "ConnectionRefusedError" in a["error"] for a in store.attempts_of(state, delivery["id"]))

    server.start()
    try:
        second = deliver_pending(state, settings)
        third = deliver_pending(state, settings)
    finally:
        server.stop()
    assert second.sent == [delivery["id"]] and third.sent == []
    assert [r.message["Subject"] for r in server.received()] == ["digest"]
    assert [a["ok"] for a in store.attempts_of(state, delivery["id"])] == [False, False, True]
    assert _state_of(state, "digest:5:snap-2:email")["state"] == "sent"


def test_a_message_is_enqueued_once_per_dedupe_key(state, smtp_server, tmp_path):
    assert outbox.enqueue(state, [_mail("alert:3:opened:email"), _mail("alert:3:opened:email")]) == 1
    assert outbox.enqueue(state, [_mail("alert:3:opened:email"), _mail("alert:4:opened:email")]) == 1
    settings = _settings(tmp_path, smtp_server.url())
    assert len(deliver_pending(state, settings).sent) == 2
    # queued again after it was sent: still nothing new
    assert outbox.enqueue(state, [_mail("alert:3:opened:email")]) == 0
    assert deliver_pending(state, settings).sent == []
    assert len(smtp_server.received()) == 2


def test_two_runs_at_once_send_each_message_once(state, smtp_server, tmp_path):
    settings = _settings(tmp_path, smtp_server.url())
    outbox.enqueue(state, [_mail(f"alert:{i}:opened:email", subject=f"message {i}") for i in range(12)])
    other = StateStore(state.url)  # a second process's store
    start = threading.Barrier(2)
    runs: list = [None, None]

    def run(i: int, store_: StateStore) -> None:
        start.wait()
        runs[i] = deliver_pending(store_, settings)

    threads = [threading.Thread(target=run, args=(i, s)) for i, s in enumerate((state, other))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    other.dispose()
    subjects = sorted(r.message["Subject"] for r in smtp_server.received())
    assert subjects == sorted(f"message {i}" for i in range(12))
    assert not set(runs[0].sent) & set(runs[1].sent)
    assert len(runs[0].sent) + len(runs[1].sent) == 12


def test_a_lease_keeps_other_runs_off_until_it_runs_out(state):
    outbox.enqueue(state, [_mail("alert:9:opened:email")], now=NOW)
    first = store.claim_due(state, NOW, NOW + timedelta(minutes=5))
    assert first is not None
    assert store.claim_due(state, NOW + timedelta(minutes=4), NOW + timedelta(minutes=9)) is None
    # the first run died without recording anything: after its lease another run takes it up
    again = store.claim_due(state, NOW + timedelta(minutes=5), NOW + timedelta(minutes=10))
    assert again is not None and again.id == first.id


# ---- webhooks ----------------------------------------------------------------------------------


def _hook(rule_id: int, key: str, url: str, event: str = "alert.opened") -> NewDelivery:
    alert = {"rule_id": rule_id, "condition": "health_at_risk", "customer_id": "C-1", "customer_name": "東京商事"}
    body = webhook.message_body(
        event,
        date(2027, 1, 10).isoformat(),
        [alert],
        "東京商事: health at risk",
        "**東京商事**: health at risk",
        link="http://127.0.0.1:8050/customers/C-1",
    )
    return NewDelivery("webhook", event, key, url, body, user_id=1, rule_id=rule_id, alert_id=1)


@SQLITE_ONLY
def test_a_webhook_is_signed_with_the_documented_recipe(state, webhook_receiver, tmp_path):
    secret = "s3cret-s3cret-s3cret"
    rule_id = _user_and_rule(state, secret, webhook_receiver.url)
    item = _hook(rule_id, "alert:1:opened:webhook", webhook_receiver.url)
    outbox.enqueue(state, [item])

    run = deliver_pending(state, _settings(tmp_path))

    delivery = _state_of(state, "alert:1:opened:webhook")
    assert run.sent == [delivery["id"]] and delivery["state"] == "sent"
    [post] = webhook_receiver.received()
    headers = {k.lower(): v for k, v in post.headers.items()}
    assert headers["content-type"].startswith("application/json")
    # the receiver's side, as partnerhub/alerts/webhook.py documents it
    expected = "sha256=" + hmac.new(secret.encode(), post.body, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(expected, headers["x-partnerhub-signature"])
    assert headers["x-partnerhub-delivery"] == str(delivery["id"])
    body = json.loads(post.body)
    assert body == dict(item.payload)
    assert (body["event"], body["as_of"], body["alerts"][0]["customer_name"]) == (
        "alert.opened",
        "2027-01-10",
        "東京商事",
    )
    # what Slack and Teams (text) and Webex (markdown) incoming webhooks read
    assert (body["text"], body["markdown"]) == ("東京商事: health at risk", "**東京商事**: health at risk")
    assert not hmac.compare_digest(
        "sha256=" + hmac.new(b"another secret", post.body, hashlib.sha256).hexdigest(),
        headers["x-partnerhub-signature"],
    )


def test_a_failing_receiver_is_retried_with_backoff_then_delivered_once(state, webhook_receiver, tmp_path):
    rule_id = _user_and_rule(state, url=webhook_receiver.url)
    # no waiting between attempts (base 0), and a failed delivery waits 5 minutes for the next run
    settings = _settings(tmp_path, delivery_attempts_per_run=3, delivery_backoff_max_seconds=300.0)
    outbox.enqueue(state, [_hook(rule_id, "alert:1:opened:webhook", webhook_receiver.url)], now=NOW)
    webhook_receiver.status = 500

    first = deliver_pending(state, settings, now=NOW)
    delivery = _state_of(state, "alert:1:opened:webhook")
    assert first.retrying == [delivery["id"]]
    assert (delivery["state"], delivery["attempts"], delivery["next_attempt_at"]) == (
        "pending",
        3,
        NOW + timedelta(minutes=5),
    )
    assert delivery["last_error"] == "the endpoint answered 500 Internal Server Error: receiver is failing"
    assert [a["ok"] for a in store.attempts_of(state, delivery["id"])] == [False] * 3
    assert len(webhook_receiver.received()) == 3

    # a run before its time leaves it alone
    assert deliver_pending(state, settings, now=NOW + timedelta(minutes=4)).retrying == []
    assert len(webhook_receiver.received()) == 3

    webhook_receiver.status = 200
    later = NOW + timedelta(minutes=5)
    assert deliver_pending(state, settings, now=later).sent == [delivery["id"]]
    assert deliver_pending(state, settings, now=later + timedelta(days=7)).sent == []
    posts = webhook_receiver.received()
    assert len(posts) == 4 and len({p.body for p in posts}) == 1
    assert [a["ok"] for a in store.attempts_of(state, delivery["id"])] == [False, False, False, True]
    assert _state_of(state, "alert:1:opened:webhook")["sent_at"] == later


@SQLITE_ONLY
def test_a_stopped_receiver_counts_and_the_delivery_is_given_up_after_the_maximum(state, webhook_receiver, tmp_path):
    rule_id = _user_and_rule(state, url=webhook_receiver.url)
    webhook_receiver.stop()
    settings = _settings(tmp_path, delivery_attempts_per_run=3, delivery_max_attempts=5)
    outbox.enqueue(state, [_hook(rule_id, "alert:1:opened:webhook", webhook_receiver.url)])
    assert deliver_pending(state, settings).retrying != []
    second = deliver_pending(state, settings)
    delivery = _state_of(state, "alert:1:opened:webhook")
    assert second.failed == [delivery["id"]]
    assert (delivery["state"], delivery["attempts"]) == ("failed", 5)
    assert "could not post to the endpoint" in delivery["last_error"]
    assert deliver_pending(state, settings).failed == []  # given up: never tried again
    assert len(store.attempts_of(state, delivery["id"])) == 5


def test_backoff_doubles_up_to_its_cap(tmp_path):
    settings = _settings(tmp_path, delivery_backoff_seconds=2.0, delivery_backoff_max_seconds=60.0)
    assert [outbox._backoff(settings, n) for n in range(7)] == [2, 4, 8, 16, 32, 60, 60]


@SQLITE_ONLY
def test_a_webhook_whose_rule_is_gone_is_given_up(state, webhook_receiver, tmp_path):
    rule_id = _user_and_rule(state, url=webhook_receiver.url)
    outbox.enqueue(state, [_hook(rule_id, "alert:1:opened:webhook", webhook_receiver.url)])
    store.delete_rule(state, "tests", rule_id, get_user_by_email(state, "owner@partner.example").id)
    run = deliver_pending(state, _settings(tmp_path))
    delivery = _state_of(state, "alert:1:opened:webhook")
    assert run.failed == [delivery["id"]] and "no secret" in delivery["last_error"]
    assert webhook_receiver.received() == []


@SQLITE_ONLY
def test_the_delivery_log_lists_newest_first_with_the_users_address(state, smtp_server, tmp_path):
    add_or_update_user(state, "tests", "pm@partner.example", "PM", "partner_admin")
    user_id = get_user_by_email(state, "pm@partner.example").id
    first = _mail("alert:1:opened:email")
    second = _mail("alert:2:opened:email")
    outbox.enqueue(state, [first.__class__(**{**first.__dict__, "user_id": user_id})], now=NOW)
    outbox.enqueue(state, [second], now=NOW + timedelta(hours=1))
    deliver_pending(state, _settings(tmp_path, smtp_server.url()), now=NOW + timedelta(hours=1))
    log = store.delivery_log(state)
    assert [(d["dedupe_key"], d["state"], d["attempts"]) for d in log] == [
        ("alert:2:opened:email", "sent", 1),
        ("alert:1:opened:email", "sent", 1),
    ]
    assert log[1]["user_email"] == "pm@partner.example" and "payload" not in log[1]
    assert store.delivery_log(state, states=["failed"]) == []


# ---- `flask alerts test EMAIL` -----------------------------------------------------------------


def _fails(result, pattern: str) -> None:
    assert result.exit_code == 1, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and pattern in lines[0], result.stderr


def test_alerts_test_sends_through_the_configured_server(app, services, smtp_server, monkeypatch):
    runner = app.test_cli_runner()
    monkeypatch.setattr(services, "settings", services.settings.with_(smtp=None))
    _fails(runner.invoke(args=["alerts", "test", "pm@partner.example"]), "no SMTP server is configured")

    monkeypatch.setattr(services, "settings", services.settings.with_(smtp=parse_smtp_url(smtp_server.url())))
    _fails(runner.invoke(args=["alerts", "test", "not an address"]), "is not an e-mail address")
    result = runner.invoke(args=["alerts", "test", "PM@Partner.example"])
    assert result.exit_code == 0, result.output
    assert (
        result.stdout.strip()
        == f"sent a test message to pm@partner.example through smtp://mailer@127.0.0.1:{smtp_server.port}"
    )
    [got] = smtp_server.received()
    assert got.rcpt_tos == ["pm@partner.example"]
    assert got.message["Subject"] == "Partner Hub Analytics: test message"
    assert "reaches you" in got.message.get_body(("plain",)).get_content()

    smtp_server.stop()
    result = runner.invoke(args=["alerts", "test", "pm@partner.example"])
    _fails(result, f"sending to pm@partner.example through smtp://mailer@127.0.0.1:{smtp_server.port} failed:")
    assert SMTP_PASSWORD not in result.output
    tests = [d for d in store.delivery_log(services.state) if d["kind"] == "test"][:2]
    assert [(d["state"], d["attempts"]) for d in tests] == [("failed", 1), ("sent", 1)]
