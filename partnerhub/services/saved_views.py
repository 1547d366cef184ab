"""Saved views (roles.md: save views for themselves: view.save, every role;
delete another person's shared view: view.delete_shared, a partner full
administrator). A view is a page's canonical URL query string under a name,
private or shared with everyone; each person may choose one they see as the
view they land on after sign-in.

Someone else's private view answers exactly like a view that does not exist.
A view naming a tag deleted since is no error here: the page that opens it
says so."""

from __future__ import annotations

from partnerhub.auth.guard import Refused
from partnerhub.auth.roles import ROLE_LABELS, may, may_see
from partnerhub.data import saved_views as store
from partnerhub.data.saved_views import NAME_MAX, PAGE_PATHS, PAGES, QUERY_MAX, SavedView, visible_to
from partnerhub.formatting import fmt_int
from partnerhub.i18n import _

from .caller import Caller
from .checks import require
from .notes import has_control_characters
from .outcome import Outcome


def _own(caller: Caller) -> int:
    require(caller, "view.save")
    if caller.user_id is None:
        # the CLI operator has no users row to keep views for
        raise ValueError(_("Only a signed-in user has saved views."))
    return caller.user_id


def clean_page(caller: Caller, page) -> str:
    """A page views are saved on, which the caller's role may see."""
    if page not in PAGES:
        raise ValueError(_("Views cannot be saved on that page."))
    if not may_see(caller.role, page):
        raise Refused(_("Your role (%(role)s) may not see this page.", role=_(ROLE_LABELS[caller.role])), 403)
    return page


def clean_name(value) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError(_("Give the view a name."))
    name = value.strip()
    if len(name) > NAME_MAX:
        raise ValueError(
            _(
                "A view's name holds at most %(max)s characters; this one has %(count)s.",
                max=fmt_int(NAME_MAX),
                count=fmt_int(len(name)),
            )
        )
    if has_control_characters(name):
        raise ValueError(_("A view's name cannot contain control characters."))
    return name


def clean_query(value) -> str:
    """The page's URL query string, without its leading "?" (empty: the page as it opens)."""
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ValueError(_("A view's filters must be text."))
    query = value.strip().removeprefix("?")
    if len(query) > QUERY_MAX:
        raise ValueError(
            _(
                "These filters are too long to save: %(count)s characters, at most %(max)s.",
                count=fmt_int(len(query)),
                max=fmt_int(QUERY_MAX),
            )
        )
    if has_control_characters(query) or any(ch.isspace() for ch in query):
        raise ValueError(_("A view's filters cannot contain spaces or control characters."))
    return query


def view_url(view: SavedView) -> str:
    """The address that opens the view."""
    path = PAGE_PATHS[view.page]
    return f"{path}?{view.query}" if view.query else path


def may_edit(caller: Caller, view: SavedView) -> bool:
    """Whether the caller may rename the view or change its sharing: their own."""
    return caller.user_id is not None and view.owner_id == caller.user_id


def may_delete(caller: Caller, view: SavedView) -> bool:
    """Their own, or any shared view for a partner full administrator."""
    return may_edit(caller, view) or (view.shared and may(caller.role, "view.delete_shared"))


def _duplicate(name: str) -> ValueError:
    return ValueError(_("You already have a view named “%(name)s” on this page; choose another name.", name=name))


def _unknown_view() -> Refused:
    return Refused(_("That view does not exist (any more)."), 404)


def _seen(caller: Caller, view: SavedView | None) -> SavedView:
    """The view when the caller sees it (their own, or shared)."""
    if view is None or not visible_to(view, caller.user_id) or not may_see(caller.role, view.page):
        raise _unknown_view()
    return view


def _owned(caller: Caller):
    def allow(view: SavedView | None) -> SavedView:
        view = _seen(caller, view)
        if not may_edit(caller, view):
            raise Refused(_("Only its owner can rename a view or change its sharing."), 403)
        return view

    return allow


def _deletable(caller: Caller):
    def allow(view: SavedView | None) -> SavedView:
        view = _seen(caller, view)
        if not may_delete(caller, view):
            raise Refused(_("Only its owner or a partner full administrator can delete a shared view."), 403)
        return view

    return allow


def _visible(caller: Caller):
    def allow(view: SavedView | None) -> SavedView:
        return _seen(caller, view)

    return allow


# ---- reads -------------------------------------------------------------------------------------


