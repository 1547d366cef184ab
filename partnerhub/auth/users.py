"""Partner administrators in the app-state store: add, change, assign.

These functions check their input (ValueError with a message fit to show)
and record every accepted change in the audit log in the same transaction.
They do not decide who may call them: the application layer does
(partnerhub/services/users.py and assignments.py), the one caller of these
writes (the CLI goes through it as the operator, "cli").
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from sqlalchemy import and_, func, insert, select, update

from partnerhub.data import sessions
from partnerhub.data.state import StateStore, admin_assignments, api_tokens, users, utcnow
from partnerhub.i18n import _

from .passwords import generate_password, hash_password, password_problem
from .roles import ASSIGNED_SCOPE, ROLE_LABELS, ROLES

# no control characters: PostgreSQL's text cannot even hold NUL
EMAIL_RE = re.compile(r"[^@\s,;\x00-\x1f\x7f]+@[^@\s,;\x00-\x1f\x7f]+\.[^@\s,;\x00-\x1f\x7f]+")
CUSTOMER_ID_RE = re.compile(r"[A-Za-z0-9._-]{1,64}")
NAME_MAX = 200


def normalize_email(email: str | None) -> str:
    value = (email or "").strip().lower()
    if len(value) > 254 or not EMAIL_RE.fullmatch(value):
        raise ValueError(_("'%(email)s' is not an e-mail address", email=(email or "").strip()))
    return value


def _check_name(name: str | None) -> str:
    value = (name or "").strip()
    if not value or len(value) > NAME_MAX:
        raise ValueError(_("a name needs 1-%(max)s characters", max=NAME_MAX))
    if any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in value):
        raise ValueError(_("a name cannot contain control characters"))
    return value


def _check_role(role: str | None) -> str:
    if role not in ROLES:
        raise ValueError(_("unknown role '%(role)s'; one of: %(roles)s", role=role, roles=", ".join(ROLES)))
    return role


def _check_password(password: str) -> str:
    problem = password_problem(password)
    if problem:
        raise ValueError(problem)
    return password


def check_customer_id(customer_id: str) -> str:
    value = (customer_id or "").strip()
    if not CUSTOMER_ID_RE.fullmatch(value):
        raise ValueError(_("'%(id)s' is not a customer id (1-64 characters A-Z a-z 0-9 . _ -)", id=customer_id))
    return value


def _row(conn, email: str):
    return conn.execute(select(users).where(users.c.email == email)).first()


def _require(conn, email: str):
    row = _row(conn, normalize_email(email))
    if row is None:
        raise ValueError(_("no user '%(email)s'", email=email.strip().lower()))
    return row


def get_user_by_email(state: StateStore, email: str):
    try:
        value = normalize_email(email)
    except ValueError:
        return None
    with state.read() as conn:
        return _row(conn, value)


def get_user(state: StateStore, user_id: int):
    with state.read() as conn:
        return conn.execute(select(users).where(users.c.id == user_id)).first()


def status_of(row) -> str:
    if row.disabled:
        return "disabled"
    if not row.password_hash:
        return "no password"
    return "active"


def list_users(state: StateStore) -> list[dict]:
    """Every user with status, active token count and assignment count, by e-mail."""
    tokens = (
        select(api_tokens.c.user_id, func.count().label("n"))
        .where(api_tokens.c.revoked_at.is_(None))
        .group_by(api_tokens.c.user_id)
        .subquery()
    )
    assigned = (
        select(admin_assignments.c.user_id, func.count().label("n"))
        .where(admin_assignments.c.removed_at.is_(None))
        .group_by(admin_assignments.c.user_id)
        .subquery()
    )
    q = (
        select(users, func.coalesce(tokens.c.n, 0).label("tokens"), func.coalesce(assigned.c.n, 0).label("assigned"))
        .outerjoin(tokens, tokens.c.user_id == users.c.id)
        .outerjoin(assigned, assigned.c.user_id == users.c.id)
        .order_by(users.c.email)
    )
    with state.read() as conn:
        rows = conn.execute(q).all()
    return [
        {
            "id": r.id,
            "email": r.email,
            "name": r.name,
            "role": r.role,
            "role_label": ROLE_LABELS.get(r.role, r.role),
            "status": status_of(r),
            "disabled": bool(r.disabled),
            "source": r.source,
            "last_sign_in_at": r.last_sign_in_at,
            "tokens": int(r.tokens),
            "assigned": int(r.assigned),
        }
        for r in rows
    ]


def add_or_update_user(
    state: StateStore,
    actor: str,
    email: str,
    name: str | None,
    role: str | None,
    password: str | None = None,
    source: str = "app",
) -> dict:
    """Creates the user, or updates name/role (and password when given) of an
    existing one. name and role may be None for an existing user (kept).
    Returns {"created": bool, "email": ..., "changed": [fields]}."""
    email = normalize_email(email)
    name = _check_name(name) if name is not None else None
    role = _check_role(role) if role is not None else None
    if password is not None:
        _check_password(password)
    with state.write() as conn:
        old = _row(conn, email)
        if old is None:
            if name is None or role is None:
                raise ValueError(_("a new user needs a name and a role"))
            row: dict[str, Any] = dict(
                email=email,
                name=name,
                role=role,
                source=source,
                disabled=False,
                created_at=utcnow(),
                updated_at=utcnow(),
            )
            if password is not None:
                row["password_hash"] = hash_password(password)
            conn.execute(insert(users).values(**row))
            state.audit(
                conn,
                actor,
                "user.add",
                target=email,
                after={"name": name, "role": role, "password_set": password is not None},
            )
            return {"created": True, "email": email, "changed": ["name", "role"] + (["password"] if password else [])}
        values: dict[str, Any] = {}
        before: dict[str, Any] = {}
        after: dict[str, Any] = {}
        if name is not None and name != old.name:
            values["name"], before["name"], after["name"] = name, old.name, name
        if role is not None and role != old.role:
            values["role"], before["role"], after["role"] = role, old.role, role
        if password is not None:
            values["password_hash"] = hash_password(password)
            before["password_set"], after["password_set"] = bool(old.password_hash), True
        if not values:
            return {"created": False, "email": email, "changed": []}
        values["updated_at"] = utcnow()
        conn.execute(update(users).where(users.c.id == old.id).values(**values))
        if "role" in values or "password_hash" in values:
            sessions.end_user_sessions(conn, old.id, sessions.PASSWORD if "password_hash" in values else sessions.ROLE)
        state.audit(conn, actor, "user.update", target=email, before=before, after=after)
        return {"created": False, "email": email, "changed": sorted(after)}


def set_role(state: StateStore, actor: str, email: str, role: str) -> None:
    role = _check_role(role)
    with state.write() as conn:
        old = _require(conn, email)
        if old.role == role:
            return
        if old.email == actor:
            raise ValueError(_("you cannot change your own role"))
        conn.execute(update(users).where(users.c.id == old.id).values(role=role, updated_at=utcnow()))
        sessions.end_user_sessions(conn, old.id, sessions.ROLE)
        state.audit(conn, actor, "user.role", target=old.email, before={"role": old.role}, after={"role": role})


def reset_password(state: StateStore, actor: str, email: str, password: str | None = None) -> str:
    """Sets `password`, or a generated one when None; returns it (to show once).
    Every session of the user ends."""
    password = generate_password() if password is None else _check_password(password)
    with state.write() as conn:
        old = _require(conn, email)
        conn.execute(
            update(users).where(users.c.id == old.id).values(password_hash=hash_password(password), updated_at=utcnow())
        )
        sessions.end_user_sessions(conn, old.id, sessions.PASSWORD)
        state.audit(
            conn,
            actor,
            "user.password_reset",
            target=old.email,
            before={"password_set": bool(old.password_hash)},
            after={"password_set": True},
        )
    return password


def set_passwords(state: StateStore, actor: str, passwords: dict[str, str], source: str | None = None) -> list[str]:
    """Sets the password of several existing users in one transaction (the
    demo sign-ins), and their source when given; returns their e-mails."""
    checked = {normalize_email(e): _check_password(p) for e, p in passwords.items()}
    with state.write() as conn:
        for email, password in checked.items():
            old = _require(conn, email)
            values: dict[str, Any] = {"password_hash": hash_password(password), "updated_at": utcnow()}
            if source is not None:
                values["source"] = source
            conn.execute(update(users).where(users.c.id == old.id).values(**values))
            sessions.end_user_sessions(conn, old.id, sessions.PASSWORD)
            state.audit(
                conn,
                actor,
                "user.password_reset",
                target=old.email,
                before={"password_set": bool(old.password_hash)},
                after={"password_set": True},
            )
    return list(checked)


def change_own_password(state: StateStore, user_id: int, current: str, new: str) -> None:
    """The signed-in user's own change: needs the current password."""
    from .passwords import verify_password

    _check_password(new)
    with state.write() as conn:
        old = conn.execute(select(users).where(users.c.id == user_id)).first()
        if old is None or not verify_password(old.password_hash, current):
            raise ValueError(_("the current password is wrong"))
        if current == new:
            raise ValueError(_("the new password is the same as the current one"))
        conn.execute(
            update(users).where(users.c.id == old.id).values(password_hash=hash_password(new), updated_at=utcnow())
        )
        # every session of theirs, this one too: the page starts a new one for it
        sessions.end_user_sessions(conn, old.id, sessions.PASSWORD)
        state.audit(
            conn,
            old.email,
            "user.password_change",
            target=old.email,
            before={"password_set": True},
            after={"password_set": True},
        )


