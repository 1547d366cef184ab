"""Reading the audit log (writing is StateStore.audit, in the transaction of
each change)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import func, select

from partnerhub.data.state import StateStore, audit_log
from partnerhub.i18n import _


def _day_start(d: date | str) -> datetime:
    if isinstance(d, str):
        try:
            d = date.fromisoformat(d)
        except ValueError:
            raise ValueError(_("'%(value)s' is not a date YYYY-MM-DD", value=d)) from None
    return datetime.combine(d, time.min, tzinfo=UTC)


def list_audit(
    state: StateStore,
    who: str | None = None,
    action: str | None = None,
    customer_id: str | None = None,
    date_from: date | str | None = None,
    date_to: date | str | None = None,
    limit: int = 500,
) -> list[dict]:
    """Newest first. who: part of the actor's e-mail (or "import", "cli");
    action: exact, or a family ending in "." ("user."); dates inclusive, UTC."""
    q = select(audit_log)
    if who and who.strip():
        needle = who.strip().lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        q = q.where(func.lower(audit_log.c.actor).like(f"%{needle}%", escape="\\"))
    if action and action.strip():
        action = action.strip()
        if action.endswith("."):
            q = q.where(audit_log.c.action.startswith(action, autoescape=True))
        else:
            q = q.where(audit_log.c.action == action)
    if customer_id and customer_id.strip():
        q = q.where(audit_log.c.customer_id == customer_id.strip())
    start = _day_start(date_from) if date_from else None
    end = _day_start(date_to) + timedelta(days=1) if date_to else None
    if start and end and start >= end:
        raise ValueError(_("the date range ends before it starts"))
    if start:
        q = q.where(audit_log.c.at >= start)
    if end:
        q = q.where(audit_log.c.at < end)
    limit = max(1, min(int(limit), 5000))
    with state.read() as conn:
        rows = conn.execute(q.order_by(audit_log.c.at.desc(), audit_log.c.id.desc()).limit(limit)).all()
    return [dict(r._mapping) for r in rows]


def audit_actions(state: StateStore) -> list[str]:
    with state.read() as conn:
        return list(conn.execute(select(audit_log.c.action).distinct().order_by(audit_log.c.action)).scalars())
