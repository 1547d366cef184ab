"""Alerts in the session app's store for the Alerts page and API tests (no
tests here): a rule of the user's made through the application layer, its
alerts opened and resolved by the data layer's own evaluation step
(partnerhub/data/alerts.py apply_evaluation) on real customers of the
current snapshot."""

from __future__ import annotations

from datetime import timedelta

from partnerhub.auth.users import get_user_by_email
from partnerhub.data import alerts as store
from partnerhub.services import alert_rules
from partnerhub.services.caller import Caller


def caller_of(svc, email: str) -> Caller:
    user = get_user_by_email(svc.state, email)
    return Caller(user.email, user.role, None, svc.state, svc.snapshots.current(), user.id)


def customers(svc, n: int) -> list[tuple[str, str]]:
    """(customer_id, customer_name) of the first n customers of the current snapshot."""
    frame = svc.snapshots.current().frame(
        "SELECT customer_id, name FROM customers ORDER BY customer_id LIMIT $n", {"n": n}
    )
    return list(frame.iter_rows())


def values_of(score: int) -> dict:
    return {"health_score": score, "health_band": "at_risk"}


def plant(svc, email: str, n: int = 3, resolve: int = 0) -> tuple[dict, list[dict]]:
    """A health_at_risk rule of the user's; its alerts open on the first n
    customers (health scores 30, 31, ...) at a first evaluation, and the
    first `resolve` of them resolve at a second. Returns the rule and the
    user's alerts, newest first."""
    rule = alert_rules.create(caller_of(svc, email), "health_at_risk").value
    assert rule is not None
    snap = svc.snapshots.current()
    holding = [store.Firing(cid, name, values_of(30 + i)) for i, (cid, name) in enumerate(customers(svc, n))]
    store.apply_evaluation(svc.state, rule["id"], f"plant-{rule['id']}-1", snap.as_of - timedelta(days=7), holding)
    if resolve:
        store.apply_evaluation(svc.state, rule["id"], f"plant-{rule['id']}-2", snap.as_of, holding[resolve:])
    user_id = get_user_by_email(svc.state, email).id
    return rule, store.list_alerts(svc.state, user_id, "all")
