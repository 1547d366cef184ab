"""Helpers for the application layer's tests: a Caller for a demo user of the
session app, and a count of the write transactions and audit rows an action
makes (read from the real store: a listener on its engine, no mock)."""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass, field

from sqlalchemy import event, func, select

from partnerhub.auth.scope import scope_for
from partnerhub.auth.users import get_user_by_email
from partnerhub.data.state import audit_log
from partnerhub.services.caller import Caller


def caller(services, email: str) -> Caller:
    """A user of the store acting on the session app's current snapshot."""
    user = get_user_by_email(services.state, email)
    return Caller(
        user.email,
        user.role,
        scope_for(services.state, user.email, user.role),
        services.state,
        services.snapshots.current(),
        user.id,
    )


def last_audit_id(state) -> int:
    with state.read() as conn:
        return conn.execute(select(func.coalesce(func.max(audit_log.c.id), 0))).scalar_one()


def audit_after(state, audit_id: int) -> list[tuple]:
    """(actor, action, customer_id, target) of the audit rows after `audit_id`."""
    with state.read() as conn:
        rows = conn.execute(select(audit_log).where(audit_log.c.id > audit_id).order_by(audit_log.c.id)).all()
    return [(r.actor, r.action, r.customer_id, r.target) for r in rows]


@dataclass
class Writes:
    transactions: int = 0
    audit: list[tuple] = field(default_factory=list)


@contextmanager
def counted(state):
    """Counts the write transactions (StateStore.write) begun inside, and
    collects the audit rows written."""
    seen = Writes()
    start = last_audit_id(state)

    def on_begin(conn):
        if conn.get_execution_options().get("partnerhub_write"):
            seen.transactions += 1

    event.listen(state.engine, "begin", on_begin)
    try:
        yield seen
    finally:
        event.remove(state.engine, "begin", on_begin)
        seen.audit = audit_after(state, start)