def set_disabled(state: StateStore, actor: str, email: str, disabled: bool) -> None:
    """A disabled user cannot sign in and their API tokens stop working;
    enabling them again restores both."""
    with state.write() as conn:
        old = _require(conn, email)
        if bool(old.disabled) == bool(disabled):
            return
        if disabled and old.email == actor:
            raise ValueError(_("you cannot disable yourself"))
        conn.execute(update(users).where(users.c.id == old.id).values(disabled=bool(disabled), updated_at=utcnow()))
        if disabled:
            sessions.end_user_sessions(conn, old.id, sessions.DISABLED)
        state.audit(
            conn,
            actor,
            "user.disable" if disabled else "user.enable",
            target=old.email,
            before={"disabled": bool(old.disabled)},
            after={"disabled": bool(disabled)},
        )


def assign_customers(
    state: StateStore, actor: str, email: str, customer_ids: Iterable[str], source: str = "app"
) -> list[str]:
    """Assigns customers to a partner admin or sales admin; returns the ids
    newly assigned (already assigned ones are left as they are). A removed
    assignment is brought back."""
    ids = list(dict.fromkeys(check_customer_id(c) for c in customer_ids))
    if not ids:
        raise ValueError(_("name at least one customer id"))
    added = []
    with state.write() as conn:
        user = _require(conn, email)
        if user.role not in ASSIGNED_SCOPE:
            raise ValueError(
                _(
                    "%(email)s is a %(role)s, who sees every customer; "
                    "only partner administrators and sales administrators are assigned customers",
                    email=user.email,
                    role=_(ROLE_LABELS[user.role]).lower(),
                )
            )
        existing = {
            r.customer_id: r
            for r in conn.execute(
                select(admin_assignments).where(
                    admin_assignments.c.user_id == user.id, admin_assignments.c.customer_id.in_(ids)
                )
            )
        }
        now = utcnow()
        for cid in ids:
            old = existing.get(cid)
            if old is not None and old.removed_at is None:
                continue
            if old is None:
                conn.execute(
                    insert(admin_assignments).values(
                        user_id=user.id, customer_id=cid, source=source, assigned_at=now, assigned_by=actor
                    )
                )
            else:
                conn.execute(
                    update(admin_assignments)
                    .where(and_(admin_assignments.c.user_id == user.id, admin_assignments.c.customer_id == cid))
                    .values(source=source, assigned_at=now, assigned_by=actor, removed_at=None, removed_by=None)
                )
            state.audit(
                conn,
                actor,
                "assignment.add",
                customer_id=cid,
                target=user.email,
                before=None,
                after={"email": user.email, "customer_id": cid},
            )
            added.append(cid)
    return added