def list_views(caller: Caller, page) -> list[SavedView]:
    """The page's views the caller sees: their own first, then shared ones, by name."""
    user_id = _own(caller)
    return store.views_for(caller.state, user_id, clean_page(caller, page))


def get_view(caller: Caller, view_id) -> SavedView:
    """One view the caller sees; Refused (404) for one they do not."""
    _own(caller)
    return _seen(caller, store.view(caller.state, view_id))


def landing_view(caller: Caller) -> SavedView | None:
    """The view the caller lands on, while they see it and its page."""
    if caller.user_id is None:
        return None
    found = store.landing_view(caller.state, caller.user_id)
    return found if found is not None and may_see(caller.role, found.page) else None


def landing_url(caller: Caller) -> str | None:
    """The address the caller lands on after sign-in; None: the home page as it opens."""
    found = landing_view(caller)
    return None if found is None else view_url(found)


# ---- writes ------------------------------------------------------------------------------------


def save(caller: Caller, page, name, query, shared=False) -> Outcome[SavedView]:
    """Saves the page's filters under a name; a name the caller already
    uses on the page gets the new filters (and sharing)."""
    user_id = _own(caller)
    page = clean_page(caller, page)
    name, query = clean_name(name), clean_query(query)
    before, after = store.save_view(caller.state, caller.actor, user_id, page, name, query, bool(shared))
    if before is None:
        if after.shared:
            return Outcome(_("Saved the view “%(name)s”, shared with everyone.", name=name), 1, after)
        return Outcome(_("Saved the view “%(name)s”.", name=name), 1, after)
    if after is before:
        return Outcome(_("The view “%(name)s” already holds these filters.", name=name), 0, after)
    return Outcome(
        _("You already had a view named “%(name)s” on this page: it now holds the current filters.", name=name),
        1,
        after,
    )


def rename(caller: Caller, view_id, name) -> Outcome[SavedView]:
    _own(caller)
    new_name = clean_name(name)
    allow = _owned(caller)
    # judged before the write too, so that a refusal never waits for the write lock
    found = allow(store.view(caller.state, view_id))
    if found.name != new_name and store.view_named(caller.state, found.owner_id, found.page, new_name):
        raise _duplicate(new_name)
    try:
        before, after = store.rename_view(caller.state, caller.actor, view_id, new_name, allow)
    except store.DuplicateName:  # taken meanwhile
        raise _duplicate(new_name) from None
    if after is before:
        return Outcome(_("The view is already named “%(name)s”.", name=new_name), 0, after)
    return Outcome(_("Renamed the view “%(old)s” to “%(name)s”.", old=before.name, name=after.name), 1, after)


def set_shared(caller: Caller, view_id, shared) -> Outcome[SavedView]:
    _own(caller)
    allow = _owned(caller)
    allow(store.view(caller.state, view_id))  # see rename
    before, after = store.set_shared(caller.state, caller.actor, view_id, bool(shared), allow)
    if after.shared:
        message = _("The view “%(name)s” is shared with everyone.", name=after.name)
    else:
        message = _("The view “%(name)s” is private: only you see it.", name=after.name)
    return Outcome(message, 0 if after is before else 1, after)


def delete(caller: Caller, view_id) -> Outcome[SavedView]:
    """Deletes the caller's own view, or (a partner full administrator)
    another person's shared one; whoever landed on it lands on the home page."""
    _own(caller)
    allow = _deletable(caller)
    allow(store.view(caller.state, view_id))  # see rename
    gone = store.delete_view(caller.state, caller.actor, view_id, allow)
    return Outcome(_("Deleted the view “%(name)s”.", name=gone.name), 1, gone)


def set_landing(caller: Caller, view_id) -> Outcome[SavedView]:
    """Chooses the view the caller lands on after sign-in (None: the home page)."""
    user_id = _own(caller)
    if view_id is None:
        before, after = store.set_landing(caller.state, caller.actor, user_id, None)
    else:
        allow = _visible(caller)
        allow(store.view(caller.state, view_id))  # see rename
        before, after = store.set_landing(caller.state, caller.actor, user_id, view_id, allow)
    changed = 0 if (before and before.id) == (after and after.id) else 1
    if after is None:
        return Outcome(_("You will land on This week after signing in."), changed)
    return Outcome(_("You will land on the view “%(name)s” after signing in.", name=after.name), changed, after)
