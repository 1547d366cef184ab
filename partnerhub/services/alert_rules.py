"""Each person's own alert rules and weekly-digest opt-in (roles.md: every
role sets them, for themselves: alert.manage).

A rule is a condition of spec/interfaces.md with its parameters (defaults
filled in), an optional narrowing (tags, managed by, health band) and one or
more channels (inbox, email, webhook). Another person's rule answers exactly
like one that does not exist (Refused 404). Conditions on calling data are
for the roles that may see calling.

A webhook needs an http(s) address and a secret to sign with
(partnerhub/alerts/webhook.py): given, at least SECRET_MIN characters; not
given, one is generated. Either way the secret is shown once, in the value of
create's outcome (key "webhook_secret"), and never listed again.
"""

from __future__ import annotations

import math
import secrets
import unicodedata
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from partnerhub.auth.guard import Refused
from partnerhub.auth.roles import may_see
from partnerhub.data import alerts as store
from partnerhub.data import tags as tag_store
from partnerhub.i18n import _

from .caller import Caller
from .checks import require
from .outcome import Outcome

ACTION = "alert.manage"
CHANNELS = ("inbox", "email", "webhook")
MANAGED_BY = ("partner", "external")
HEALTH_BANDS = ("at_risk", "watch", "healthy")
FILTERS = ("tag", "managed_by", "health_band")
MAX_RULES = 100  # per person: more is a mistake (a script in a loop), not a need
URL_MAX = 2000
SECRET_MIN, SECRET_MAX = 16, 200
MAX_ROW_ID = 2**63 - 1


class BadRule(ValueError):
    """A value of a new rule that cannot be used: the sentence, and `field`,
    the part of the rule at fault (condition, params, filters, channels,
    webhook_url, webhook_secret), for the API's answer."""

    def __init__(self, message: str, field: str):
        super().__init__(message)
        self.field = field


@contextmanager
def _about(field: str) -> Iterator[None]:
    try:
        yield
    except BadRule:
        raise
    except ValueError as err:
        raise BadRule(str(err), field) from None


@dataclass(frozen=True)
class Param:
    default: float
    low: float  # the smallest value allowed
    high: float  # the largest
    whole: bool  # a whole number (days, calls), else a ratio or score
    low_open: bool = False  # low itself is not allowed (a ratio of 0 would fire on everyone)


@dataclass(frozen=True)
class Condition:
    params: Mapping[str, Param]
    area: str | None = None  # the area its data belongs to, when not everyone's


# interfaces.md "Alerts and digests": the conditions, their parameters and defaults
CONDITIONS: dict[str, Condition] = {
    "health_at_risk": Condition({}),
    "health_drop": Condition({"points": Param(15, 1, 100, True)}),
    "trial_ending": Condition({"days": Param(14, 1, 365, True)}),
    "subscription_expiring": Condition({"days": Param(30, 1, 365, True)}),
    "new_overage": Condition({}),
    "new_order_ready_for_setup": Condition({}),
    "new_suspended": Condition({}),
    "usage_trend_low": Condition({"below": Param(0.5, 0, 1, False, low_open=True)}),
    "poor_call_quality": Condition(
        {"ratio": Param(0.05, 0, 1, False, low_open=True), "min_calls": Param(20, 1, 1_000_000, True)}, "calling"
    ),
    "queue_abandonment": Condition(
        {"ratio": Param(0.20, 0, 1, False, low_open=True), "min_offered": Param(20, 1, 1_000_000, True)}, "calling"
    ),
    "no_admin_activity": Condition({"days": Param(60, 1, 3650, True)}),
}


def defaults(condition: str) -> dict[str, int | float]:
    """The condition's parameters at their defaults."""
    return {name: _number(p, p.default) for name, p in CONDITIONS[condition].params.items()}


def conditions_for(role: str) -> list[str]:
    """The conditions this role may set a rule on, in the spec's order."""
    return [name for name, c in CONDITIONS.items() if c.area is None or may_see(role, c.area)]


def _number(p: Param, value: float) -> int | float:
    return int(value) if p.whole else float(value)


def _own(caller: Caller) -> int:
    require(caller, ACTION)
    if caller.user_id is None:
        # the CLI operator has no users row to hang rules on
        raise ValueError(_("Only a signed-in user has alert rules."))
    return caller.user_id


def _condition(caller: Caller, condition) -> str:
    if not isinstance(condition, str) or condition not in CONDITIONS:
        raise ValueError(
            _(
                "“%(value)s” is not an alert condition: use one of %(names)s.",
                value=str(condition)[:60],
                names=", ".join(conditions_for(caller.role)),
            )
        )
    area = CONDITIONS[condition].area
    if area is not None and not may_see(caller.role, area):
        raise Refused(_("Your role may not see calling data, so it cannot have alerts on it."))
    return condition


