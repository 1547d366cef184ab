"""Custom tags (roles.md: create, rename, delete a tag: tag.manage; add or
remove a tag on customers: tag.assign, a partner admin in scope only)."""

from __future__ import annotations

import re
import unicodedata

from partnerhub.data import tags as store
from partnerhub.i18n import _, n_

from .caller import Caller
from .checks import require, require_customers
from .outcome import Outcome

COLOR = re.compile(r"^#[0-9a-fA-F]{6}$")


def _name(value) -> str:
    """A tag name as the store takes it, or ValueError naming the rule broken
    (the store's own checks speak English only)."""
    name = value.strip() if isinstance(value, str) else ""
    if not name:
        raise ValueError(_("Give the tag a name of 1 to %(max)s characters.", max=store.NAME_MAX))
    if len(name) > store.NAME_MAX:
        raise ValueError(
            _(
                "A tag name can have at most %(max)s characters; this one has %(count)s.",
                max=store.NAME_MAX,
                count=len(name),
            )
        )
    # the list's address separates several tags with commas (?tag=a,b) and
    # the customer list joins them with ';': neither could be filtered on
    if "," in name or ";" in name:
        raise ValueError(_("A tag name cannot contain a comma or a semicolon."))
    if any(unicodedata.category(ch).startswith("C") for ch in name):
        raise ValueError(_("A tag name cannot contain control characters."))
    return store.clean_name(name)


def _color(value) -> str | None:
    """A colour #rrggbb, None for none given."""
    if value in (None, ""):
        return None
    if not isinstance(value, str) or not COLOR.match(value.strip()):
        raise ValueError(
            _("A tag colour looks like #rrggbb (for example #1f77b4); “%(value)s” does not.", value=str(value)[:20])
        )
    return value.strip().lower()


def _unique(caller: Caller, name: str, tag_id=None) -> None:
    for tag in store.list_tags(caller.state):
        if tag["name"].casefold() == name.casefold() and str(tag["id"]) != str(tag_id):
            raise ValueError(_("A tag named “%(name)s” exists already; choose another name.", name=tag["name"]))


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
    new_name = _name(name)
    _unique(caller, new_name)
    tag = store.create_tag(caller.state, caller.actor, new_name, _color(color) or store.DEFAULT_COLOR)
    return Outcome(_("Created the tag “%(name)s”.", name=tag["name"]), 1, tag)


def change(caller: Caller, tag_id, name=None, color=None) -> Outcome[dict]:
    """Renames and/or recolours the tag (an empty name or colour: kept)."""
    require(caller, "tag.manage")
    if tag_id is None:
        raise ValueError(_("Choose the tag to change first."))
    _tag(caller, tag_id)
    new_name = _name(name) if name is not None and str(name).strip() else None
    if new_name is not None:
        _unique(caller, new_name, tag_id)
    before, after = store.update_tag(caller.state, caller.actor, tag_id, new_name, _color(color))
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
