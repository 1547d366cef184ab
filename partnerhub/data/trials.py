"""Trials started in the app: start one, extend it by 30 days, and find the
ongoing trial of a customer among the imported trials and the app's own.

A trial started here lives in the app-state store (table `trials`); the
snapshot knows nothing of it until the partner's next export brings it in as
a `kind = trial` subscription. Until then the customer page shows it from
here, and the metrics (statuses, license sections) do not count it.

Every write validates its input, raises ValueError with a message fit for the
screen when it is wrong, and records an audit row (before and after) in the
same transaction as the change. Who may do it, and on which customers, is
decided by the application layer (partnerhub/services/trials.py), the one
caller of these writes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import insert, select, update

from .contract import PRODUCTS
from .state import StateStore, trials, utcnow

TRIAL_DAYS = (30, 60, 90)
MIN_LICENSES = 1
MAX_LICENSES = 100
EXTENSION_DAYS = 30
_CUSTOMER_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


def utc_today() -> date:
    """The app's "today" for trials it starts: the UTC date now."""
    return datetime.now(UTC).date()


@dataclass(frozen=True)
class Trial:
    """One trial as the customer page shows it.

    source: "app" (started here; `id` is trials.id) or "import" (`id` is the
    enterprise trial's subscription_id). days_left counts from today for an
    app trial and from the data's as_of for an imported one.
    """

    source: str
    id: int | str
    customer_id: str
    licenses: dict[str, int]
    start_date: date
    end_date: date
    days_left: int
    extensions: int = 0
    created_by: str | None = None
    status: str = "active"
    days: int | None = None

    @property
    def extendable(self) -> bool:
        return self.source == "app"


# ---- validation ---------------------------------------------------------------------------------


def _check_customer_id(customer_id) -> str:
    if not isinstance(customer_id, str) or not _CUSTOMER_ID.match(customer_id):
        raise ValueError(f"{customer_id!r} is not a customer ID.")
    return customer_id


def clean_licenses(licenses) -> dict[str, int]:
    """{product: licenses} for products of the data contract, 1-100 each, at
    least one product; returned in the contract's product order."""
    if not isinstance(licenses, dict) or not licenses:
        raise ValueError("Choose at least one product for the trial.")
    out: dict[str, int] = {}
    for product, n in licenses.items():
        if product not in PRODUCTS:
            raise ValueError(f"{product!r} is not a product (one of: {', '.join(PRODUCTS)}).")
        if isinstance(n, bool):
            raise ValueError(f"Licenses for {product}: give a whole number.")
        if isinstance(n, str):
            n = n.strip()
        try:
            value = int(n)
        except (TypeError, ValueError):
            raise ValueError(f"Licenses for {product}: give a whole number.") from None
        if isinstance(n, float) and n != value:
            raise ValueError(f"Licenses for {product}: give a whole number.")
        if not MIN_LICENSES <= value <= MAX_LICENSES:
            raise ValueError(f"Licenses for {product}: from {MIN_LICENSES} to {MAX_LICENSES}, not {value}.")
        out[product] = value
    return {p: out[p] for p in PRODUCTS if p in out}


def clean_days(days) -> int:
    try:
        value = int(days)
    except (TypeError, ValueError):
        value = None
    if isinstance(days, bool) or value not in TRIAL_DAYS or (isinstance(days, float) and days != value):
        raise ValueError(f"A trial runs {', '.join(map(str, TRIAL_DAYS[:-1]))} or {TRIAL_DAYS[-1]} days.")
    return value


# ---- reads -------------------------------------------------------------------------------------


def _rows(data) -> list[dict]:
    """Dict rows from a Polars frame, a list of dicts, or None."""
    if data is None:
        return []
    if hasattr(data, "to_dicts"):
        return data.to_dicts()
    return [dict(r) for r in data]


def _as_date(value) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def _app_trial(row, today: date) -> Trial:
    return Trial(
        "app",
        row.id,
        row.customer_id,
        dict(row.licenses or {}),
        row.start_date,
        row.end_date,
        (row.end_date - today).days,
        int(row.extensions or 0),
        row.created_by,
        days=row.days,
    )


def app_trials(state: StateStore, customer_id: str, today: date | None = None) -> list[Trial]:
    """Every trial started in the app for this customer, newest first."""
    today = today or utc_today()
    with state.read() as conn:
        rows = conn.execute(
            select(trials)
            .where(trials.c.customer_id == customer_id)
            .order_by(trials.c.start_date.desc(), trials.c.id.desc())
        ).all()
    return [_app_trial(r, today) for r in rows]


def get_trial(state: StateStore, trial_id) -> Trial | None:
    try:
        trial_id = int(trial_id)
    except (TypeError, ValueError):
        return None
    with state.read() as conn:
        row = conn.execute(select(trials).where(trials.c.id == trial_id)).first()
    return None if row is None else _app_trial(row, utc_today())