def _param_value(condition: str, name: str, p: Param, raw) -> int | float:
    if p.whole:
        wrong = _(
            "The parameter “%(name)s” of %(condition)s must be a whole number from %(low)s to %(high)s.",
            name=name,
            condition=condition,
            low=int(p.low),
            high=int(p.high),
        )
    elif p.low_open:
        wrong = _(
            "The parameter “%(name)s” of %(condition)s must be a number above %(low)s and at most %(high)s.",
            name=name,
            condition=condition,
            low=p.low,
            high=p.high,
        )
    else:
        wrong = _(
            "The parameter “%(name)s” of %(condition)s must be a number from %(low)s to %(high)s.",
            name=name,
            condition=condition,
            low=p.low,
            high=p.high,
        )
    if isinstance(raw, bool):
        raise ValueError(wrong)
    if isinstance(raw, str):
        try:
            raw = float(raw.strip())
        except ValueError:
            raise ValueError(wrong) from None
    if not isinstance(raw, int | float) or not math.isfinite(raw):
        raise ValueError(wrong)
    if p.whole and raw != int(raw):
        raise ValueError(wrong)
    if raw > p.high or raw < p.low or (p.low_open and raw == p.low):
        raise ValueError(wrong)
    return _number(p, raw)


def _params(condition: str, params) -> dict[str, int | float]:
    wanted = CONDITIONS[condition].params
    if params is None:
        params = {}
    if not isinstance(params, Mapping):
        raise ValueError(_("The parameters of an alert rule are a set of names and values."))
    unknown = sorted(str(k) for k in params if k not in wanted)
    if unknown:
        if not wanted:
            raise ValueError(_("The condition %(condition)s takes no parameters.", condition=condition))
        raise ValueError(
            _(
                "%(condition)s has no parameter “%(name)s”; it takes %(names)s.",
                condition=condition,
                name=unknown[0][:40],
                names=", ".join(wanted),
            )
        )
    chosen = defaults(condition)
    for name, p in wanted.items():
        if params.get(name) is not None:
            chosen[name] = _param_value(condition, name, p, params[name])
    return chosen


def _listed(value) -> list:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, list | tuple):
        return list(value)
    raise ValueError(_("Each filter of an alert rule is a list of values."))


def _one_of(name: str, values: list, allowed: tuple[str, ...]) -> list[str]:
    for v in values:
        if v not in allowed:
            raise ValueError(
                _(
                    "“%(value)s” is not a value of the filter %(filter)s: use %(allowed)s.",
                    value=str(v)[:60],
                    filter=name,
                    allowed=", ".join(allowed),
                )
            )
    return [a for a in allowed if a in values]


def _tags(caller: Caller, values: list) -> list[str]:
    known = {t["name"].casefold(): t["name"] for t in tag_store.list_tags(caller.state)}
    names: dict[str, None] = {}
    for v in values:
        name = known.get(v.strip().casefold()) if isinstance(v, str) else None
        if name is None:
            raise ValueError(_("There is no tag named “%(name)s”.", name=str(v)[:60]))
        names[name] = None
    return list(names)


def _filters(caller: Caller, filters) -> dict[str, list[str]]:
    if filters is None:
        filters = {}
    if not isinstance(filters, Mapping):
        raise ValueError(_("The filters of an alert rule are tag, managed_by and health_band, each a list."))
    unknown = sorted(str(k) for k in filters if k not in FILTERS)
    if unknown:
        raise ValueError(
            _(
                "“%(name)s” is not a filter of alert rules: use %(names)s.",
                name=unknown[0][:40],
                names=", ".join(FILTERS),
            )
        )
    chosen = {
        "tag": _tags(caller, _listed(filters.get("tag"))),
        "managed_by": _one_of("managed_by", _listed(filters.get("managed_by")), MANAGED_BY),
        "health_band": _one_of("health_band", _listed(filters.get("health_band")), HEALTH_BANDS),
    }
    return {k: v for k, v in chosen.items() if v}


def _channels(channels) -> list[str]:
    values = _listed(channels)
    if not values:
        raise ValueError(_("Choose at least one channel for the alert rule: %(names)s.", names=", ".join(CHANNELS)))
    for v in values:
        if v not in CHANNELS:
            raise ValueError(
                _("“%(value)s” is not a channel: use %(names)s.", value=str(v)[:60], names=", ".join(CHANNELS))
            )
    return [c for c in CHANNELS if c in values]


