"""Follow-ups: per person, at most one per customer — a due date and a line
of text, open until marked done. Setting it again replaces the date and the
text and opens it again.

Follow-ups live in the app-state store (no import touches them). Each write
is one transaction with its audit row (before and after); who may write is
decided by the application layer (partnerhub/services/follow_ups.py).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import delete, insert, select, update

from .state import StateStore, as_utc, follow_ups, utcnow

TEXT_MAX = 200
_CHUNK = 500  # ids per IN (...) list, well under every database's parameter limit


@dataclass(frozen=True)
class FollowUp:
    id: int
    customer_id: str
    user_id: int
    due_date: date
    text: str
    done_at: datetime | None
    created_at: datetime
    updated_at: datetime

    @property
    def done(self) -> bool:
        return self.done_at is not None


def _follow_up(row) -> FollowUp:
    return FollowUp(
        row.id,
        row.customer_id,
        row.user_id,
        row.due_date,
        row.text,
        None if row.done_at is None else as_utc(row.done_at),
        as_utc(row.created_at),
        as_utc(row.updated_at),
    )


def _audited(f: FollowUp | None) -> dict | None:
    if f is None:
        return None
    return {
        "user_id": f.user_id,
        "due_date": f.due_date.isoformat(),
        "text": f.text,
        "done_at": None if f.done_at is None else f.done_at.isoformat(),
    }


def _get(conn, user_id: int, customer_id: str) -> FollowUp | None:
    row = conn.execute(
        select(follow_ups).where(follow_ups.c.user_id == user_id, follow_ups.c.customer_id == customer_id)
    ).first()
    return None if row is None else _follow_up(row)


# ---- reads -------------------------------------------------------------------------------------


def follow_up_for(state: StateStore, user_id: int, customer_id: str) -> FollowUp | None:
    """This person's follow-up on this customer, open or done."""
    with state.read() as conn:
        return _get(conn, user_id, customer_id)


def follow_ups_due(state: StateStore, user_id: int, until: date) -> list[FollowUp]:
    """This person's open follow-ups due on `until` or earlier (overdue ones
    included), earliest first."""
    with state.read() as conn:
        rows = conn.execute(
            select(follow_ups)
            .where(follow_ups.c.user_id == user_id, follow_ups.c.done_at.is_(None), follow_ups.c.due_date <= until)
            .order_by(follow_ups.c.due_date, follow_ups.c.customer_id)
        ).all()
    return [_follow_up(r) for r in rows]


def follow_ups_for_user(
    state: StateStore, user_id: int, customer_ids: Iterable[str] | None = None, open_only: bool = True
) -> dict[str, FollowUp]:
    """customer_id -> this person's follow-up, for these customers (None:
    all of theirs); only the open ones unless open_only is False."""
    q = select(follow_ups).where(follow_ups.c.user_id == user_id)
    if open_only:
        q = q.where(follow_ups.c.done_at.is_(None))
    rows: list = []
    with state.read() as conn:
        if customer_ids is None:
            rows = conn.execute(q).all()
        else:
            ids = sorted({c for c in customer_ids if isinstance(c, str)})
            for i in range(0, len(ids), _CHUNK):
                rows += conn.execute(q.where(follow_ups.c.customer_id.in_(ids[i : i + _CHUNK]))).all()
    return {r.customer_id: _follow_up(r) for r in rows}


# ---- writes ------------------------------------------------------------------------------------


def set_follow_up(
    state: StateStore, actor: str, user_id: int, customer_id: str, due_date: date, text: str
) -> tuple[FollowUp | None, FollowUp]:
    """Sets this person's follow-up on the customer (replacing date and text
    and opening it again when there is one); returns it before and after.
    The same open follow-up again writes nothing (before == after)."""
    with state.write() as conn:
        before = _get(conn, user_id, customer_id)
        if before is not None and (before.due_date, before.text, before.done) == (due_date, text, False):
            return before, before
        now = utcnow()
        values = {"due_date": due_date, "text": text, "done_at": None, "updated_at": now}
        if before is None:
            conn.execute(insert(follow_ups).values(customer_id=customer_id, user_id=user_id, created_at=now, **values))
        else:
            conn.execute(update(follow_ups).where(follow_ups.c.id == before.id).values(**values))
        after = _get(conn, user_id, customer_id)
        assert after is not None
        state.audit(
            conn,
            actor,
            "follow_up.set",
            customer_id=customer_id,
            target=f"follow-up {after.id}",
            before=_audited(before),
            after=_audited(after),
        )
    return before, after


def mark_done(state: StateStore, actor: str, user_id: int, customer_id: str) -> tuple[FollowUp | None, FollowUp | None]:
    """Marks this person's open follow-up on the customer done; returns it
    before and after. None before: there is none; done already: nothing is
    written (before == after)."""
    with state.write() as conn:
        before = _get(conn, user_id, customer_id)
        if before is None or before.done:
            return before, before
        now = utcnow()
        conn.execute(update(follow_ups).where(follow_ups.c.id == before.id).values(done_at=now, updated_at=now))
        after = _get(conn, user_id, customer_id)
        state.audit(
            conn,
            actor,
            "follow_up.done",
            customer_id=customer_id,
            target=f"follow-up {before.id}",
            before=_audited(before),
            after=_audited(after),
        )
    return before, after


def clear_follow_up(state: StateStore, actor: str, user_id: int, customer_id: str) -> FollowUp | None:
    """Removes this person's follow-up on the customer; returns what it was
    (None: there was none, and nothing is written)."""
    with state.write() as conn:
        before = _get(conn, user_id, customer_id)
        if before is None:
            return None
        conn.execute(delete(follow_ups).where(follow_ups.c.id == before.id))
        state.audit(
            conn,
            actor,
            "follow_up.clear",
            customer_id=customer_id,
            target=f"follow-up {before.id}",
            before=_audited(before),
        )
    return before
