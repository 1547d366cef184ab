"""API tokens: `Authorization: Bearer <secret>` for /api/*.

A token is shown once when created; the store keeps its sha256 hash (a token
is 32 random bytes, so a fast hash is enough) and a short prefix to tell
tokens apart. A token acts with its owner's role and scope, and stops working
when revoked or when its owner is disabled.

Who may create or revoke which token is decided by the application layer
(partnerhub/services/tokens.py), the one caller of these writes.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from sqlalchemy import insert, select, update

from partnerhub.data.state import StateStore, api_tokens, users, utcnow
from partnerhub.i18n import _

PREFIX = "phk_"
SHOWN_PREFIX = 12  # characters of the secret kept to tell tokens apart
NAME_MAX = 100
# last_used_at is refreshed at most this often, so that a busy script does
# not take the store's write lock on every request
LAST_USED_PRECISION = timedelta(seconds=60)


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def create_token(state: StateStore, user_id: int, name: str, actor: str | None = None) -> str:
    """Returns the secret: the only time it is ever shown."""
    name = (name or "").strip()
    if not name or len(name) > NAME_MAX:
        raise ValueError(_("a token name needs 1-%(max)s characters", max=NAME_MAX))
    secret = PREFIX + secrets.token_urlsafe(32)
    with state.write() as conn:
        owner = conn.execute(select(users.c.email).where(users.c.id == user_id)).first()
        if owner is None:
            raise ValueError(_("no such user"))
        conn.execute(
            insert(api_tokens).values(
                user_id=user_id, name=name, token_hash=_hash(secret), prefix=secret[:SHOWN_PREFIX], created_at=utcnow()
            )
        )
        state.audit(
            conn,
            actor or owner.email,
            "token.create",
            target=owner.email,
            after={"name": name, "prefix": secret[:SHOWN_PREFIX]},
        )
    return secret


def list_tokens(state: StateStore, user_id: int, include_revoked: bool = False) -> list[dict]:
    q = select(
        api_tokens.c.id,
        api_tokens.c.name,
        api_tokens.c.prefix,
        api_tokens.c.created_at,
        api_tokens.c.last_used_at,
        api_tokens.c.revoked_at,
    ).where(api_tokens.c.user_id == user_id)
    if not include_revoked:
        q = q.where(api_tokens.c.revoked_at.is_(None))
    with state.read() as conn:
        return [
            dict(r._mapping) for r in conn.execute(q.order_by(api_tokens.c.created_at.desc(), api_tokens.c.id.desc()))
        ]


def revoke_token(state: StateStore, actor: str, token_id: int, owner_user_id: int | None) -> None:
    """The owner revokes their own token (owner_user_id = theirs); a full
    admin any token (owner_user_id None: the caller has checked user.manage)."""
    try:
        token_id = int(token_id)
    except (TypeError, ValueError):
        raise ValueError(_("no such token")) from None
    with state.write() as conn:
        row = conn.execute(
            select(api_tokens, users.c.email)
            .join(users, users.c.id == api_tokens.c.user_id)
            .where(api_tokens.c.id == token_id)
        ).first()
        if row is None or (owner_user_id is not None and row.user_id != owner_user_id):
            raise ValueError(_("no such token"))
        if row.revoked_at is not None:
            return
        conn.execute(update(api_tokens).where(api_tokens.c.id == token_id).values(revoked_at=utcnow()))
        state.audit(
            conn,
            actor,
            "token.revoke",
            target=row.email,
            before={"name": row.name, "prefix": row.prefix},
            after={"revoked": True},
        )


def revoke_all_tokens(state: StateStore, actor: str, user_id: int) -> int:
    """Revokes every active token of one user; returns how many."""
    with state.write() as conn:
        owner = conn.execute(select(users.c.email).where(users.c.id == user_id)).first()
        if owner is None:
            raise ValueError(_("no such user"))
        rows = conn.execute(
            select(api_tokens.c.id, api_tokens.c.name, api_tokens.c.prefix).where(
                api_tokens.c.user_id == user_id, api_tokens.c.revoked_at.is_(None)
            )
        ).all()
        if rows:
            conn.execute(
                update(api_tokens).where(api_tokens.c.id.in_([r.id for r in rows])).values(revoked_at=utcnow())
            )
            state.audit(
                conn,
                actor,
                "token.revoke_all",
                target=owner.email,
                before={"tokens": [f"{r.name} ({r.prefix})" for r in rows]},
                after={"tokens": []},
            )
    return len(rows)


def authenticate_token(state: StateStore, secret: str | None):
    """The owner's users row for a valid token, else None. Revoked tokens and
    disabled owners fail."""
    if not secret or not secret.startswith(PREFIX) or len(secret) > 200:
        return None
    digest = _hash(secret)
    with state.read() as conn:
        row = conn.execute(
            select(api_tokens.c.id.label("token_id"), api_tokens.c.last_used_at, api_tokens.c.revoked_at).where(
                api_tokens.c.token_hash == digest
            )
        ).first()
        if row is None or row.revoked_at is not None:
            return None
        owner = conn.execute(
            select(users).join(api_tokens, api_tokens.c.user_id == users.c.id).where(api_tokens.c.id == row.token_id)
        ).first()
    if owner is None or owner.disabled:
        return None
    now = utcnow()
    last = row.last_used_at
    if last is not None and last.tzinfo is None:
        last = last.replace(tzinfo=now.tzinfo)
    if last is None or now - last >= LAST_USED_PRECISION:
        with state.write() as conn:
            conn.execute(update(api_tokens).where(api_tokens.c.id == row.token_id).values(last_used_at=now))
    return owner
