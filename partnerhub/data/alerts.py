"""Alert rules, alerts, the snapshots each rule was evaluated on, and the
outbox of e-mails and webhooks (deliveries and their attempts).

Every write is one transaction holding the store's write lock, so a check
made in it (the rule still exists, this snapshot was not evaluated yet, this
dedupe key is not queued yet) holds until the commit, the same way on SQLite
and PostgreSQL. Rule and digest changes record their audit row in that
transaction. Who may do what is decided by the application layer
(partnerhub/services/alert_rules.py); these functions only store.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import delete, func, insert, or_, select, update
from sqlalchemy.engine import Connection

from .state import (
    StateStore,
    alert_evaluations,
    alert_rules,
    alerts,
    deliveries,
    delivery_attempts,
    users,
    utcnow,
)

ERROR_MAX = 500
_CHUNK = 500  # keys per IN (...) list, well under every database's parameter limit
# `values` is also a method of a column collection: alerts.c.values is not the column
_VALUES = alerts.c["values"]


def aware(value: datetime | None) -> datetime | None:
    """SQLite gives back naive datetimes; they were written in UTC."""
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


# ---- rules -------------------------------------------------------------------------------------

_RULE_COLUMNS = (
    alert_rules.c.id,
    alert_rules.c.user_id,
    alert_rules.c.condition,
    alert_rules.c.params,
    alert_rules.c.filters,
    alert_rules.c.channels,
    alert_rules.c.webhook_url,
    alert_rules.c.created_at,
    alert_rules.c.updated_at,
)


class TooManyRules(Exception):
    pass


def _rule(row) -> dict:
    """A rule as the app shows it: never its webhook secret."""
    return {
        "id": row.id,
        "user_id": row.user_id,
        "condition": row.condition,
        "params": dict(row.params or {}),
        "filters": dict(row.filters or {}),
        "channels": list(row.channels or []),
        "webhook_url": row.webhook_url,
        "created_at": aware(row.created_at),
        "updated_at": aware(row.updated_at),
    }


def _audited(rule: dict) -> dict:
    """The rule for the audit log's JSON: no timestamps (the row has its
    own), and of a webhook only its host: the address of an incoming webhook
    (Slack's, Teams') is itself a credential."""
    kept = {k: v for k, v in rule.items() if k not in ("created_at", "updated_at", "webhook_url")}
    if rule.get("webhook_url"):
        kept["webhook_host"] = urlsplit(rule["webhook_url"]).hostname
    return kept


def create_rule(
    state: StateStore,
    actor: str,
    user_id: int,
    condition: str,
    params: Mapping[str, Any],
    filters: Mapping[str, list],
    channels: list[str],
    webhook_url: str | None = None,
    webhook_secret: str | None = None,
    max_rules: int | None = None,
) -> dict:
    """Stores a rule the caller has validated; ValueError when its user is
    gone, TooManyRules when they have max_rules already."""
    now = utcnow()
    with state.write() as conn:
        if conn.execute(select(users.c.id).where(users.c.id == user_id)).first() is None:
            raise ValueError("That user does not exist (any more).")
        if max_rules is not None:
            count = conn.execute(select(func.count()).where(alert_rules.c.user_id == user_id)).scalar_one()
            if count >= max_rules:
                raise TooManyRules(max_rules)
        rule_id = conn.execute(
            insert(alert_rules)
            .values(
                user_id=user_id,
                condition=condition,
                params=dict(params),
                filters=dict(filters),
                channels=list(channels),
                webhook_url=webhook_url,
                webhook_secret=webhook_secret,
                created_at=now,
                updated_at=now,
            )
            .returning(alert_rules.c.id)
        ).scalar_one()
        rule = _rule(conn.execute(select(*_RULE_COLUMNS).where(alert_rules.c.id == rule_id)).one())
        state.audit(conn, actor, "alert_rule.create", target=f"alert rule {rule_id}", after=_audited(rule))
    return rule


def get_rule(state: StateStore, rule_id: int, user_id: int | None = None) -> dict | None:
    """The rule; None when there is none, or (user_id given) it is someone else's."""
    q = select(*_RULE_COLUMNS).where(alert_rules.c.id == rule_id)
    if user_id is not None:
        q = q.where(alert_rules.c.user_id == user_id)
    with state.read() as conn:
        row = conn.execute(q).first()
    return _rule(row) if row else None


