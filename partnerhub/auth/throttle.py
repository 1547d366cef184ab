"""Sign-in throttling that slows attackers, not owners (login_attempts).

Two counts, both of one client address (request.remote_addr, the real client
behind PARTNERHUB_TRUSTED_PROXIES proxies):

- "pair:<address> <e-mail typed>": failures for one account from the address
  (whether or not such a user exists, so that a lock tells nothing about
  existence). settings.login_max_failures of them lock the pair.
- "ip:<address>": failures for any account from the address. ADDRESS_FACTOR
  times as many lock the address for every account: several people may share
  one address (an office behind NAT), and a guesser spraying many accounts
  from one address is stopped too.

A lock lasts settings.login_lock_seconds; failures further apart than that
are forgotten. There is no lock of an account as such: failures at other
addresses never refuse the owner's correct password from an address that has
not failed. A locked client is refused before its password is checked, with
the seconds to wait (the view answers 429 with Retry-After); nothing here
waits in the request thread, so refused guesses cost the server one query.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import case, delete, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection

from partnerhub.data.state import StateStore, login_attempts, utcnow

# the per-address limit is this many times the per-(account, address) limit
ADDRESS_FACTOR = 4

# login_attempts.key is String(300): "pair:" + 100 + " " + 194
_ADDRESS_CHARS = 100
_EMAIL_CHARS = 194


@dataclass(frozen=True)
class Policy:
    max_failures: int
    lock_seconds: int


def pair_key(email: str, address: str | None) -> str:
    return _storable(f"pair:{_address(address)} {email[:_EMAIL_CHARS]}")


def address_key(address: str | None) -> str:
    return _storable(f"ip:{_address(address)}")


def _address(address: str | None) -> str:
    return (address or "unknown")[:_ADDRESS_CHARS]


def _storable(key: str) -> str:
    # PostgreSQL's text cannot hold NUL, and what was typed is the client's choice
    return key.replace("\x00", "\ufffd")


def _limits(email: str, address: str | None, policy: Policy) -> dict[str, int]:
    return {
        pair_key(email, address): policy.max_failures,
        address_key(address): policy.max_failures * ADDRESS_FACTOR,
    }


def _aware(value: datetime) -> datetime:
    # SQLite hands back naive datetimes for what was stored as UTC
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


def _seconds_left(locked_until: datetime | None, now: datetime) -> int:
    if locked_until is None:
        return 0
    left = (_aware(locked_until) - now).total_seconds()
    # whole seconds, rounded up: Retry-After must not send the client back early
    return max(0, math.ceil(left))


def locked_for(state: StateStore, email: str, address: str | None) -> int:
    """Seconds until a sign-in for this account from this address is allowed again; 0 = now."""
    now = utcnow()
    keys = [pair_key(email, address), address_key(address)]
    with state.read() as conn:
        rows = conn.execute(select(login_attempts.c.locked_until).where(login_attempts.c.key.in_(keys))).all()
    return max([0, *(_seconds_left(r.locked_until, now) for r in rows)])


def record_failure(state: StateStore, email: str, address: str | None, policy: Policy) -> int:
    """Counts a failure; returns the seconds of the lock it started (0: none)."""
    now = utcnow()
    window = timedelta(seconds=policy.lock_seconds)
    locked = 0
    with state.write() as conn:
        # a row whose last failure is older than the window and that holds no
        # lock counts for nothing: forgetting it keeps the table as small as
        # the failures of the last window, however many addresses guess
        conn.execute(
            delete(login_attempts).where(
                login_attempts.c.last_failure_at < now - window,
                or_(login_attempts.c.locked_until.is_(None), login_attempts.c.locked_until < now),
            )
        )
        for key, limit in _limits(email, address, policy).items():
            if _count_failure(conn, key, now, window) >= limit:
                conn.execute(
                    update(login_attempts)
                    .where(login_attempts.c.key == key)
                    .values(failures=0, locked_until=now + window)
                )
                locked = policy.lock_seconds
    return locked


def _count_failure(conn: Connection, key: str, now: datetime, window: timedelta) -> int:
    """Adds one failure to the key's count in one statement (an upsert: two
    failures at once, on any worker or node, are both counted and neither
    fails on the key's uniqueness); a count whose last failure is older than
    the window starts again. Returns the new count."""
    upsert = _dialect_insert(conn)(login_attempts).values(key=key, failures=1, last_failure_at=now)
    recent = login_attempts.c.last_failure_at >= now - window
    upsert = upsert.on_conflict_do_update(
        index_elements=[login_attempts.c.key],
        set_={"failures": case((recent, login_attempts.c.failures + 1), else_=1), "last_failure_at": now},
    ).returning(login_attempts.c.failures)
    return conn.execute(upsert).scalar_one()


def _dialect_insert(conn: Connection):
    # INSERT ... ON CONFLICT is the dialects' own construct, the same SQL in both
    return postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert


def record_success(state: StateStore, email: str, address: str | None) -> None:
    """A successful sign-in clears the count of its (account, address), not
    the address's: one valid account must not reset a guessing client."""
    with state.write() as conn:
        conn.execute(delete(login_attempts).where(login_attempts.c.key == pair_key(email, address)))
