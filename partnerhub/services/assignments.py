"""Admin assignments: which partner and sales administrators see which
customers (roles.md: assign or unassign partner admins: assignment.manage).

Two ways in: from the Administration page or the CLI, one administrator and
a list of customers (unknown ids are named); from a customer's page, that
customer and one administrator (an unknown customer answers like one out of
scope).
"""

from __future__ import annotations

from partnerhub.auth import users as store
from partnerhub.i18n import _, n_

from .caller import Caller
from .checks import require, require_customers
from .lookup import customer_names
from .outcome import Outcome
from .users import saving


class UnknownCustomers(ValueError):
    """Customer ids the current snapshot does not have."""

    def __init__(self, ids: list[str]):
        super().__init__(
            n_(
                "Unknown customer id: %(ids)s. Pick customers of the current data.",
                "Unknown customer ids: %(ids)s. Pick customers of the current data.",
                len(ids),
                ids=", ".join(ids),
            )
        )
        self.ids = ids


def _form(caller: Caller, email, customer_ids, nothing_picked: str) -> list[str]:
    require(caller, "assignment.manage")
    if not email:
        raise ValueError(_("Pick an administrator first."))
    if not customer_ids:
        raise ValueError(nothing_picked)
    with saving():
        return list(dict.fromkeys(store.check_customer_id(c) for c in customer_ids))


def assign_customers(caller: Caller, email, customer_ids) -> Outcome[list[str]]:
    """Assigns these customers (each in the snapshot) to a partner or sales
    administrator; value: the ids newly assigned."""
    ids = _form(caller, email, customer_ids, _("Pick at least one customer."))
    known = customer_names(caller.snapshot, ids)
    unknown = [c for c in ids if c not in known]
    if unknown:
        raise UnknownCustomers(unknown)
    with saving():
        added = store.assign_customers(caller.state, caller.actor, email, ids, source=caller.source)
    message = n_(
        "Assigned %(num)s customer to %(email)s.",
        "Assigned %(num)s customers to %(email)s.",
        len(added),
        email=email,
    )
    return Outcome(message, len(added), added)


def unassign_customers(caller: Caller, email, customer_ids) -> Outcome[list[str]]:
    """Removes these assignments of one administrator, all in one
    transaction: when one is not assigned, none is removed."""
    ids = _form(caller, email, customer_ids, _("Pick the customers to remove."))
    with saving():
        removed = store.unassign_customers(caller.state, caller.actor, email, ids)
    message = n_(
        "Removed %(num)s customer from %(email)s.",
        "Removed %(num)s customers from %(email)s.",
        len(removed),
        email=email,
    )
    return Outcome(message, len(removed), removed)


def assign_to_customer(caller: Caller, customer_id, email) -> Outcome[list[str]]:
    """From the customer's page: assigns one administrator to it."""
    require(caller, "assignment.manage")
    [cid] = require_customers(caller, "assignment.manage", [customer_id])
    if not email:
        raise ValueError(_("Choose an administrator first."))
    with saving():
        added = store.assign_customers(caller.state, caller.actor, email, [cid], source=caller.source)
    if not added:
        return Outcome(_("%(email)s was assigned already.", email=email), 0, added)
    return Outcome(_("Assigned %(email)s to this customer.", email=email), 1, added)


def unassign_from_customer(caller: Caller, customer_id, email) -> Outcome[list[str]]:
    """From the customer's page: removes one administrator from it."""
    require(caller, "assignment.manage")
    [cid] = require_customers(caller, "assignment.manage", [customer_id])
    if not email:
        raise ValueError(_("Choose an administrator first."))
    with saving():
        removed = store.unassign_customers(caller.state, caller.actor, email, [cid])
    return Outcome(_("Removed %(email)s from this customer.", email=email), 1, removed)