def list_rules(state: StateStore, user_id: int | None = None) -> list[dict]:
    """The user's rules (None: everybody's, for the evaluation), oldest first."""
    q = select(*_RULE_COLUMNS).order_by(alert_rules.c.id)
    if user_id is not None:
        q = q.where(alert_rules.c.user_id == user_id)
    with state.read() as conn:
        return [_rule(r) for r in conn.execute(q)]


def webhook_secret(conn: Connection, rule_id: int | None) -> str | None:
    """The secret a rule's webhooks are signed with (the outbox's only reader)."""
    if rule_id is None:
        return None
    return conn.execute(select(alert_rules.c.webhook_secret).where(alert_rules.c.id == rule_id)).scalar()


def delete_rule(state: StateStore, actor: str, rule_id: int, user_id: int) -> dict | None:
    """Deletes the user's rule with its alerts and evaluations; None (and
    nothing changed) when the user has no such rule. Deliveries stay: they
    are the log."""
    with state.write() as conn:
        row = conn.execute(
            select(*_RULE_COLUMNS).where(alert_rules.c.id == rule_id, alert_rules.c.user_id == user_id)
        ).first()
        if row is None:
            return None
        rule = _rule(row)
        # explicit: SQLite's cascade needs foreign keys on, and a store's
        # connection may come from elsewhere
        conn.execute(delete(alerts).where(alerts.c.rule_id == rule_id))
        conn.execute(delete(alert_evaluations).where(alert_evaluations.c.rule_id == rule_id))
        conn.execute(delete(alert_rules).where(alert_rules.c.id == rule_id))
        state.audit(conn, actor, "alert_rule.delete", target=f"alert rule {rule_id}", before=_audited(rule))
    return rule


# ---- the weekly digest's opt-in ----------------------------------------------------------------


def set_weekly_digest(state: StateStore, actor: str, user_id: int, on: bool) -> bool:
    """Subscribes or unsubscribes the user; whether anything changed.
    ValueError when the user is gone."""
    with state.write() as conn:
        row = conn.execute(select(users.c.email, users.c.weekly_digest).where(users.c.id == user_id)).first()
        if row is None:
            raise ValueError("That user does not exist (any more).")
        if bool(row.weekly_digest) == on:
            return False
        conn.execute(update(users).where(users.c.id == user_id).values(weekly_digest=on, updated_at=utcnow()))
        action = "digest.subscribe" if on else "digest.unsubscribe"
        state.audit(
            conn, actor, action, target=row.email, before={"weekly_digest": not on}, after={"weekly_digest": on}
        )
    return True


def weekly_digest(state: StateStore, user_id: int) -> bool:
    with state.read() as conn:
        return bool(conn.execute(select(users.c.weekly_digest).where(users.c.id == user_id)).scalar())


def digest_subscribers(state: StateStore) -> list[dict]:
    """Every enabled user who opted in to the weekly digest, by id."""
    q = (
        select(users.c.id, users.c.email, users.c.name, users.c.role, users.c.language, users.c.time_zone)
        .where(users.c.weekly_digest.is_(True), users.c.disabled.is_(False))
        .order_by(users.c.id)
    )
    with state.read() as conn:
        return [dict(r._mapping) for r in conn.execute(q)]


# ---- alerts and evaluations --------------------------------------------------------------------


@dataclass(frozen=True)
class Firing:
    """A customer for whom a rule's condition holds on a snapshot."""

    customer_id: str
    customer_name: str
    values: Mapping[str, Any] = field(default_factory=dict)  # the numbers that made it fire


