"""Signed-in sessions in the app-state store (the `sessions` table).

A session is named by a random secret that only the session cookie holds;
the store keeps its sha256 hash (the secret is 32 random bytes, so a fast
hash is enough, as for API tokens), so a copy of the table signs nobody in.
Every request of a session reads its row (`resume`): a row that is missing
or ended, idle for longer than the timeout, or whose user is disabled or has
no password, makes the request anonymous. Every worker and node reads the
same store, so ending a row ends the session everywhere at its next request.

Rows stay bounded: each sign-in forgets the rows ended or idle for longer
than KEEP_ENDED, and a user keeps at most KEPT_PER_USER sessions (the oldest
ends when one more starts).

Who may end which session is decided by the application layer
(partnerhub/services/sessions.py); the writes of sign-in, sign-out and the
user changes that end sessions (auth/) call these directly.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import and_, delete, func, insert, or_, select, update
from sqlalchemy.engine import Connection

from .state import StateStore, sessions, users, utcnow

# last_seen_at is written at most this often, so that a busy page does not
# take the store's write lock on every request
LAST_SEEN_STEP = timedelta(seconds=60)
# an ended or expired row is kept this long, so that its cookie's next
# request can say why it ended
KEEP_ENDED = timedelta(days=7)
KEPT_PER_USER = 50
USER_AGENT_CHARS = 300
ADDRESS_CHARS = 100
_SECRET_MAX = 200

# why a session ended (sessions.end_reason)
SIGNED_OUT = "signed_out"
IDLE = "idle"
PASSWORD = "password"
ROLE = "role"
DISABLED = "disabled"
ENDED = "ended"  # by its user, from another of their sessions
ENDED_BY_ADMIN = "ended_by_admin"
REPLACED = "replaced"  # the user started more than KEPT_PER_USER sessions
UNKNOWN = "unknown"  # no row: forgotten, or never ours


@dataclass(frozen=True)
class Resumed:
    """What `resume` found: the session's row id and its users row, or why it is over."""

    session_id: int | None = None
    user: Any = None
    ended: str | None = None


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def _aware(value: datetime) -> datetime:
    # SQLite hands back naive datetimes for what was stored as UTC
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


def start(
    state: StateStore, user_id: int, user_agent: str | None, address: str | None, idle: timedelta
) -> tuple[str, int]:
    """A new session of `user_id`; returns (its secret, its row id). The
    secret goes into the cookie and nowhere else."""
    secret = secrets.token_urlsafe(32)
    now = utcnow()
    with state.write() as conn:
        result = conn.execute(
            insert(sessions).values(
                token_hash=_hash(secret),
                user_id=user_id,
                created_at=now,
                last_seen_at=now,
                user_agent=_shown(user_agent, USER_AGENT_CHARS),
                address=_shown(address, ADDRESS_CHARS),
            )
        )
        session_id = result.inserted_primary_key[0]
        _keep_newest(conn, user_id, now)
        purge(conn, now, idle)
    return secret, session_id


def _shown(value: str | None, limit: int) -> str | None:
    # what the client sent, fit to show and to store (PostgreSQL's text cannot hold NUL)
    return "".join(ch for ch in (value or "") if ch.isprintable())[:limit] or None


def _keep_newest(conn: Connection, user_id: int, now: datetime) -> None:
    older = (
        conn.execute(
            select(sessions.c.id)
            .where(sessions.c.user_id == user_id, sessions.c.ended_at.is_(None))
            .order_by(sessions.c.id.desc())
            .offset(KEPT_PER_USER)
        )
        .scalars()
        .all()
    )
    if older:
        conn.execute(update(sessions).where(sessions.c.id.in_(older)).values(ended_at=now, end_reason=REPLACED))


def purge(conn: Connection, now: datetime, idle: timedelta) -> int:
    """Forgets the rows ended, or idle, for longer than KEEP_ENDED; returns how many."""
    cutoff = now - KEEP_ENDED
    result = conn.execute(
        delete(sessions).where(
            or_(
                sessions.c.ended_at < cutoff,
                and_(sessions.c.ended_at.is_(None), sessions.c.last_seen_at < cutoff - idle),
            )
        )
    )
    return result.rowcount


def resume(state: StateStore, secret: str | None, idle: timedelta) -> Resumed:
    """The session named by `secret`, when it may go on: its last_seen_at is
    brought up to date (at most every LAST_SEEN_STEP). Otherwise why it is
    over; an idle one, or one whose user can no longer sign in, is ended."""
    if not isinstance(secret, str) or not secret or len(secret) > _SECRET_MAX:
        return Resumed(ended=UNKNOWN)
    with state.read() as conn:
        row = conn.execute(
            select(
                sessions.c.id.label("session_id"),
                sessions.c.last_seen_at,
                sessions.c.ended_at,
                sessions.c.end_reason,
                users,
            )
            .join(users, users.c.id == sessions.c.user_id)
            .where(sessions.c.token_hash == _hash(secret))
        ).first()
    if row is None:
        return Resumed(ended=UNKNOWN)
    if row.ended_at is not None:
        return Resumed(ended=row.end_reason or UNKNOWN)
    now = utcnow()
    reason = None
    if row.disabled or not row.password_hash:
        reason = DISABLED
    elif now - _aware(row.last_seen_at) > idle:
        reason = IDLE
    if reason is not None:
        with state.write() as conn:
            _end(conn, sessions.c.id == row.session_id, reason, now)
        return Resumed(ended=reason)
    if now - _aware(row.last_seen_at) >= LAST_SEEN_STEP:
        with state.write() as conn:
            conn.execute(
                update(sessions)
                .where(sessions.c.id == row.session_id, sessions.c.ended_at.is_(None))
                .values(last_seen_at=now)
            )
    return Resumed(session_id=row.session_id, user=row)


