"""The outbox: every e-mail and webhook is first stored (enqueue), then
sent by deliver_pending, which an import's alert run and `flask … alerts run`
call. Nothing is lost while the mail server or an endpoint is down, and
nothing is sent twice:

- enqueue adds a message once per dedupe key, ever;
- deliver_pending sends each pending delivery whose next_attempt_at has
  come, one at a time, after taking its lease (claimed_until) in a write
  transaction: another process running deliver_pending at the same time
  skips it, on SQLite as on PostgreSQL;
- a failed attempt is recorded (delivery_attempts) and retried within the
  run up to settings.delivery_attempts_per_run times, waiting
  delivery_backoff_seconds * 2**n (at most delivery_backoff_max_seconds)
  between attempts; still failing, it stays pending with next_attempt_at
  delivery_backoff_max_seconds ahead and the next run takes it up;
- after delivery_max_attempts attempts in all, or at once when trying again
  cannot help (no SMTP server configured, a webhook whose rule and secret
  are gone), it is given up: state failed, shown in the delivery log;
- a test message gets one attempt and is never retried.

A process killed between sending and recording leaves the lease to run out
(claimed_until) and the delivery is sent again by a later run: at least
once in that case, exactly once otherwise. Webhook receivers can drop such a
repeat by its X-PartnerHub-Delivery header.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from markupsafe import escape

from partnerhub.data import alerts as store
from partnerhub.data.alerts import Claimed, NewDelivery
from partnerhub.data.settings import Settings
from partnerhub.data.state import StateStore, utcnow
from partnerhub.i18n import _

from . import DeliveryError, smtp, webhook

log = logging.getLogger(__name__)

__all__ = ["DeliveryRun", "NewDelivery", "deliver_pending", "enqueue", "send_test_email"]


@dataclass
class DeliveryRun:
    """What one deliver_pending call did: delivery ids by their outcome."""

    sent: list[int] = field(default_factory=list)
    retrying: list[int] = field(default_factory=list)  # still pending, for a later run
    failed: list[int] = field(default_factory=list)  # given up
    errors: dict[int, str] = field(default_factory=dict)  # delivery id -> its last error


def enqueue(state: StateStore, items: Iterable[NewDelivery], now: datetime | None = None) -> int:
    """Stores messages for delivery, each dedupe key once ever; how many were new."""
    return store.enqueue(state, items, now)


def _lease(settings: Settings) -> timedelta:
    """Long enough for one delivery's attempts in a run, with room to spare."""
    per_attempt = settings.delivery_timeout_seconds * 2 + settings.delivery_backoff_max_seconds
    return timedelta(seconds=settings.delivery_attempts_per_run * per_attempt + 60)


def _backoff(settings: Settings, n: int) -> float:
    return min(settings.delivery_backoff_max_seconds, settings.delivery_backoff_seconds * 2**n)


def _send(settings: Settings, item: Claimed) -> None:
    if item.channel == "email":
        smtp.send(settings, item.recipient, item.payload)
    elif item.channel == "webhook":
        webhook.post(item.recipient, item.webhook_secret, item.payload, settings.delivery_timeout_seconds, str(item.id))
    else:
        raise DeliveryError(f"unknown channel {item.channel!r}", permanent=True)


def _deliver(state: StateStore, settings: Settings, item: Claimed, now: datetime | None, run: DeliveryRun) -> None:
    """This run's attempts at one claimed delivery, each recorded."""
    tries = 1 if item.kind == "test" else settings.delivery_attempts_per_run
    for n in range(tries):
        at = now or utcnow()
        try:
            _send(settings, item)
        except Exception as err:
            if isinstance(err, DeliveryError):
                error, permanent = str(err), err.permanent
            else:  # a bug of ours: recorded and given up, the other deliveries go on
                log.exception("delivery %s failed unexpectedly", item.id)
                error, permanent = f"{type(err).__name__}: {err}", True
            total = item.attempts + n + 1
            run.errors[item.id] = error
            if permanent or item.kind == "test" or total >= settings.delivery_max_attempts:
                store.record_attempt(state, item.id, False, error, at, give_up=True)
                run.failed.append(item.id)
                log.warning("delivery %s (%s) given up after %s attempts: %s", item.id, item.channel, total, error)
                return
            if n == tries - 1:
                retry_at = at + timedelta(seconds=settings.delivery_backoff_max_seconds)
                store.record_attempt(state, item.id, False, error, at, retry_at=retry_at)
                run.retrying.append(item.id)
                log.info("delivery %s (%s) pending for the next run: %s", item.id, item.channel, error)
                return
            store.record_attempt(state, item.id, False, error, at)
            time.sleep(_backoff(settings, n))
        else:
            store.record_attempt(state, item.id, True, None, at)
            run.sent.append(item.id)
            run.errors.pop(item.id, None)
            return


def deliver_pending(
    state: StateStore,
    settings: Settings,
    now: datetime | None = None,
    ids: Iterable[int] | None = None,
) -> DeliveryRun:
    """Sends every pending delivery that is due (next_attempt_at ≤ now; now:
    the current time, or the run's fixed time for tests). ids: only these."""
    run = DeliveryRun()
    done: set[int] = set()
    only = None if ids is None else set(ids)
    while True:
        run_now = now or utcnow()
        item = store.claim_due(state, run_now, run_now + _lease(settings), only=only, skip=done)
        if item is None:
            return run
        done.add(item.id)
        _deliver(state, settings, item, now, run)


def _test_payload(settings: Settings, to: str) -> dict:
    subject = _("Partner Hub Analytics: test message")
    text = _(
        "This is a test message from Partner Hub Analytics (%(url)s) to %(to)s: e-mail from the app reaches you.",
        url=settings.base_url,
        to=to,
    )
    html = f"<!doctype html><html><body><p>{escape(text)}</p></body></html>"
    return {"subject": subject, "text": text + "\n", "html": html}


def send_test_email(state: StateStore, settings: Settings, to: str, user_id: int | None = None) -> DeliveryRun:
    """Sends a test message to `to` at once, through the outbox (so the
    delivery log shows it): one attempt, never retried."""
    key = f"test:{uuid.uuid4().hex}:email"
    item = NewDelivery("email", "test", key, to, _test_payload(settings, to), user_id=user_id)
    now = utcnow()
    store.enqueue(state, [item], now)
    delivery = store.delivery_by_key(state, key)
    assert delivery is not None
    return deliver_pending(state, settings, ids=[delivery["id"]])
