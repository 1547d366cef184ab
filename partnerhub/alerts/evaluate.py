"""The weekly run: every alert rule evaluated on a snapshot, the messages it
causes queued, the weekly digests queued, then everything pending delivered.

`run(services, snapshot)` is called once by the process that imported the
snapshot (`flask … data import`) and by `flask … alerts run`; never by a web
worker. It is idempotent, also with several processes or nodes at once:

- a rule's evaluation on a snapshot is recorded in the same transaction (the
  store's write lock) that opens and resolves its alerts and queues their
  messages, and a (rule, snapshot) already recorded changes nothing; so a
  replay, or a second node, finds nothing left to do;
- each message has a dedupe key, queued once ever (alerts of a rule on a
  snapshot; a person's digest of a snapshot);
- the outbox sends each pending message once (alerts/outbox.py).

A rule sees its owner's scope as it is now (auth/scope.py), narrowed by the
rule's filters; calling conditions hold for nobody while the owner's role
may not see calling. An alert opens for (rule, customer) when the condition
holds and the rule has no open alert on that customer (so: it did not hold
at the rule's previous evaluation), stays open while it holds and resolves
when it stops holding or the customer leaves the owner's scope. A rule's
first evaluation opens alerts for everything that holds then.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime

from partnerhub.auth.roles import may_see
from partnerhub.auth.scope import scope_for
from partnerhub.auth.users import get_user
from partnerhub.data import alerts as store
from partnerhub.data.alerts import Firing, NewDelivery
from partnerhub.data.runtime import Services
from partnerhub.data.snapshots import Snapshot
from partnerhub.data.state import utcnow
from partnerhub.i18n import language
from partnerhub.metrics.types import Context
from partnerhub.services.alert_rules import CONDITIONS

from . import conditions, digest, messages
from .outbox import DeliveryRun, deliver_pending

log = logging.getLogger(__name__)


@dataclass
class RunSummary:
    """What one run did, for the command line's one-line summary."""

    snapshot_id: str | None = None
    rules: int = 0  # rules evaluated on the snapshot by this run
    skipped: int = 0  # evaluated before (by an earlier run or another process), or the owner is disabled
    opened: int = 0
    resolved: int = 0
    queued: int = 0  # messages queued (alerts and digests)
    digests: int = 0
    delivery: DeliveryRun = field(default_factory=DeliveryRun)

    def line(self) -> str:
        d = self.delivery
        return (
            f"alerts: snapshot {self.snapshot_id or '-'}: {self.rules} rules evaluated ({self.skipped} skipped), "
            f"{self.opened} opened, {self.resolved} resolved, {self.digests} digests; "
            f"{self.queued} messages queued; delivered {len(d.sent)}, pending {len(d.retrying)}, failed {len(d.failed)}"
        )


@dataclass(frozen=True)
class Owner:
    id: int
    email: str
    role: str
    language: str | None
    scope: frozenset[str] | None


def _owner(svc: Services, user_id: int, cache: dict[int, Owner | None]) -> Owner | None:
    """The rule's owner with their scope as it is now; None when the user is
    gone or disabled (their rules wait)."""
    if user_id not in cache:
        row = get_user(svc.state, user_id)
        if row is None or row.disabled:
            cache[user_id] = None
        else:
            scope = scope_for(svc.state, row.email, row.role)
            cache[user_id] = Owner(row.id, row.email, row.role, row.language, scope)
    return cache[user_id]


def _previous(svc: Services, ctx: Context, rule_id: int) -> Context | None:
    """The snapshot of the rule's previous evaluation, when it is still kept."""
    last = store.last_evaluation(svc.state, rule_id)
    if last is None or last["snapshot_id"] == ctx.snapshot.id:
        return None
    snap = svc.snapshots.kept(last["snapshot_id"])
    return None if snap is None else Context(snap, ctx.state, ctx.settings)


def _deliveries(svc: Services, ctx: Context, owner: Owner):
    settings = svc.settings
    snapshot_id = ctx.snapshot.id

    def build(rule: dict, opened: list[dict], resolved: list[dict]) -> list[NewDelivery]:
        # an alert resolved because its customer left the owner's scope
        # resolves quietly: no message names a customer they no longer see
        resolved = [a for a in resolved if owner.scope is None or a["customer_id"] in owner.scope]
        if not opened and not resolved:
            return []
        out: list[NewDelivery] = []
        key = f"rule:{rule['id']}:{snapshot_id}"
        with language(owner.language) as lang:
            if "email" in rule["channels"] and settings.smtp is not None:
                payload = messages.alert_email(rule, opened, resolved, ctx.as_of, settings.base_url, lang)
                kind = "alert.opened" if opened else "alert.resolved"
                out.append(NewDelivery("email", kind, f"{key}:email", owner.email, payload, owner.id, rule["id"]))
            if "webhook" in rule["channels"] and rule.get("webhook_url"):
                for event, alerts in (("alert.opened", opened), ("alert.resolved", resolved)):
                    if alerts:
                        body = messages.alert_webhook(event, rule, alerts, ctx.as_of, settings.base_url)
                        dedupe = f"{key}:{event.removeprefix('alert.')}:webhook"
                        out.append(
                            NewDelivery("webhook", event, dedupe, rule["webhook_url"], body, owner.id, rule["id"])
                        )
        return out

    return build


def evaluate_rules(svc: Services, ctx: Context, now: datetime | None = None) -> RunSummary:
    """Every rule evaluated once on ctx's snapshot (the alerts half of run)."""
    summary = RunSummary(snapshot_id=ctx.snapshot.id)
    owners: dict[int, Owner | None] = {}
    for rule in store.list_rules(svc.state):
        if store.was_evaluated(svc.state, rule["id"], ctx.snapshot.id):
            summary.skipped += 1
            continue
        owner = _owner(svc, rule["user_id"], owners)
        condition = CONDITIONS.get(rule["condition"])
        if owner is None or condition is None:
            summary.skipped += 1
            continue
        if condition.area is not None and not may_see(owner.role, condition.area):
            found: conditions.Holding = {}  # what they may not see holds nothing for them
        else:
            previous = _previous(svc, ctx, rule["id"]) if rule["condition"] in conditions.NEEDS_PREVIOUS else None
            found = conditions.holding(rule["condition"], ctx, owner.scope, rule["params"], rule["filters"], previous)
        holding = [Firing(cid, name, values) for cid, (name, values) in found.items()]
        result = store.apply_evaluation(
            svc.state,
            rule["id"],
            ctx.snapshot.id,
            ctx.as_of,
            holding,
            _deliveries(svc, ctx, owner),
            now=now,
        )
        if result is None:  # another process was first
            summary.skipped += 1
            continue
        summary.rules += 1
        summary.opened += len(result.opened)
        summary.resolved += len(result.resolved)
        summary.queued += result.enqueued
    return summary


def run(
    svc: Services,
    snapshot: Snapshot | None = None,
    now: datetime | None = None,
    deliver: bool = True,
) -> RunSummary:
    """Evaluates every rule on `snapshot` (default: the current one), queues
    the weekly digests, then delivers everything pending. Idempotent."""
    snapshot = snapshot or svc.snapshots.current()
    if snapshot is None:
        summary = RunSummary()
    else:
        ctx = Context(snapshot, svc.state, svc.settings)
        summary = evaluate_rules(svc, ctx, now)
        digests = digest.queue_digests(svc, ctx, now or utcnow())
        summary.digests = digests
        summary.queued += digests
    if deliver:
        summary.delivery = deliver_pending(svc.state, svc.settings)
    log.info(summary.line())
    return summary
