"""Sign-in throttling: per account and per client address (login_attempts).

Each failed sign-in counts against "email:<address typed>" (whether or not
such a user exists, so that a lock tells nothing about existence) and
"ip:<client address>". Failures older than the lock length are forgotten.
Reaching settings.login_max_failures locks the account key for
settings.login_lock_seconds; a client address gets ADDRESS_FACTOR times as
many tries, since many people may share one (an office behind NAT). Before
the lock, each further try on an account is slowed a little more.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, insert, or_, select, update

from partnerhub.data.state import StateStore, login_attempts, utcnow

ADDRESS_FACTOR = 4
SLOWDOWN_STEP = 0.2  # seconds added per earlier failure on the account, from the second
SLOWDOWN_MAX = 2.0


@dataclass(frozen=True)
class Policy:
    max_failures: int
    lock_seconds: int


def _keys(email: str, address: str | None) -> dict[str, int]:
    return {f"email:{email[:280]}": 1, f"ip:{(address or 'unknown')[:280]}": ADDRESS_FACTOR}


def _aware(value: datetime | None) -> datetime | None:
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value


def locked_for(state: StateStore, email: str, address: str | None) -> int:
    """Seconds until a sign-in for this account from this address is allowed again; 0 = now."""
    now = utcnow()
    with state.read() as conn:
        rows = conn.execute(
            select(login_attempts.c.locked_until).where(login_attempts.c.key.in_(list(_keys(email, address))))
        ).all()
    remaining = [(_aware(r.locked_until) - now).total_seconds() for r in rows if r.locked_until is not None]
    return max([0, *[int(r) + 1 for r in remaining if r > 0]])


def slow_down(state: StateStore, email: str, policy: Policy) -> None:
    """Waits longer the more recent failures the account has."""
    with state.read() as conn:
        row = conn.execute(select(login_attempts).where(login_attempts.c.key == f"email:{email[:280]}")).first()
    if row is None or row.failures < 2:
        return
    if utcnow() - _aware(row.last_failure_at) > timedelta(seconds=policy.lock_seconds):
        return
    time.sleep(min(SLOWDOWN_STEP * (row.failures - 1), SLOWDOWN_MAX))


def record_failure(state: StateStore, email: str, address: str | None, policy: Policy) -> bool:
    """Counts a failure; True when it locked the account or the address."""
    now = utcnow()
    window = timedelta(seconds=policy.lock_seconds)
    locked = False
    with state.write() as conn:
        # forget counts nobody needs any more, so that guessing at many
        # addresses does not grow the table without end
        stale = now - max(window, timedelta(days=1))
        conn.execute(
            delete(login_attempts).where(
                login_attempts.c.last_failure_at < stale,
                or_(login_attempts.c.locked_until.is_(None), login_attempts.c.locked_until < now),
            )
        )
        for key, factor in _keys(email, address).items():
            row = conn.execute(select(login_attempts).where(login_attempts.c.key == key)).first()
            failures = 1
            if row is not None and row.last_failure_at is not None and now - _aware(row.last_failure_at) <= window:
                failures = row.failures + 1
            values = {"failures": failures, "last_failure_at": now}
            if failures >= policy.max_failures * factor:
                values.update(failures=0, locked_until=now + window)
                locked = True
            if row is None:
                conn.execute(insert(login_attempts).values(key=key, **values))
            else:
                conn.execute(update(login_attempts).where(login_attempts.c.key == key).values(**values))
    return locked


def record_success(state: StateStore, email: str) -> None:
    """A successful sign-in clears the account's count (not the address's:
    one valid account must not reset the count of a guessing client)."""
    with state.write() as conn:
        conn.execute(delete(login_attempts).where(login_attempts.c.key == f"email:{email[:280]}"))
