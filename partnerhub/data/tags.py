"""Custom tags: create, rename, recolour and delete them, put them on and take
them off customers, and read them back for the customer list.

Tags live in the app-state store (no import touches them). Every write
validates its input, raises ValueError with a message fit for the screen when
it is wrong, and records an audit row in the same transaction as the change.
Who may do what is decided by the application layer
(partnerhub/services/tags.py), the one caller of these writes.
"""

from __future__ import annotations

import re
import unicodedata

import polars as pl
from sqlalchemy import delete, func, insert, select, update

from .state import StateStore, audit_log, customer_tags, tags, utcnow

NAME_MAX = 60
DEFAULT_COLOR = "#6c757d"
_COLOR = re.compile(r"^#[0-9a-fA-F]{6}$")
_CUSTOMER_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
_CHUNK = 500  # ids per IN (...) list, well under every database's parameter limit


# ---- validation ---------------------------------------------------------------------------------


def clean_name(name) -> str:
    """A tag name: trimmed, 1-60 characters, no control characters and no ';'
    (the customer list joins tag names with ';')."""
    if not isinstance(name, str):
        raise ValueError("A tag name must be text.")
    name = name.strip()
    if not name:
        raise ValueError("A tag name cannot be empty.")
    if len(name) > NAME_MAX:
        raise ValueError(f"A tag name can have at most {NAME_MAX} characters.")
    if ";" in name:
        raise ValueError("A tag name cannot contain ';'.")
    if any(unicodedata.category(ch).startswith("C") for ch in name):
        raise ValueError("A tag name cannot contain control characters.")
    return name


def clean_color(color) -> str:
    if not isinstance(color, str) or not _COLOR.match(color.strip()):
        raise ValueError("A tag colour must look like #rrggbb (for example #1f77b4).")
    return color.strip().lower()


def _clean_customer_ids(customer_ids) -> list[str]:
    if isinstance(customer_ids, str) or customer_ids is None:
        raise ValueError("Give a list of customer IDs.")
    ids: dict[str, None] = {}  # ordered and de-duplicated
    for cid in customer_ids:
        if not isinstance(cid, str) or not _CUSTOMER_ID.match(cid):
            raise ValueError(f"{cid!r} is not a customer ID.")
        ids[cid] = None
    if not ids:
        raise ValueError("Choose at least one customer.")
    return list(ids)


def _key(name: str) -> str:
    return name.casefold()


def _ensure_unique(conn, name: str, except_id: int | None = None) -> None:
    # casefold in Python: SQLite's lower() only knows ASCII
    for tag_id, other in conn.execute(select(tags.c.id, tags.c.name)):
        if tag_id != except_id and _key(other) == _key(name):
            raise ValueError(f"A tag named {other!r} already exists.")


def _get(conn, tag_id):
    try:
        tag_id = int(tag_id)
    except (TypeError, ValueError):
        raise ValueError(f"{tag_id!r} is not a tag.") from None
    row = conn.execute(select(tags.c.id, tags.c.name, tags.c.color).where(tags.c.id == tag_id)).first()
    if row is None:
        raise ValueError("That tag does not exist (any more).")
    return row


def _as_dict(row, customers: int | None = None) -> dict:
    d = {"id": row.id, "name": row.name, "color": row.color}
    if customers is not None:
        d["customers"] = customers
    return d


# ---- reads -------------------------------------------------------------------------------------


def list_tags(state: StateStore, scope=None) -> list[dict]:
    """Every tag with how many customers carry it, by name. scope: count only
    these customers (a viewer's scope; None = every customer)."""
    with state.read() as conn:
        rows = conn.execute(select(tags.c.id, tags.c.name, tags.c.color)).all()
        counts = _counts(conn, scope)
    return sorted(
        (_as_dict(r, counts.get(r.id, 0)) for r in rows),
        key=lambda d: (_key(d["name"]), d["name"]),
    )