def unassign_customers(state: StateStore, actor: str, email: str, customer_ids: Iterable[str]) -> list[str]:
    """Removes assignments in one transaction, keeping tombstones so that a
    later import of the same customer_admins rows does not bring them back.
    All or nothing: when one of them is not assigned, none is removed."""
    ids = list(dict.fromkeys(check_customer_id(c) for c in customer_ids))
    if not ids:
        raise ValueError(_("name at least one customer id"))
    with state.write() as conn:
        user = _require(conn, email)
        rows = {
            r.customer_id: r
            for r in conn.execute(
                select(admin_assignments).where(
                    admin_assignments.c.user_id == user.id,
                    admin_assignments.c.customer_id.in_(ids),
                    admin_assignments.c.removed_at.is_(None),
                )
            )
        }
        missing = [cid for cid in ids if cid not in rows]
        if missing:
            raise ValueError(
                _("%(email)s is not assigned to customer %(ids)s", email=user.email, ids=", ".join(missing))
            )
        now = utcnow()
        conn.execute(
            update(admin_assignments)
            .where(admin_assignments.c.user_id == user.id, admin_assignments.c.customer_id.in_(ids))
            .values(removed_at=now, removed_by=actor)
        )
        for cid in ids:
            state.audit(
                conn,
                actor,
                "assignment.remove",
                customer_id=cid,
                target=user.email,
                before={"email": user.email, "customer_id": cid, "source": rows[cid].source},
                after=None,
            )
    return ids