@dataclass(frozen=True)
class NewDelivery:
    """A message for the outbox. payload: for e-mail {"subject", "text",
    "html", "attachments": [{"filename", "content_type", "content" (base64)}]};
    for a webhook the JSON body. A webhook is signed with its rule's secret,
    so it needs rule_id."""

    channel: str  # email | webhook
    kind: str  # alert.opened | alert.resolved | digest | test
    dedupe_key: str  # e.g. "alert:17:opened:email"; enqueued once, ever
    recipient: str  # an e-mail address, or the webhook's URL
    payload: Mapping[str, Any]
    user_id: int | None = None
    rule_id: int | None = None
    alert_id: int | None = None


@dataclass(frozen=True)
class Evaluation:
    """What one evaluation of a rule on a snapshot changed."""

    rule: dict
    opened: list[dict]
    resolved: list[dict]
    still_open: list[dict]
    enqueued: int


_ALERT_COLUMNS = (
    alerts.c.id,
    alerts.c.rule_id,
    alerts.c.user_id,
    alerts.c.condition,
    alerts.c.customer_id,
    alerts.c.customer_name,
    alerts.c.state,
    _VALUES,
    alerts.c.opened_snapshot,
    alerts.c.opened_as_of,
    alerts.c.opened_at,
    alerts.c.resolved_snapshot,
    alerts.c.resolved_as_of,
    alerts.c.resolved_at,
    alerts.c.read_at,
)


def _alert(row) -> dict:
    d = dict(row._mapping)
    d["values"] = dict(d["values"] or {})
    for key in ("opened_at", "resolved_at", "read_at"):
        d[key] = aware(d[key])
    return d


def last_evaluation(state: StateStore, rule_id: int) -> dict | None:
    """The rule's latest evaluation {snapshot_id, as_of, evaluated_at}; None before its first."""
    q = (
        select(alert_evaluations.c.snapshot_id, alert_evaluations.c.as_of, alert_evaluations.c.evaluated_at)
        .where(alert_evaluations.c.rule_id == rule_id)
        .order_by(alert_evaluations.c.evaluated_at.desc(), alert_evaluations.c.as_of.desc())
        .limit(1)
    )
    with state.read() as conn:
        row = conn.execute(q).first()
    if row is None:
        return None
    return {"snapshot_id": row.snapshot_id, "as_of": row.as_of, "evaluated_at": aware(row.evaluated_at)}


def was_evaluated(state: StateStore, rule_id: int, snapshot_id: str) -> bool:
    with state.read() as conn:
        return _was_evaluated(conn, rule_id, snapshot_id)


def _was_evaluated(conn: Connection, rule_id: int, snapshot_id: str) -> bool:
    q = select(alert_evaluations.c.rule_id).where(
        alert_evaluations.c.rule_id == rule_id, alert_evaluations.c.snapshot_id == snapshot_id
    )
    return conn.execute(q).first() is not None