def imported_trials(imported, customer_id: str, as_of: date, lines=None) -> list[Trial]:
    """The snapshot's trials of this customer (rows of `kind = trial`
    subscriptions with subscription_id, status, start_date, end_date; a row
    without `kind` counts as a trial) with their licenses from `lines`
    (subscription_id, product, total_licenses), newest first."""
    licenses: dict[str, dict[str, int]] = {}
    for line in _rows(lines):
        n = line.get("total_licenses", line.get("licenses"))
        licenses.setdefault(line["subscription_id"], {})[line["product"]] = int(n or 0)
    out = []
    for row in _rows(imported):
        if row.get("kind", "trial") != "trial":
            continue
        if row.get("customer_id", customer_id) != customer_id:
            continue
        end = _as_date(row["end_date"])
        mine = licenses.get(row["subscription_id"], {})
        out.append(
            Trial(
                "import",
                row["subscription_id"],
                customer_id,
                {p: mine[p] for p in PRODUCTS if p in mine},
                _as_date(row["start_date"]),
                end,
                (end - as_of).days,
                status=row["status"],
            )
        )
    return sorted(out, key=lambda t: (t.start_date, str(t.id)), reverse=True)


def _imported_is_ongoing(t: Trial, as_of: date) -> bool:
    return t.status == "active" and t.end_date >= as_of


def ongoing_trials(
    state: StateStore, imported, customer_id: str, as_of: date, today: date | None = None, lines=None
) -> list[Trial]:
    """The ongoing trials of a customer: trials started in the app that end
    today or later (first: they are the ones the app can extend), then
    imported active trials that end on as_of or later."""
    today = today or utc_today()
    app = [t for t in app_trials(state, customer_id, today) if t.end_date >= today]
    snap = [t for t in imported_trials(imported, customer_id, as_of, lines) if _imported_is_ongoing(t, as_of)]
    return app + snap


def ongoing_trial(
    state: StateStore, imported, customer_id: str, as_of: date, today: date | None = None, lines=None
) -> Trial | None:
    """The customer's ongoing trial (see ongoing_trials), or None."""
    found = ongoing_trials(state, imported, customer_id, as_of, today, lines)
    return found[0] if found else None


# ---- writes ------------------------------------------------------------------------------------


def start_trial(
    state: StateStore,
    actor: str,
    customer_id,
    licenses,
    days,
    *,
    imported=None,
    as_of: date | None = None,
    today: date | None = None,
) -> Trial:
    """Starts a trial today (UTC) for `days` days (30, 60 or 90) with 1-100
    licenses of each chosen product. Refused when the customer has an ongoing
    trial: an imported active one (`imported`, the snapshot's trial rows)
    ending on `as_of` or later, or one started in the app ending today or
    later. The end date is start + days."""
    customer_id = _check_customer_id(customer_id)
    licenses = clean_licenses(licenses)
    days = clean_days(days)
    today = today or utc_today()
    if imported is not None:
        if as_of is None:
            raise ValueError("as_of is needed to judge the imported trials.")
        running = [t for t in imported_trials(imported, customer_id, as_of) if _imported_is_ongoing(t, as_of)]
        if running:
            raise ValueError(
                f"This customer already has an ongoing trial ({running[0].id}, until "
                f"{running[0].end_date.isoformat()}); a new one can start when it has ended."
            )
    end = today + timedelta(days=days)
    with state.write() as conn:
        # checked inside the write transaction: two clicks at once cannot start two trials
        existing = conn.execute(
            select(trials).where(trials.c.customer_id == customer_id, trials.c.end_date >= today)
        ).first()
        if existing is not None:
            raise ValueError(
                f"This customer already has an ongoing trial (until {existing.end_date.isoformat()}); "
                "extend it instead."
            )
        trial_id = conn.execute(
            insert(trials).values(
                customer_id=customer_id,
                licenses=licenses,
                start_date=today,
                end_date=end,
                days=days,
                extensions=0,
                created_by=actor,
                created_at=utcnow(),
            )
        ).inserted_primary_key[0]
        after = {
            "id": trial_id,
            "licenses": licenses,
            "start_date": today.isoformat(),
            "end_date": end.isoformat(),
            "days": days,
            "extensions": 0,
        }
        state.audit(conn, actor, "trial.start", customer_id=customer_id, target=f"trial {trial_id}", after=after)
    return Trial("app", trial_id, customer_id, licenses, today, end, (end - today).days, 0, actor, days=days)


def extend_trial(state: StateStore, actor: str, trial_id, *, today: date | None = None) -> Trial:
    """Moves the end of an ongoing trial started in the app 30 days later and
    counts the extension."""
    today = today or utc_today()
    try:
        trial_id = int(trial_id)
    except (TypeError, ValueError):
        raise ValueError(f"{trial_id!r} is not a trial.") from None
    with state.write() as conn:
        row = conn.execute(select(trials).where(trials.c.id == trial_id)).first()
        if row is None:
            raise ValueError("That trial does not exist.")
        if row.end_date < today:
            raise ValueError(f"This trial ended on {row.end_date.isoformat()}; start a new one instead.")
        end = row.end_date + timedelta(days=EXTENSION_DAYS)
        extensions = int(row.extensions or 0) + 1
        conn.execute(update(trials).where(trials.c.id == row.id).values(end_date=end, extensions=extensions))
        state.audit(
            conn,
            actor,
            "trial.extend",
            customer_id=row.customer_id,
            target=f"trial {row.id}",
            before={"id": row.id, "end_date": row.end_date.isoformat(), "extensions": int(row.extensions or 0)},
            after={"id": row.id, "end_date": end.isoformat(), "extensions": extensions},
        )
    return Trial(
        "app",
        row.id,
        row.customer_id,
        dict(row.licenses or {}),
        row.start_date,
        end,
        (end - today).days,
        extensions,
        row.created_by,
        days=row.days,
    )
