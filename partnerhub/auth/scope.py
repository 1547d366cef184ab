"""Which customers an identity may see (spec/roles.md "scope").

partner_admin: the customers assigned to them (admin_assignments rows not
removed); sales_admin: those plus every customer they started a trial for in
the app; every other role: all customers (None). The scope is computed on the
server from the app-state store only; nothing a browser sends can widen it.
"""

from __future__ import annotations

from flask import g, has_request_context
from sqlalchemy import select

from partnerhub.data.runtime import services
from partnerhub.data.state import StateStore, admin_assignments, trials, users

from .roles import ASSIGNED_SCOPE, SALES


def scope_for(state: StateStore, email: str, role: str) -> frozenset[str] | None:
    if role not in ASSIGNED_SCOPE:
        return None
    with state.read() as conn:
        assigned = (
            conn.execute(
                select(admin_assignments.c.customer_id)
                .join(users, users.c.id == admin_assignments.c.user_id)
                .where(users.c.email == email, admin_assignments.c.removed_at.is_(None))
            )
            .scalars()
            .all()
        )
        started = []
        if role == SALES:
            started = (
                conn.execute(select(trials.c.customer_id).where(trials.c.created_by == email).distinct())
                .scalars()
                .all()
            )
    return frozenset(assigned) | frozenset(started)


def customer_scope(identity) -> frozenset[str] | None:
    """None = every customer; otherwise the ids this identity may see. An
    anonymous caller (None) sees nothing."""
    if identity is None:
        return frozenset()
    return scope_for(services().state, identity.email, identity.role)


def current_scope() -> frozenset[str] | None:
    """The scope of this request's identity, computed once per request."""
    from .session import current_identity

    if not has_request_context():
        return frozenset()
    if "scope" not in g:
        g.scope = customer_scope(current_identity())
    return g.scope


def forget_scope() -> None:
    """After a change that widens or narrows the scope within this request
    (a trial started by a sales admin, say)."""
    if has_request_context():
        g.pop("scope", None)