def apply_evaluation(
    state: StateStore,
    rule_id: int,
    snapshot_id: str,
    as_of: date,
    holding: Iterable[Firing],
    deliveries_for: Callable[[dict, list[dict], list[dict]], Iterable[NewDelivery]] | None = None,
    now: datetime | None = None,
) -> Evaluation | None:
    """Records the evaluation of a rule on a snapshot, in one transaction:
    an alert opens for each customer of `holding` without an open alert of
    this rule, the open alerts of customers not in `holding` resolve, and the
    messages `deliveries_for(rule, opened, resolved)` returns are enqueued
    (so an alert and its messages are stored together or not at all).
    None, and nothing changed, when the rule was already evaluated on this
    snapshot or no longer exists."""
    now = now or utcnow()
    firing = {f.customer_id: f for f in holding}
    with state.write() as conn:
        row = conn.execute(select(*_RULE_COLUMNS).where(alert_rules.c.id == rule_id)).first()
        if row is None or _was_evaluated(conn, rule_id, snapshot_id):
            return None
        rule = _rule(row)
        open_rows = {
            r.customer_id: _alert(r)
            for r in conn.execute(select(*_ALERT_COLUMNS).where(alerts.c.rule_id == rule_id, alerts.c.state == "open"))
        }
        resolved_ids = [a["id"] for cid, a in open_rows.items() if cid not in firing]
        for i in range(0, len(resolved_ids), _CHUNK):
            conn.execute(
                update(alerts)
                .where(alerts.c.id.in_(resolved_ids[i : i + _CHUNK]))
                .values(state="resolved", resolved_snapshot=snapshot_id, resolved_as_of=as_of, resolved_at=now)
            )
        new = [f for cid, f in firing.items() if cid not in open_rows]
        opened_ids = []
        for f in new:
            opened_ids.append(
                conn.execute(
                    insert(alerts)
                    .values(
                        {
                            alerts.c.rule_id: rule_id,
                            alerts.c.user_id: rule["user_id"],
                            alerts.c.condition: rule["condition"],
                            alerts.c.customer_id: f.customer_id,
                            alerts.c.customer_name: f.customer_name[:300],
                            alerts.c.state: "open",
                            _VALUES: dict(f.values),
                            alerts.c.opened_snapshot: snapshot_id,
                            alerts.c.opened_as_of: as_of,
                            alerts.c.opened_at: now,
                        }
                    )
                    .returning(alerts.c.id)
                ).scalar_one()
            )
        opened = _alerts_by_id(conn, opened_ids)
        resolved = _alerts_by_id(conn, resolved_ids)
        still_open = [a for cid, a in open_rows.items() if cid in firing]
        conn.execute(
            insert(alert_evaluations).values(rule_id=rule_id, snapshot_id=snapshot_id, as_of=as_of, evaluated_at=now)
        )
        enqueued = _enqueue(conn, deliveries_for(rule, opened, resolved), now) if deliveries_for else 0
    return Evaluation(rule, opened, resolved, still_open, enqueued)


def _alerts_by_id(conn: Connection, ids: list[int]) -> list[dict]:
    found: dict[int, dict] = {}
    for i in range(0, len(ids), _CHUNK):
        for r in conn.execute(select(*_ALERT_COLUMNS).where(alerts.c.id.in_(ids[i : i + _CHUNK]))):
            found[r.id] = _alert(r)
    return [found[i] for i in ids]


def list_alerts(state: StateStore, user_id: int, which: str = "open", limit: int | None = None) -> list[dict]:
    """The user's alerts, newest first; which: open | resolved | all."""
    if which not in ("open", "resolved", "all"):
        raise ValueError(f"{which!r} is not one of open, resolved, all")
    q = select(*_ALERT_COLUMNS).where(alerts.c.user_id == user_id)
    if which != "all":
        q = q.where(alerts.c.state == which)
    q = q.order_by(alerts.c.opened_at.desc(), alerts.c.id.desc())
    if limit is not None:
        q = q.limit(limit)
    with state.read() as conn:
        return [_alert(r) for r in conn.execute(q)]


def open_alerts(state: StateStore, rule_id: int) -> dict[str, dict]:
    """customer_id -> the rule's open alert on that customer."""
    q = select(*_ALERT_COLUMNS).where(alerts.c.rule_id == rule_id, alerts.c.state == "open")
    with state.read() as conn:
        return {r.customer_id: _alert(r) for r in conn.execute(q)}


def unread_count(state: StateStore, user_id: int) -> int:
    """The bell's number: the user's alerts not marked read, open or resolved."""
    q = select(func.count()).select_from(alerts).where(alerts.c.user_id == user_id, alerts.c.read_at.is_(None))
    with state.read() as conn:
        return int(conn.execute(q).scalar_one())


