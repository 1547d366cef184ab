"""Trials started in the app (roles.md: start a trial, extend it by 30 days:
trial.manage, partner and sales admins in scope only). A trial that does not
exist answers like a customer out of scope: "Customer not found."."""

from __future__ import annotations

from partnerhub.auth.guard import Refused
from partnerhub.auth.scope import forget_scope
from partnerhub.data import trials as store
from partnerhub.data.trials import EXTENSION_DAYS, Trial
from partnerhub.formatting import fmt_date
from partnerhub.i18n import _

from .caller import Caller
from .checks import require, require_customers
from .lookup import imported_trials
from .outcome import Outcome


def start(caller: Caller, customer_id, licenses: dict, days) -> Outcome[Trial]:
    """Starts a trial today (UTC) for a customer without an ongoing one.
    licenses: {product: licenses}; empty values leave a product out."""
    require(caller, "trial.manage")
    [cid] = require_customers(caller, "trial.manage", [customer_id])
    snapshot = caller.snapshot
    if snapshot is None:  # not reached: require_customers found the customer in it
        raise Refused(_("Customer not found."), 404)
    chosen = {p: v for p, v in (licenses or {}).items() if v not in (None, "")}
    trial = store.start_trial(
        caller.state,
        caller.actor,
        cid,
        chosen,
        days,
        imported=imported_trials(snapshot, cid),
        as_of=snapshot.as_of,
    )
    # a sales admin's scope grows by the customers they start a trial for
    forget_scope()
    message = _(
        "Trial started until %(end)s. It reaches the statuses and license numbers with the next data import.",
        end=fmt_date(trial.end_date),
    )
    return Outcome(message, 1, trial)


def extend(caller: Caller, trial_id) -> Outcome[Trial]:
    """Moves the end of an ongoing trial started in the app 30 days later."""
    require(caller, "trial.manage")
    trial = store.get_trial(caller.state, trial_id)
    if trial is None:
        raise Refused(_("Customer not found."), 404)
    require_customers(caller, "trial.manage", [trial.customer_id])
    extended = store.extend_trial(caller.state, caller.actor, trial.id)
    message = _(
        "Trial extended by %(n)s days: it now ends on %(end)s.", n=EXTENSION_DAYS, end=fmt_date(extended.end_date)
    )
    return Outcome(message, 1, extended)
