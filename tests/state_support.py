"""Audit rows of an app-state store, as tests compare them."""

from __future__ import annotations

from sqlalchemy import select

from partnerhub.data.state import audit_log


def audit_rows(state) -> list[tuple]:
    """(actor, action, customer_id, target, before, after) of every audit row, oldest first."""
    with state.read() as conn:
        return [
            (r.actor, r.action, r.customer_id, r.target, r.before, r.after)
            for r in conn.execute(select(audit_log).order_by(audit_log.c.id))
        ]
