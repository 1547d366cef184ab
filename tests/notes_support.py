"""Helpers for the notes, follow-ups and saved-views tests: people of each
role in a store of the test's own (the `state` fixture, SQLite and
PostgreSQL) acting on the session app's snapshot, and customers of it."""

from __future__ import annotations

from partnerhub.auth.users import add_or_update_user, get_user_by_email
from partnerhub.data.state import StateStore
from partnerhub.services.caller import Caller


def person(state: StateStore, services, role: str, scope=None, name: str | None = None) -> Caller:
    """A user of `state` with this role (one per role and name) and the
    given scope (None: every customer) on the session app's current snapshot."""
    email = f"{name or role}@notes.example"
    add_or_update_user(state, "tests", email, (name or role).title(), role)
    user = get_user_by_email(state, email)
    return Caller(
        user.email, user.role, None if scope is None else frozenset(scope), state, services.snapshots.current(), user.id
    )


def with_scope(caller: Caller, scope) -> Caller:
    """The same person after their scope changed."""
    return Caller(caller.actor, caller.role, frozenset(scope), caller.state, caller.snapshot, caller.user_id)


def some_customers(services, n: int) -> list[tuple[str, str]]:
    """(customer_id, name) of the first n customers of the snapshot, by id."""
    return services.snapshots.current().rows(
        "SELECT customer_id, name FROM customers ORDER BY customer_id LIMIT ?", [n]
    )