def _counts(conn, scope) -> dict[int, int]:
    """tag id -> customers carrying it (within `scope` when given)."""
    q = select(customer_tags.c.tag_id, func.count().label("n")).group_by(customer_tags.c.tag_id)
    if scope is None:
        return {r.tag_id: int(r.n) for r in conn.execute(q)}
    ids, counts = sorted(scope), dict[int, int]()
    for i in range(0, len(ids), _CHUNK):
        for r in conn.execute(q.where(customer_tags.c.customer_id.in_(ids[i : i + _CHUNK]))):
            counts[r.tag_id] = counts.get(r.tag_id, 0) + int(r.n)
    return counts


def get_tag(state: StateStore, tag_id, scope=None) -> dict | None:
    """One tag as list_tags gives it; None when there is no such tag."""
    try:
        tag_id = int(tag_id)
    except (TypeError, ValueError):
        return None
    return next((t for t in list_tags(state, scope) if t["id"] == tag_id), None)


def tags_by_customer(state: StateStore, customer_ids=None) -> pl.DataFrame:
    """(customer_id, tag) for the given customers, or for all when None."""
    q = select(customer_tags.c.customer_id, tags.c.name).select_from(
        customer_tags.join(tags, tags.c.id == customer_tags.c.tag_id)
    )
    rows: list = []
    with state.read() as conn:
        if customer_ids is None:
            rows = conn.execute(q).all()
        else:
            ids = sorted(set(customer_ids))
            for i in range(0, len(ids), _CHUNK):
                rows += conn.execute(q.where(customer_tags.c.customer_id.in_(ids[i : i + _CHUNK]))).all()
    return pl.DataFrame([tuple(r) for r in rows], schema={"customer_id": pl.Utf8, "tag": pl.Utf8}, orient="row")


def customers_with_tags(state: StateStore, tag_names) -> set[str]:
    """Customers carrying any of the named tags (names match whatever their case)."""
    wanted = {_key(n.strip()) for n in tag_names if isinstance(n, str)}
    if not wanted:
        return set()
    with state.read() as conn:
        ids = [r.id for r in conn.execute(select(tags.c.id, tags.c.name)) if _key(r.name) in wanted]
        if not ids:
            return set()
        return {r[0] for r in conn.execute(select(customer_tags.c.customer_id).where(customer_tags.c.tag_id.in_(ids)))}


# ---- writes ------------------------------------------------------------------------------------


def create_tag(state: StateStore, actor_email: str, name, color=DEFAULT_COLOR) -> dict:
    name, color = clean_name(name), clean_color(color)
    with state.write() as conn:
        _ensure_unique(conn, name)
        tag_id = conn.execute(
            insert(tags).values(name=name, color=color, created_at=utcnow(), created_by=actor_email)
        ).inserted_primary_key[0]
        after = {"id": tag_id, "name": name, "color": color}
        state.audit(conn, actor_email, "tag.create", target=name, after=after)
    return {**after, "customers": 0}


def update_tag(state: StateStore, actor_email: str, tag_id, name=None, color=None) -> tuple[dict, dict]:
    """Renames and/or recolours a tag in one transaction (None: keep), one
    audit row per changed property; returns the tag before and after. Nothing
    is written when nothing changes."""
    name = None if name is None else clean_name(name)
    color = None if color is None else clean_color(color)
    with state.write() as conn:
        row = _get(conn, tag_id)
        before = _as_dict(row)
        after = dict(before)
        if name is not None and name != row.name:
            _ensure_unique(conn, name, except_id=row.id)
            after["name"] = name
        if color is not None and color != row.color:
            after["color"] = color
        if after != before:
            conn.execute(update(tags).where(tags.c.id == row.id).values(name=after["name"], color=after["color"]))
        if after["name"] != before["name"]:
            state.audit(
                conn,
                actor_email,
                "tag.rename",
                target=after["name"],
                before={"id": row.id, "name": row.name},
                after={"id": row.id, "name": after["name"]},
            )
        if after["color"] != before["color"]:
            state.audit(
                conn,
                actor_email,
                "tag.recolor",
                target=after["name"],
                before={"id": row.id, "color": row.color},
                after={"id": row.id, "color": after["color"]},
            )
    return before, after


