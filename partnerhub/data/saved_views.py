"""Saved views: a page's filters and toggles (its canonical URL query
string) under a name, private to its owner or shared with everyone, and the
view each person lands on after sign-in.

Views live in the app-state store (no import touches them). Each write is one
transaction with its audit row (before and after). Who may change which view
is decided by the application layer (partnerhub/services/saved_views.py): it
hands its rule to the write as `allow`, which runs inside the transaction on
the view as it is then.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, insert, or_, select, update

from .state import StateStore, as_utc, landing_views, saved_views, users, utcnow

PAGES = ("home", "customers", "analytics", "calling")
# the address of each page a view can be saved on (pages/*.py register_page)
PAGE_PATHS = {"home": "/", "customers": "/customers", "analytics": "/analytics", "calling": "/calling"}
NAME_MAX = 80
QUERY_MAX = 2000


@dataclass(frozen=True)
class SavedView:
    id: int
    owner_id: int
    owner_email: str
    owner: str  # the owner's name
    page: str
    name: str
    query: str
    shared: bool
    created_at: datetime
    updated_at: datetime


def _select():
    return select(saved_views, users.c.email.label("owner_email"), users.c.name.label("owner_name")).select_from(
        saved_views.join(users, users.c.id == saved_views.c.owner_id)
    )


def _view(row) -> SavedView:
    return SavedView(
        row.id,
        row.owner_id,
        row.owner_email,
        row.owner_name or row.owner_email,
        row.page,
        row.name,
        row.query,
        bool(row.shared),
        as_utc(row.created_at),
        as_utc(row.updated_at),
    )


def _audited(v: SavedView | None) -> dict | None:
    if v is None:
        return None
    return {"id": v.id, "owner": v.owner_email, "page": v.page, "name": v.name, "query": v.query, "shared": v.shared}


def _id(view_id) -> int | None:
    if isinstance(view_id, bool):
        return None
    try:
        return int(view_id)
    except (TypeError, ValueError):
        return None


def _get(conn, view_id) -> SavedView | None:
    vid = _id(view_id)
    if vid is None:
        return None
    row = conn.execute(_select().where(saved_views.c.id == vid)).first()
    return None if row is None else _view(row)


def _named(conn, owner_id: int, page: str, name: str) -> SavedView | None:
    row = conn.execute(
        _select().where(saved_views.c.owner_id == owner_id, saved_views.c.page == page, saved_views.c.name == name)
    ).first()
    return None if row is None else _view(row)


def visible_to(v: SavedView, user_id: int | None) -> bool:
    """Whether this person sees the view: their own, or shared."""
    return v.shared or v.owner_id == user_id


# ---- reads -------------------------------------------------------------------------------------


def views_for(state: StateStore, user_id: int, page: str) -> list[SavedView]:
    """The page's views this person sees: their own (first), then the ones
    others shared, each by name."""
    with state.read() as conn:
        rows = conn.execute(
            _select().where(
                saved_views.c.page == page, or_(saved_views.c.owner_id == user_id, saved_views.c.shared.is_(True))
            )
        ).all()
    found = [_view(r) for r in rows]
    return sorted(found, key=lambda v: (v.owner_id != user_id, v.name.casefold(), v.name, v.owner, v.id))


def view(state: StateStore, view_id) -> SavedView | None:
    with state.read() as conn:
        return _get(conn, view_id)


def view_named(state: StateStore, owner_id: int, page: str, name: str) -> SavedView | None:
    """The owner's view of this name on the page."""
    with state.read() as conn:
        return _named(conn, owner_id, page, name)


def landing_view(state: StateStore, user_id: int) -> SavedView | None:
    """The view this person chose to land on, while they still see it (a
    shared view its owner made private again is not theirs to open)."""
    with state.read() as conn:
        view_id = conn.execute(select(landing_views.c.view_id).where(landing_views.c.user_id == user_id)).scalar()
        v = None if view_id is None else _get(conn, view_id)
    return v if v is not None and visible_to(v, user_id) else None


# ---- writes ------------------------------------------------------------------------------------