def mark_read(state: StateStore, user_id: int, alert_ids: Iterable[int] | None = None) -> int:
    """Marks the user's alerts read (alert_ids None: all of them); how many
    changed. Ids of other users' alerts change nothing. Not audited: reading
    is no change to what anybody else sees."""
    q = update(alerts).where(alerts.c.user_id == user_id, alerts.c.read_at.is_(None))
    with state.write() as conn:
        if alert_ids is None:
            return conn.execute(q.values(read_at=utcnow())).rowcount
        ids = sorted({int(i) for i in alert_ids})
        changed = 0
        for i in range(0, len(ids), _CHUNK):
            changed += conn.execute(q.where(alerts.c.id.in_(ids[i : i + _CHUNK])).values(read_at=utcnow())).rowcount
        return changed


# ---- the outbox --------------------------------------------------------------------------------


def enqueue(state: StateStore, items: Iterable[NewDelivery], now: datetime | None = None) -> int:
    """Queues the messages whose dedupe key was never queued; how many were new."""
    with state.write() as conn:
        return _enqueue(conn, items, now or utcnow())


def _enqueue(conn: Connection, items: Iterable[NewDelivery], now: datetime) -> int:
    # checked, then inserted, under the write lock: nothing can queue the same key meanwhile
    wanted = {d.dedupe_key: d for d in items}
    keys = list(wanted)
    for i in range(0, len(keys), _CHUNK):
        for (key,) in conn.execute(
            select(deliveries.c.dedupe_key).where(deliveries.c.dedupe_key.in_(keys[i : i + _CHUNK]))
        ):
            wanted.pop(key, None)
    for d in wanted.values():
        conn.execute(
            insert(deliveries).values(
                user_id=d.user_id,
                rule_id=d.rule_id,
                alert_id=d.alert_id,
                channel=d.channel,
                kind=d.kind,
                dedupe_key=d.dedupe_key,
                recipient=d.recipient,
                payload=dict(d.payload),
                state="pending",
                attempts=0,
                next_attempt_at=now,
                created_at=now,
            )
        )
    return len(wanted)


@dataclass(frozen=True)
class Claimed:
    """A delivery one run holds the lease of, with what sending it needs."""

    id: int
    channel: str
    kind: str
    recipient: str
    payload: dict
    attempts: int  # before this run's
    webhook_secret: str | None


def claim_due(
    state: StateStore,
    now: datetime,
    lease_until: datetime,
    only: Collection[int] | None = None,
    skip: Collection[int] = (),
) -> Claimed | None:
    """Takes the lease of the pending delivery due first (next_attempt_at at
    or before now, nobody's lease running): until lease_until no other run
    claims it. None when nothing is due. only: among these ids; skip: not
    these (the ones this run has tried already)."""
    q = (
        select(
            deliveries.c.id,
            deliveries.c.channel,
            deliveries.c.kind,
            deliveries.c.recipient,
            deliveries.c.payload,
            deliveries.c.attempts,
            deliveries.c.rule_id,
        )
        .where(
            deliveries.c.state == "pending",
            deliveries.c.next_attempt_at <= now,
            or_(deliveries.c.claimed_until.is_(None), deliveries.c.claimed_until <= now),
        )
        .order_by(deliveries.c.next_attempt_at, deliveries.c.id)
        .limit(1)
    )
    if only is not None:
        q = q.where(deliveries.c.id.in_(sorted(only)))
    if skip:
        q = q.where(deliveries.c.id.not_in(sorted(skip)))
    with state.write() as conn:
        row = conn.execute(q).first()
        if row is None:
            return None
        conn.execute(update(deliveries).where(deliveries.c.id == row.id).values(claimed_until=lease_until))
        secret = webhook_secret(conn, row.rule_id) if row.channel == "webhook" else None
    return Claimed(row.id, row.channel, row.kind, row.recipient, dict(row.payload), row.attempts, secret)