def unassign_customer(state: StateStore, actor: str, email: str, customer_id: str) -> None:
    unassign_customers(state, actor, email, [customer_id])


def assignments_for_customer(state: StateStore, customer_id: str) -> list[dict]:
    """The administrators assigned to one customer (active assignments only)."""
    q = (
        select(
            users.c.email,
            users.c.name,
            users.c.role,
            admin_assignments.c.source,
            admin_assignments.c.assigned_at,
            admin_assignments.c.assigned_by,
        )
        .join(users, users.c.id == admin_assignments.c.user_id)
        .where(admin_assignments.c.customer_id == customer_id, admin_assignments.c.removed_at.is_(None))
        .order_by(users.c.email)
    )
    with state.read() as conn:
        return [dict(r._mapping) for r in conn.execute(q)]


def assignable_to_customer(state: StateStore, customer_id: str) -> list[dict]:
    """The enabled partner administrators and sales administrators not
    assigned to one customer, by e-mail: the choices of the customer page's
    "Assign" control. Only this customer's assignments are read (through the
    customer_id index); list_users would count every assignment of the
    partner on each view."""
    assigned = select(admin_assignments.c.user_id).where(
        admin_assignments.c.customer_id == customer_id, admin_assignments.c.removed_at.is_(None)
    )
    q = (
        select(users.c.email, users.c.name, users.c.role)
        .where(users.c.role.in_(sorted(ASSIGNED_SCOPE)), users.c.disabled.is_(False), users.c.id.not_in(assigned))
        .order_by(users.c.email)
    )
    with state.read() as conn:
        return [{**r._mapping, "role_label": ROLE_LABELS.get(r.role, r.role)} for r in conn.execute(q)]


def assignments_for_user(state: StateStore, email: str) -> list[dict]:
    """One administrator's active assignments, by customer id."""
    q = (
        select(
            admin_assignments.c.customer_id,
            admin_assignments.c.source,
            admin_assignments.c.assigned_at,
            admin_assignments.c.assigned_by,
        )
        .join(users, users.c.id == admin_assignments.c.user_id)
        .where(users.c.email == email.strip().lower(), admin_assignments.c.removed_at.is_(None))
        .order_by(admin_assignments.c.customer_id)
    )
    with state.read() as conn:
        return [dict(r._mapping) for r in conn.execute(q)]