def save_view(
    state: StateStore, actor: str, owner_id: int, page: str, name: str, query: str, shared: bool
) -> tuple[SavedView | None, SavedView]:
    """Saves a view of the owner's; under a name they already use on that
    page it replaces that view's query and sharing. Returns it before (None:
    new) and after; the same view again writes nothing (before == after)."""
    with state.write() as conn:
        before = _named(conn, owner_id, page, name)
        if before is not None and (before.query, before.shared) == (query, shared):
            return before, before
        now = utcnow()
        if before is None:
            view_id = conn.execute(
                insert(saved_views).values(
                    owner_id=owner_id,
                    page=page,
                    name=name,
                    query=query,
                    shared=shared,
                    created_at=now,
                    updated_at=now,
                )
            ).inserted_primary_key[0]
        else:
            view_id = before.id
            conn.execute(
                update(saved_views)
                .where(saved_views.c.id == view_id)
                .values(query=query, shared=shared, updated_at=now)
            )
        after = _get(conn, view_id)
        assert after is not None
        state.audit(conn, actor, "view.save", target=f"view {view_id}", before=_audited(before), after=_audited(after))
    return before, after


Allow = Callable[[SavedView | None], SavedView]


class DuplicateName(ValueError):
    """The owner has another view of this name on the page."""


def rename_view(state: StateStore, actor: str, view_id, name: str, allow: Allow) -> tuple[SavedView, SavedView]:
    """Renames the view. `allow` gets the view as it is in the transaction
    (None when there is none), raises when the change is refused and returns
    the view otherwise. ValueError when its owner has another view of that
    name on the page; the same name writes nothing (before == after)."""
    with state.write() as conn:
        before = allow(_get(conn, view_id))
        if before.name == name:
            return before, before
        if _named(conn, before.owner_id, before.page, name) is not None:
            raise DuplicateName(name)
        conn.execute(update(saved_views).where(saved_views.c.id == before.id).values(name=name, updated_at=utcnow()))
        after = _get(conn, before.id)
        assert after is not None
        state.audit(
            conn, actor, "view.rename", target=f"view {before.id}", before=_audited(before), after=_audited(after)
        )
    return before, after


def set_shared(state: StateStore, actor: str, view_id, shared: bool, allow: Allow) -> tuple[SavedView, SavedView]:
    """Shares the view with everyone or makes it private again (see
    rename_view for `allow`); the same setting writes nothing."""
    with state.write() as conn:
        before = allow(_get(conn, view_id))
        if before.shared == shared:
            return before, before
        conn.execute(
            update(saved_views).where(saved_views.c.id == before.id).values(shared=shared, updated_at=utcnow())
        )
        after = _get(conn, before.id)
        assert after is not None
        state.audit(
            conn, actor, "view.share", target=f"view {before.id}", before=_audited(before), after=_audited(after)
        )
    return before, after


def delete_view(state: StateStore, actor: str, view_id, allow: Allow) -> SavedView:
    """Deletes the view, and with it every person's choice to land on it
    (see rename_view for `allow`); returns what it was."""
    with state.write() as conn:
        before = allow(_get(conn, view_id))
        landing = sorted(
            conn.execute(select(landing_views.c.user_id).where(landing_views.c.view_id == before.id)).scalars()
        )
        # explicit, not left to ON DELETE CASCADE: SQLite enforces it only with foreign keys on
        conn.execute(delete(landing_views).where(landing_views.c.view_id == before.id))
        conn.execute(delete(saved_views).where(saved_views.c.id == before.id))
        state.audit(
            conn,
            actor,
            "view.delete",
            target=f"view {before.id}",
            before={**(_audited(before) or {}), "landing_for": landing},
        )
    return before


def set_landing(
    state: StateStore, actor: str, user_id: int, view_id, allow: Allow | None = None
) -> tuple[SavedView | None, SavedView | None]:
    """Chooses the view this person lands on (view_id None: none, the home
    page). `allow` (see rename_view) judges the chosen view. Returns the
    landing view before and after; the same choice writes nothing."""
    with state.write() as conn:
        old_id = conn.execute(select(landing_views.c.view_id).where(landing_views.c.user_id == user_id)).scalar()
        before = None if old_id is None else _get(conn, old_id)
        after = None if view_id is None else (allow(_get(conn, view_id)) if allow else _get(conn, view_id))
        if view_id is not None and after is None:
            raise LookupError(view_id)
        if (before and before.id) == (after and after.id):
            return before, after
        conn.execute(delete(landing_views).where(landing_views.c.user_id == user_id))
        if after is not None:
            conn.execute(insert(landing_views).values(user_id=user_id, view_id=after.id))
        state.audit(
            conn,
            actor,
            "view.landing",
            target=None if after is None else f"view {after.id}",
            before=None if before is None else {"view_id": before.id, "name": before.name, "page": before.page},
            after=None if after is None else {"view_id": after.id, "name": after.name, "page": after.page},
        )
    return before, after
