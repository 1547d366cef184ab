"""Each person's own alerts: read them, count the unread, mark them read
(roles.md: every role, for themselves: alert.manage).

The alerts are those of the caller's own rules (partnerhub/data/alerts.py
keeps the owner on each alert); ids of anybody else's alerts change nothing
and are never shown, exactly like ids that do not exist.
"""

from __future__ import annotations

from collections.abc import Iterable

from partnerhub.data import alerts as store
from partnerhub.i18n import _, n_

from .alert_rules import ACTION
from .caller import Caller
from .checks import require
from .outcome import Outcome

STATES = ("open", "resolved", "all")
MAX_MARKED = 10_000  # ids of one "mark read": more than a page ever shows
MAX_ID = 2**63 - 1  # a row id: a larger number is nobody's alert (and would overflow PostgreSQL's bigint)


def _own(caller: Caller) -> int:
    require(caller, ACTION)
    if caller.user_id is None:
        raise ValueError(_("Only a signed-in user has alerts."))
    return caller.user_id


def list_alerts(caller: Caller, which: str = "open", limit: int | None = None) -> list[dict]:
    """The caller's alerts, newest first; which: open | resolved | all."""
    user_id = _own(caller)
    if which not in STATES:
        raise ValueError(_("“%(value)s” is not a state of alerts: use open, resolved or all.", value=str(which)[:40]))
    return store.list_alerts(caller.state, user_id, which, limit)


def unread_count(caller: Caller) -> int:
    """The bell's number: the caller's alerts not marked read."""
    return store.unread_count(caller.state, _own(caller))


def _ids(alert_ids: Iterable) -> list[int]:
    ids = []
    for value in alert_ids:
        if isinstance(value, bool) or not isinstance(value, int | str):
            raise ValueError(_("Choose alerts by their numbers."))
        try:
            ids.append(int(value))
        except ValueError:
            raise ValueError(_("Choose alerts by their numbers.")) from None
        if len(ids) > MAX_MARKED:
            raise ValueError(_("Mark at most %(max)s alerts at once.", max=MAX_MARKED))
    return ids


def mark_read(caller: Caller, alert_ids: Iterable | None = None) -> Outcome[int]:
    """Marks the caller's alerts read: these ids (others' ignored) or, with
    None, every one of theirs. Not audited: reading changes nothing anybody
    else sees."""
    user_id = _own(caller)
    if alert_ids is not None:
        ids = _ids(alert_ids)
        if not ids:
            raise ValueError(_("Select the alerts to mark read first."))
        changed = store.mark_read(caller.state, user_id, [i for i in ids if 0 < i <= MAX_ID])
    else:
        changed = store.mark_read(caller.state, user_id, None)
    if not changed:
        return Outcome(_("Nothing to mark: those alerts are read already."), 0, 0)
    return Outcome(n_("Marked %(num)d alert read.", "Marked %(num)d alerts read.", changed), changed, changed)
