"""What the actions and their forms read from the current snapshot: which
customers exist, their names, a search by name or id, a customer's imported
trials. Every query binds its values."""

from __future__ import annotations

from collections.abc import Iterable

import polars as pl

from partnerhub.data.snapshots import Snapshot

_CHUNK = 1000  # ids per bound list


def _chunks(ids: list[str]):
    for i in range(0, len(ids), _CHUNK):
        yield ids[i : i + _CHUNK]


def customer_names(snapshot: Snapshot | None, customer_ids: Iterable[str]) -> dict[str, str]:
    """customer_id -> name of those that exist in the snapshot."""
    ids = sorted({c for c in customer_ids if isinstance(c, str)})
    if snapshot is None or not ids:
        return {}
    names: dict[str, str] = {}
    for chunk in _chunks(ids):
        names.update(
            snapshot.rows(
                "SELECT customer_id, name FROM customers WHERE customer_id IN (SELECT unnest(?::VARCHAR[]))", [chunk]
            )
        )
    return names


def search_customers(snapshot: Snapshot | None, text: str, limit: int) -> list[tuple[str, str]]:
    """(customer_id, name) whose id or name contains `text`, by name."""
    if snapshot is None or not text or not text.strip():
        return []
    needle = "%" + text.strip().lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    return snapshot.rows(
        "SELECT customer_id, name FROM customers WHERE lower(customer_id) LIKE ? ESCAPE '\\' "
        "OR lower(name) LIKE ? ESCAPE '\\' ORDER BY name, customer_id LIMIT ?",
        [needle, needle, limit],
    )


def imported_trials(snapshot: Snapshot, customer_id: str) -> pl.DataFrame:
    """The customer's trials in the snapshot (kind = trial subscriptions), as
    data.trials.start_trial judges an ongoing one."""
    return snapshot.frame(
        "SELECT subscription_id, kind, status, start_date, end_date FROM subscriptions "
        "WHERE customer_id = ? AND kind = 'trial'",
        [customer_id],
    )
