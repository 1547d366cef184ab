"""A user's own preferences in the app-state store: the interface language
and the time zone (users.language, users.time_zone; null: not chosen, the
browser decides). Each write records its audit row in the same transaction.
The application layer (partnerhub/services/preferences.py) validates the
values and is the one caller of these writes."""

from __future__ import annotations

from sqlalchemy import select, update

from .state import StateStore, users, utcnow

# users column -> the audit log's action for a change of it
FIELDS = {"language": "user.language", "time_zone": "user.time_zone"}


def get_preferences(state: StateStore, user_id: int) -> dict | None:
    """{"language", "time_zone"} of the user; None when there is no such user."""
    with state.read() as conn:
        row = conn.execute(select(users.c.language, users.c.time_zone).where(users.c.id == user_id)).first()
    return None if row is None else {"language": row.language, "time_zone": row.time_zone}


def set_preference(state: StateStore, user_id: int, field: str, value: str | None) -> tuple[str | None, bool]:
    """Sets users.<field> of the user; returns (the value before, whether it
    changed). An unchanged value writes nothing and records no audit row.
    ValueError when the user does not exist (any more)."""
    column = users.c[field]
    with state.write() as conn:
        row = conn.execute(select(users.c.email, column).where(users.c.id == user_id)).first()
        if row is None:
            raise ValueError("no such user")
        before = row[1]
        if before == value:
            return before, False
        conn.execute(update(users).where(users.c.id == user_id).values({field: value, "updated_at": utcnow()}))
        state.audit(conn, row.email, FIELDS[field], target=row.email, before={field: before}, after={field: value})
    return before, True
