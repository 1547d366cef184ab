"""The checks every action starts with: may this caller take this action
(auth.roles, read by auth.guard.check_action), and on these customers (in
their scope where roles.md says "in scope", and in the current snapshot)?

A customer out of scope and one that does not exist get the same answer:
Refused("Customer not found.", 404).
"""

from __future__ import annotations

from partnerhub.auth.guard import Refused, check_action
from partnerhub.i18n import _

from .caller import Caller
from .lookup import customer_names


def require(caller: Caller, action: str) -> None:
    """Refused unless the caller's role may take `action`."""
    check_action(caller.role, action)


def require_customers(caller: Caller, action: str, customer_ids) -> list[str]:
    """The ids (de-duplicated, in order) when the caller may take `action` on
    every one of them and each exists; Refused otherwise, nothing named."""
    if isinstance(customer_ids, str) or customer_ids is None:
        customer_ids = [customer_ids]
    customer_ids = list(customer_ids)
    check_action(caller.role, action, caller.scope, customer_ids)
    ids = list(dict.fromkeys(customer_ids))
    if len(customer_names(caller.snapshot, ids)) != len(ids):
        raise Refused(_("Customer not found."), 404)
    return ids


def require_visible(caller: Caller, customer_id) -> str:
    """The id when the caller sees this customer (in their scope and in the
    snapshot), whatever they may change; Refused("Customer not found.", 404)
    otherwise, for a customer out of scope exactly as for an unknown one."""
    if not isinstance(customer_id, str) or not customer_id:
        raise Refused(_("Customer not found."), 404)
    if caller.scope is not None and customer_id not in caller.scope:
        raise Refused(_("Customer not found."), 404)
    if not customer_names(caller.snapshot, [customer_id]):
        raise Refused(_("Customer not found."), 404)
    return customer_id