def _webhook_url(value) -> str:
    url = value.strip() if isinstance(value, str) else ""
    parts = urlsplit(url)
    if (
        not url
        or len(url) > URL_MAX
        or parts.scheme not in ("http", "https")
        or not parts.hostname
        or any(ch.isspace() or unicodedata.category(ch).startswith("C") for ch in url)
    ):
        raise ValueError(
            _("A webhook needs its address: an http:// or https:// URL of at most %(max)s characters.", max=URL_MAX)
        )
    return url


def _webhook_secret(value) -> str:
    if value is None or (isinstance(value, str) and not value.strip()):
        return secrets.token_urlsafe(32)
    secret = value.strip() if isinstance(value, str) else ""
    if not SECRET_MIN <= len(secret) <= SECRET_MAX or any(unicodedata.category(ch).startswith("C") for ch in secret):
        raise ValueError(
            _(
                "A webhook secret needs %(min)s to %(max)s characters (leave it empty to have one made).",
                min=SECRET_MIN,
                max=SECRET_MAX,
            )
        )
    return secret


def create(
    caller: Caller,
    condition,
    params=None,
    filters=None,
    channels=("inbox",),
    webhook_url=None,
    webhook_secret=None,
) -> Outcome[dict]:
    """Creates a rule of the caller's; value: the rule, with its webhook
    secret (shown this once) when it has a webhook."""
    user_id = _own(caller)
    with _about("condition"):
        chosen = _condition(caller, condition)
    with _about("params"):
        rule_params = _params(chosen, params)
    with _about("filters"):
        rule_filters = _filters(caller, filters)
    with _about("channels"):
        rule_channels = _channels(channels)
    url = secret = None
    if "webhook" in rule_channels:
        with _about("webhook_url"):
            url = _webhook_url(webhook_url)
        with _about("webhook_secret"):
            secret = _webhook_secret(webhook_secret)
    elif webhook_url or webhook_secret:
        raise BadRule(
            _("A webhook address or secret needs the webhook channel."),
            "webhook_url" if webhook_url else "webhook_secret",
        )
    try:
        rule = store.create_rule(
            caller.state,
            caller.actor,
            user_id,
            chosen,
            rule_params,
            rule_filters,
            rule_channels,
            url,
            secret,
            max_rules=MAX_RULES,
        )
    except store.TooManyRules:
        raise ValueError(
            _("You have %(max)s alert rules already: delete one before adding another.", max=MAX_RULES)
        ) from None
    except ValueError:
        raise ValueError(_("Your user no longer exists.")) from None
    value: dict[str, Any] = dict(rule)
    if secret is not None:
        value["webhook_secret"] = secret
    return Outcome(_("Created the alert rule."), 1, value)


def list_rules(caller: Caller) -> list[dict]:
    """The caller's own rules, oldest first (no webhook secrets)."""
    return store.list_rules(caller.state, _own(caller))


def _rule_id(rule_id) -> int:
    if isinstance(rule_id, bool):
        raise Refused(_("Alert rule not found."), 404)
    try:
        number = int(rule_id)
    except (TypeError, ValueError):
        raise Refused(_("Alert rule not found."), 404) from None
    if not 0 < number <= MAX_ROW_ID:  # nobody's rule; a larger one would overflow the store's integer
        raise Refused(_("Alert rule not found."), 404)
    return number


def get_rule(caller: Caller, rule_id) -> dict:
    """The caller's rule; Refused 404 for someone else's, as for none."""
    rule = store.get_rule(caller.state, _rule_id(rule_id), _own(caller))
    if rule is None:
        raise Refused(_("Alert rule not found."), 404)
    return rule


def delete(caller: Caller, rule_id) -> Outcome[dict]:
    """Deletes the caller's rule and its alerts; Refused 404 for someone
    else's rule, as for none."""
    user_id = _own(caller)
    rule = store.delete_rule(caller.state, caller.actor, _rule_id(rule_id), user_id)
    if rule is None:
        raise Refused(_("Alert rule not found."), 404)
    return Outcome(_("Deleted the alert rule."), 1, rule)


def set_digest(caller: Caller, on: bool) -> Outcome[bool]:
    """Subscribes the caller to the weekly digest, or unsubscribes them."""
    user_id = _own(caller)
    if not isinstance(on, bool):
        raise ValueError(_("Choose on or off for the weekly digest."))
    try:
        changed = store.set_weekly_digest(caller.state, caller.actor, user_id, on)
    except ValueError:
        raise ValueError(_("Your user no longer exists.")) from None
    if on:
        message = _("You get the weekly digest.") if changed else _("You get the weekly digest already.")
    else:
        message = _("You no longer get the weekly digest.") if changed else _("You do not get the weekly digest.")
    return Outcome(message, int(changed), on)


def digest(caller: Caller) -> bool:
    """Whether the caller gets the weekly digest."""
    return store.weekly_digest(caller.state, _own(caller))
