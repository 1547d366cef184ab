"""Follow-ups (roles.md: write notes and follow-ups on a customer:
note.write, partner and sales admins in scope only). Each person has at most
one follow-up per customer: a due date and a line of text, open until marked
done. A due date may lie up to a year either side of today, so that a
reminder already overdue can be logged too.

"My follow-ups" lists the caller's open ones due within 7 days or overdue,
for the customers of their scope now (a scope that shrank hides the rest)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from partnerhub.data import follow_ups as store
from partnerhub.data.follow_ups import TEXT_MAX, FollowUp
from partnerhub.formatting import fmt_date, fmt_int
from partnerhub.i18n import _

from .caller import Caller
from .checks import require, require_customers, require_visible
from .lookup import customer_names
from .notes import has_control_characters
from .outcome import Outcome

DUE_SOON_DAYS = 7


@dataclass(frozen=True)
class DueFollowUp:
    """One line of "My follow-ups"."""

    customer_id: str
    customer_name: str
    due_date: date
    text: str
    days_left: int  # negative: overdue by that many days


def utc_today() -> date:
    return datetime.now(UTC).date()


def _year_from(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February in a year without one
        return day.replace(year=day.year + years, day=28)


def clean_due_date(value, today: date) -> date:
    """A date (or an ISO string, 2027-01-31) from a year before today to a year after."""
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value.strip()[:10])
        except ValueError:
            value = None
    if not isinstance(value, date):
        raise ValueError(_("Give the due date as a date, such as %(example)s.", example=fmt_date(today)))
    first, last = _year_from(today, -1), _year_from(today, 1)
    if not first <= value <= last:
        raise ValueError(
            _(
                "A follow-up is due within a year of today: from %(first)s to %(last)s.",
                first=fmt_date(first),
                last=fmt_date(last),
            )
        )
    return value


def clean_text(value) -> str:
    """The follow-up's line of text, trimmed: 1-200 characters."""
    if not isinstance(value, str) or not value.strip():
        raise ValueError(_("Write what to follow up on (at most %(max)s characters).", max=fmt_int(TEXT_MAX)))
    text = value.strip()
    if len(text) > TEXT_MAX:
        raise ValueError(
            _(
                "A follow-up's text holds at most %(max)s characters; this one has %(count)s.",
                max=fmt_int(TEXT_MAX),
                count=fmt_int(len(text)),
            )
        )
    if has_control_characters(text):
        raise ValueError(_("A follow-up's text is one line, without control characters."))
    return text


def _own(caller: Caller, customer_id) -> tuple[int, str]:
    """(the caller's users.id, the customer's id) when they may write on it."""
    require(caller, "note.write")
    [cid] = require_customers(caller, "note.write", [customer_id])
    if caller.user_id is None:
        # the CLI operator has no users row to keep a follow-up for
        raise ValueError(_("Only a signed-in user can write notes and follow-ups."))
    return caller.user_id, cid


# ---- reads -------------------------------------------------------------------------------------


def my_follow_up(caller: Caller, customer_id) -> FollowUp | None:
    """The caller's follow-up on this customer (open or done), if they have one."""
    cid = require_visible(caller, customer_id)
    if caller.user_id is None:
        return None
    return store.follow_up_for(caller.state, caller.user_id, cid)


def my_follow_ups(caller: Caller, customer_ids) -> dict[str, FollowUp]:
    """customer_id -> the caller's open follow-up, for those of these
    customers in their scope (the worklist's follow-up column)."""
    if caller.user_id is None:
        return {}
    ids = [c for c in customer_ids if caller.scope is None or c in caller.scope]
    return store.follow_ups_for_user(caller.state, caller.user_id, ids)


def my_follow_ups_due(caller: Caller, as_of_today: date, days: int = DUE_SOON_DAYS) -> list[DueFollowUp]:
    """The caller's open follow-ups due within `days` days of as_of_today
    (that day included) or overdue, for customers in their scope now and in
    the data; earliest first."""
    if caller.user_id is None:
        return []
    due = store.follow_ups_due(caller.state, caller.user_id, as_of_today + timedelta(days=days))
    mine = [f for f in due if caller.scope is None or f.customer_id in caller.scope]
    names = customer_names(caller.snapshot, [f.customer_id for f in mine])
    found = [
        DueFollowUp(f.customer_id, names[f.customer_id], f.due_date, f.text, (f.due_date - as_of_today).days)
        for f in mine
        if f.customer_id in names
    ]
    return sorted(found, key=lambda d: (d.due_date, d.customer_name, d.customer_id))


# ---- writes ------------------------------------------------------------------------------------


def set(caller: Caller, customer_id, due_date, text, today: date | None = None) -> Outcome[FollowUp]:
    """Sets the caller's follow-up on the customer: a new one, or the one
    they have with a new date and text, open again."""
    user_id, cid = _own(caller, customer_id)
    due = clean_due_date(due_date, today or utc_today())
    line = clean_text(text)
    before, after = store.set_follow_up(caller.state, caller.actor, user_id, cid, due, line)
    message = _("Follow-up set for %(date)s.", date=fmt_date(after.due_date))
    return Outcome(message, 0 if after is before else 1, after)


def done(caller: Caller, customer_id) -> Outcome[FollowUp]:
    """Marks the caller's open follow-up on the customer done."""
    user_id, cid = _own(caller, customer_id)
    before, after = store.mark_done(caller.state, caller.actor, user_id, cid)
    if before is None:
        raise ValueError(_("You have no follow-up on this customer."))
    if after is before:
        return Outcome(_("This follow-up was done already."), 0, after)
    return Outcome(_("Follow-up marked done."), 1, after)


def clear(caller: Caller, customer_id) -> Outcome[FollowUp]:
    """Removes the caller's follow-up on the customer, open or done."""
    user_id, cid = _own(caller, customer_id)
    gone = store.clear_follow_up(caller.state, caller.actor, user_id, cid)
    if gone is None:
        return Outcome(_("You have no follow-up on this customer."), 0)
    return Outcome(_("Follow-up removed."), 1, gone)