def record_attempt(
    state: StateStore,
    delivery_id: int,
    ok: bool,
    error: str | None = None,
    now: datetime | None = None,
    retry_at: datetime | None = None,
    give_up: bool = False,
) -> None:
    """Records one attempt, and what it leaves: sent; or failed for good
    (give_up); or pending for the next run at retry_at, lease released; or
    (neither) pending under the same lease, for this run's next attempt."""
    now = now or utcnow()
    error = error[:ERROR_MAX] if error else None
    with state.write() as conn:
        conn.execute(insert(delivery_attempts).values(delivery_id=delivery_id, attempted_at=now, ok=ok, error=error))
        values: dict[str, Any] = {"attempts": deliveries.c.attempts + 1}
        if ok:
            values |= {"state": "sent", "sent_at": now, "claimed_until": None}
        else:
            values["last_error"] = error
            if give_up:
                values |= {"state": "failed", "claimed_until": None}
            elif retry_at is not None:
                values |= {"next_attempt_at": retry_at, "claimed_until": None}
        conn.execute(update(deliveries).where(deliveries.c.id == delivery_id).values(values))


_DELIVERY_COLUMNS = (
    deliveries.c.id,
    deliveries.c.user_id,
    users.c.email.label("user_email"),
    deliveries.c.rule_id,
    deliveries.c.alert_id,
    deliveries.c.channel,
    deliveries.c.kind,
    deliveries.c.dedupe_key,
    deliveries.c.recipient,
    deliveries.c.state,
    deliveries.c.attempts,
    deliveries.c.next_attempt_at,
    deliveries.c.last_error,
    deliveries.c.created_at,
    deliveries.c.sent_at,
)


def _delivery(row) -> dict:
    d = dict(row._mapping)
    for key in ("next_attempt_at", "created_at", "sent_at"):
        d[key] = aware(d[key])
    return d


def delivery_log(
    state: StateStore,
    states: Iterable[str] | None = None,
    limit: int = 500,
    user_id: int | None = None,
) -> list[dict]:
    """The outbox, newest first, for the Administration page: each delivery
    with its user's e-mail, state, attempts and last error (no payload).
    states: only these (pending, sent, failed)."""
    q = select(*_DELIVERY_COLUMNS).select_from(deliveries.outerjoin(users, users.c.id == deliveries.c.user_id))
    if states is not None:
        q = q.where(deliveries.c.state.in_(list(states)))
    if user_id is not None:
        q = q.where(deliveries.c.user_id == user_id)
    q = q.order_by(deliveries.c.created_at.desc(), deliveries.c.id.desc()).limit(limit)
    with state.read() as conn:
        return [_delivery(r) for r in conn.execute(q)]


def get_delivery(state: StateStore, delivery_id: int) -> dict | None:
    """One delivery as in delivery_log, with its payload."""
    q = (
        select(*_DELIVERY_COLUMNS, deliveries.c.payload)
        .select_from(deliveries.outerjoin(users, users.c.id == deliveries.c.user_id))
        .where(deliveries.c.id == delivery_id)
    )
    with state.read() as conn:
        row = conn.execute(q).first()
    return _delivery(row) if row else None


def delivery_by_key(state: StateStore, dedupe_key: str) -> dict | None:
    """The delivery queued under this dedupe key, as in delivery_log."""
    q = (
        select(*_DELIVERY_COLUMNS)
        .select_from(deliveries.outerjoin(users, users.c.id == deliveries.c.user_id))
        .where(deliveries.c.dedupe_key == dedupe_key)
    )
    with state.read() as conn:
        row = conn.execute(q).first()
    return _delivery(row) if row else None


def attempts_of(state: StateStore, delivery_id: int) -> list[dict]:
    """A delivery's attempts, oldest first: {attempted_at, ok, error}."""
    q = (
        select(delivery_attempts.c.attempted_at, delivery_attempts.c.ok, delivery_attempts.c.error)
        .where(delivery_attempts.c.delivery_id == delivery_id)
        .order_by(delivery_attempts.c.id)
    )
    with state.read() as conn:
        return [{"attempted_at": aware(r.attempted_at), "ok": bool(r.ok), "error": r.error} for r in conn.execute(q)]


def pending_count(state: StateStore) -> int:
    q = select(func.count()).select_from(deliveries).where(deliveries.c.state == "pending")
    with state.read() as conn:
        return int(conn.execute(q).scalar_one())
