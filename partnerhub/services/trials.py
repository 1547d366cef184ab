"""Trials started in the app (roles.md: start a trial, extend it by 30 days:
trial.manage, partner and sales admins in scope only). A trial that does not
exist answers like a customer out of scope: "Customer not found."."""

from __future__ import annotations

from collections.abc import Mapping

from partnerhub.auth.guard import Refused
from partnerhub.auth.scope import forget_scope
from partnerhub.data import trials as store
from partnerhub.data.contract import PRODUCTS
from partnerhub.data.trials import EXTENSION_DAYS, MAX_LICENSES, MIN_LICENSES, TRIAL_DAYS, Trial
from partnerhub.formatting import fmt_date
from partnerhub.i18n import _, n_

from .caller import Caller
from .checks import require, require_customers
from .lookup import imported_trials
from .outcome import Outcome


def _whole_number(value) -> int | None:
    """The value as a whole number, or None when it is not one ("2.5", "x", True)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, float):
        return int(value) if value.is_integer() else None
    try:
        return int(str(value).strip())
    except ValueError:
        return None


def check_licenses(licenses, product_names: Mapping[str, str] | None = None) -> dict[str, int]:
    """{product: licenses} of the filled-in products, each a whole number
    from 1 to 100; ValueError naming the rule and every value that breaks it.
    product_names: the products' names as the form shows them."""
    names = dict(product_names or {})
    chosen = {p: v for p, v in (licenses or {}).items() if v not in (None, "")}
    if not chosen:
        raise ValueError(
            _(
                "Choose at least one product for the trial: give it %(lo)s to %(hi)s licenses.",
                lo=MIN_LICENSES,
                hi=MAX_LICENSES,
            )
        )
    unknown = [str(p) for p in chosen if p not in PRODUCTS]
    if unknown:
        raise ValueError(
            n_(
                "%(names)s is not a product of the data.",
                "%(names)s are not products of the data.",
                len(unknown),
                names=", ".join(unknown),
            )
        )
    counts = {p: _whole_number(v) for p, v in chosen.items()}
    bad = [p for p, n in counts.items() if n is None or not MIN_LICENSES <= n <= MAX_LICENSES]
    if bad:
        named = ", ".join(
            _("%(product)s has %(value)s", product=names.get(p, p), value=str(chosen[p]).strip()) for p in bad
        )
        raise ValueError(
            _(
                "Licenses per product: give a whole number from %(lo)s to %(hi)s; %(bad)s.",
                lo=MIN_LICENSES,
                hi=MAX_LICENSES,
                bad=named,
            )
        )
    return {p: n for p, n in counts.items() if n is not None}


def check_days(days) -> int:
    value = _whole_number(days) if days not in (None, "") else None
    if value not in TRIAL_DAYS:
        raise ValueError(_("Length: choose %(choices)s days.", choices=" / ".join(str(d) for d in TRIAL_DAYS)))
    return value


def start(
    caller: Caller, customer_id, licenses: dict, days, product_names: Mapping[str, str] | None = None
) -> Outcome[Trial]:
    """Starts a trial today (UTC) for a customer without an ongoing one.
    licenses: {product: licenses}; empty values leave a product out.
    product_names: how the form names the products, for its messages."""
    require(caller, "trial.manage")
    [cid] = require_customers(caller, "trial.manage", [customer_id])
    snapshot = caller.snapshot
    if snapshot is None:  # not reached: require_customers found the customer in it
        raise Refused(_("Customer not found."), 404)
    chosen = check_licenses(licenses, product_names)
    length = check_days(days)
    imported = imported_trials(snapshot, cid)
    running = store.ongoing_trial(caller.state, imported, cid, snapshot.as_of)
    if running is not None:
        raise ValueError(
            _(
                "This customer already has an ongoing trial until %(end)s; a new one can start when it has ended.",
                end=fmt_date(running.end_date),
            )
        )
    trial = store.start_trial(caller.state, caller.actor, cid, chosen, length, imported=imported, as_of=snapshot.as_of)
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
    if trial.end_date < store.utc_today():
        raise ValueError(_("This trial ended on %(end)s; start a new one instead.", end=fmt_date(trial.end_date)))
    extended = store.extend_trial(caller.state, caller.actor, trial.id)
    message = _(
        "Trial extended by %(n)s days: it now ends on %(end)s.", n=EXTENSION_DAYS, end=fmt_date(extended.end_date)
    )
    return Outcome(message, 1, extended)