def rename_tag(state: StateStore, actor_email: str, tag_id, name) -> dict:
    return update_tag(state, actor_email, tag_id, name=clean_name(name))[1]


def recolor_tag(state: StateStore, actor_email: str, tag_id, color) -> dict:
    return update_tag(state, actor_email, tag_id, color=clean_color(color))[1]


def delete_tag(state: StateStore, actor_email: str, tag_id, scope=None) -> dict:
    """Deletes the tag and takes it off every customer; returns what it was,
    with how many customers (of `scope`, when given) lost it."""
    with state.write() as conn:
        row = _get(conn, tag_id)
        customers = sorted(
            r[0] for r in conn.execute(select(customer_tags.c.customer_id).where(customer_tags.c.tag_id == row.id))
        )
        conn.execute(delete(customer_tags).where(customer_tags.c.tag_id == row.id))
        conn.execute(delete(tags).where(tags.c.id == row.id))
        before = {**_as_dict(row), "customers": customers}
        state.audit(conn, actor_email, "tag.delete", target=row.name, before=before)
    return _as_dict(row, len(customers) if scope is None else len(set(customers) & set(scope)))


def add_tag(state: StateStore, actor_email: str, tag_id, customer_ids) -> int:
    """Puts the tag on these customers; returns how many did not have it yet.
    One audit row per customer whose tags changed."""
    ids = _clean_customer_ids(customer_ids)
    with state.write() as conn:
        row = _get(conn, tag_id)
        have = set()
        for i in range(0, len(ids), _CHUNK):
            have |= {
                r[0]
                for r in conn.execute(
                    select(customer_tags.c.customer_id).where(
                        customer_tags.c.tag_id == row.id, customer_tags.c.customer_id.in_(ids[i : i + _CHUNK])
                    )
                )
            }
        new = [cid for cid in ids if cid not in have]
        if new:
            now = utcnow()
            conn.execute(
                insert(customer_tags),
                [{"tag_id": row.id, "customer_id": cid, "added_at": now, "added_by": actor_email} for cid in new],
            )
            _audit_each(conn, actor_email, "tag.add", new, row.name, None, {"tag_id": row.id, "tag": row.name})
    return len(new)


def remove_tag(state: StateStore, actor_email: str, tag_id, customer_ids) -> int:
    """Takes the tag off these customers; returns how many had it."""
    ids = _clean_customer_ids(customer_ids)
    with state.write() as conn:
        row = _get(conn, tag_id)
        had = []
        for i in range(0, len(ids), _CHUNK):
            had += [
                r[0]
                for r in conn.execute(
                    select(customer_tags.c.customer_id).where(
                        customer_tags.c.tag_id == row.id, customer_tags.c.customer_id.in_(ids[i : i + _CHUNK])
                    )
                )
            ]
        for i in range(0, len(had), _CHUNK):
            conn.execute(
                delete(customer_tags).where(
                    customer_tags.c.tag_id == row.id, customer_tags.c.customer_id.in_(had[i : i + _CHUNK])
                )
            )
        _audit_each(conn, actor_email, "tag.remove", sorted(had), row.name, {"tag_id": row.id, "tag": row.name}, None)
    return len(had)


def _audit_each(conn, actor: str, action: str, customer_ids: list[str], target: str, before, after) -> None:
    """One audit row per customer, as StateStore.audit writes it, in one
    executemany: tagging 10 000 customers at once stays a sub-second write."""
    if not customer_ids:
        return
    now = utcnow()
    conn.execute(
        insert(audit_log),
        [
            {
                "actor": actor,
                "action": action,
                "customer_id": cid,
                "target": target,
                "before": before,
                "after": after,
                "at": now,
            }
            for cid in customer_ids
        ],
    )
