"""Custom tags (roles.md: create, rename, delete a tag: tag.manage; add or
remove a tag on customers: tag.assign, a partner admin in scope only)."""

from __future__ import annotations

from partnerhub.data import tags as store
from partnerhub.i18n import _, n_

from .caller import Caller
from .checks import require, require_customers
from .outcome import Outcome


def _name(value) -> str:
    name = store.clean_name(value)
    # the list's address separates several tags with commas (?tag=a,b), so a
    # comma inside a name could not be filtered on
    if "," in name:
        raise ValueError(_("A tag name cannot contain a comma."))
    return name


def _tag(caller: Caller, tag_id) -> dict:
    """The tag, with its customers counted in the caller's scope."""
    tag = store.get_tag(caller.state, tag_id, caller.scope)
    if tag is None:
        raise ValueError(_("That tag does not exist (any more)."))
    return tag


def visible_tags(caller: Caller) -> list[dict]:
    """Every tag (everyone sees them all), each with how many customers of
    the caller's scope carry it."""
    return store.list_tags(caller.state, caller.scope)


def create(caller: Caller, name, color=None) -> Outcome[dict]:
    require(caller, "tag.manage")
    tag = store.create_tag(caller.state, caller.actor, _name(name), color or store.DEFAULT_COLOR)
    return Outcome(_("Created the tag “%(name)s”.", name=tag["name"]), 1, tag)


def change(caller: Caller, tag_id, name=None, color=None) -> Outcome[dict]:
    """Renames and/or recolours the tag (an empty name or colour: kept)."""
    require(caller, "tag.manage")
    if tag_id is None:
        raise ValueError(_("Choose the tag to change first."))
    _tag(caller, tag_id)
    new_name = _name(name) if name is not None and str(name).strip() else None
    before, after = store.update_tag(caller.state, caller.actor, tag_id, new_name, color or None)
    changes = []
    if after["name"] != before["name"]:
        changes.append(_("renamed to “%(name)s”", name=after["name"]))
    if after["color"] != before["color"]:
        changes.append(_("new colour %(color)s", color=after["color"]))
    if not changes:
        raise ValueError(_("Nothing to save: change the name or the colour first."))
    message = _("Tag “%(name)s”: %(changes)s.", name=before["name"], changes=", ".join(changes))
    return Outcome(message, 1, after)


def delete(caller: Caller, tag_id) -> Outcome[dict]:
    """Deletes the tag and takes it off every customer."""
    require(caller, "tag.manage")
    if tag_id is None:
        raise ValueError(_("Choose the tag to change first."))
    _tag(caller, tag_id)
    gone = store.delete_tag(caller.state, caller.actor, tag_id, caller.scope)
    message = n_(
        "Deleted the tag “%(name)s”; %(count)s customer lost it.",
        "Deleted the tag “%(name)s”; %(count)s customers lost it.",
        gone["customers"],
        name=gone["name"],
        count=gone["customers"],
    )
    return Outcome(message, 1, gone)


def _customers_and_tag(caller: Caller, tag_id, customer_ids) -> tuple[list[str], dict]:
    require(caller, "tag.assign")
    if not customer_ids:
        raise ValueError(_("Select one or more customers in the table first."))
    if tag_id is None:
        raise ValueError(_("Choose a tag first."))
    ids = require_customers(caller, "tag.assign", customer_ids)
    return ids, _tag(caller, tag_id)


def add_to_customers(caller: Caller, tag_id, customer_ids) -> Outcome[dict]:
    """Puts the tag on these customers: each in the caller's scope and in
    the snapshot, or nothing changes."""
    ids, tag = _customers_and_tag(caller, tag_id, customer_ids)
    n = store.add_tag(caller.state, caller.actor, tag["id"], ids)
    message = n_(
        "Added “%(tag)s” to %(count)s customer.",
        "Added “%(tag)s” to %(count)s customers.",
        n,
        tag=tag["name"],
        count=n,
    ) + (" " + _("The others had it already.") if n < len(ids) else "")
    return Outcome(message, n, tag)


def remove_from_customers(caller: Caller, tag_id, customer_ids) -> Outcome[dict]:
    """Takes the tag off these customers (the same checks as adding)."""
    ids, tag = _customers_and_tag(caller, tag_id, customer_ids)
    n = store.remove_tag(caller.state, caller.actor, tag["id"], ids)
    message = n_(
        "Removed “%(tag)s” from %(count)s customer.",
        "Removed “%(tag)s” from %(count)s customers.",
        n,
        tag=tag["name"],
        count=n,
    ) + (" " + _("The others did not have it.") if n < len(ids) else "")
    return Outcome(message, n, tag)