def _end(conn: Connection, where, reason: str, now: datetime | None = None) -> int:
    result = conn.execute(
        update(sessions).where(where, sessions.c.ended_at.is_(None)).values(ended_at=now or utcnow(), end_reason=reason)
    )
    return result.rowcount


def end_by_secret(state: StateStore, secret: str | None, reason: str) -> None:
    """Ends the session whose cookie holds `secret` (sign-out)."""
    if not isinstance(secret, str) or not secret or len(secret) > _SECRET_MAX:
        return
    with state.write() as conn:
        _end(conn, sessions.c.token_hash == _hash(secret), reason)


def end_user_sessions(conn: Connection, user_id: int, reason: str, keep: int | None = None) -> int:
    """Ends every session of one user but `keep`, in the caller's
    transaction (a password reset, role change or disable ends them with
    the change itself); returns how many were going on."""
    where = sessions.c.user_id == user_id
    if keep is not None:
        where = and_(where, sessions.c.id != keep)
    return _end(conn, where, reason)


def _active(idle: timedelta, now: datetime):
    return and_(sessions.c.ended_at.is_(None), sessions.c.last_seen_at >= now - idle)


def describe(row) -> dict:
    """A session as the Account page and the audit log show it."""
    return {
        "id": row.id,
        "created_at": row.created_at,
        "last_seen_at": row.last_seen_at,
        "user_agent": row.user_agent,
        "address": row.address,
    }


def _audited(session: dict) -> dict:
    # the audit log's columns are JSON
    return {
        "created_at": _aware(session["created_at"]).isoformat(),
        "user_agent": session["user_agent"],
        "address": session["address"],
    }


def list_active(state: StateStore, user_id: int, idle: timedelta) -> list[dict]:
    """The sessions of one user going on now, the most recently used first."""
    q = (
        select(sessions)
        .where(sessions.c.user_id == user_id, _active(idle, utcnow()))
        .order_by(sessions.c.last_seen_at.desc(), sessions.c.id.desc())
    )
    with state.read() as conn:
        return [describe(r) for r in conn.execute(q)]


def active_counts(state: StateStore, idle: timedelta) -> dict[int, int]:
    """users.id -> how many sessions of theirs are going on (users with none left out)."""
    q = select(sessions.c.user_id, func.count()).where(_active(idle, utcnow())).group_by(sessions.c.user_id)
    with state.read() as conn:
        return {user_id: n for user_id, n in conn.execute(q)}


def end_one(state: StateStore, actor: str, user_id: int, session_id: int, idle: timedelta) -> dict:
    """Ends one session of `user_id` going on now and audits it; returns
    what it was. ValueError when there is no such session of theirs."""
    now = utcnow()
    with state.write() as conn:
        row = conn.execute(
            select(sessions, users.c.email)
            .join(users, users.c.id == sessions.c.user_id)
            .where(sessions.c.id == session_id, sessions.c.user_id == user_id, _active(idle, now))
        ).first()
        if row is None:
            raise ValueError("no such session")
        _end(conn, sessions.c.id == session_id, ENDED, now)
        ended = describe(row)
        state.audit(conn, actor, "session.end", target=row.email, before=_audited(ended), after={"ended": True})
    return ended


def end_all(state: StateStore, actor: str, user_id: int, reason: str, idle: timedelta, keep: int | None = None) -> int:
    """Ends every session of `user_id` going on now but `keep`, and audits
    it (session.end_others when one is kept, else session.end_all); returns
    how many ended."""
    now = utcnow()
    with state.write() as conn:
        email = conn.execute(select(users.c.email).where(users.c.id == user_id)).scalar_one_or_none()
        if email is None:
            raise ValueError("no such user")
        where = and_(sessions.c.user_id == user_id, _active(idle, now))
        if keep is not None:
            where = and_(where, sessions.c.id != keep)
        rows = [describe(r) for r in conn.execute(select(sessions).where(where).order_by(sessions.c.id))]
        if not rows:
            return 0
        _end(conn, sessions.c.id.in_([r["id"] for r in rows]), reason, now)
        state.audit(
            conn,
            actor,
            "session.end_others" if keep is not None else "session.end_all",
            target=email,
            before={"sessions": [_audited(r) for r in rows]},
            after={"sessions": []},
        )
    return len(rows)
