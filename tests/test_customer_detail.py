"""One customer's page through the router and its Dash callbacks (Flask test
client on the session app): what it shows equals the metrics functions, an
out-of-scope customer looks exactly like an unknown one, and trials and
admin assignments are written (and audited) only for those allowed."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from partnerhub.auth.scope import scope_for
from partnerhub.auth.users import assignments_for_customer, list_users, set_disabled
from partnerhub.data.state import audit_log
from partnerhub.data.trials import utc_today
from partnerhub.metrics.customer_detail import customer_detail
from partnerhub.metrics.types import View
from tests.analytics_support import find
from tests.auth_client import dash_callback, new_user, pattern_prop_id
from tests.customer_pages import (
    ADMIN,
    FULL,
    READONLY,
    SALES,
    SALES_FULL,
    context,
    expected_list,
    free_customer,
    page,
    page_text,
    response,
    scope,
    signed_in,
    text,
    trial_rows,
)


def _audit(services, **where):
    q = select(audit_log).order_by(audit_log.c.id)
    for column, value in where.items():
        q = q.where(getattr(audit_log.c, column) == value)
    with services.state.read() as conn:
        return conn.execute(q).all()


def start(client, customer_id, licenses: dict, days=30):
    values: dict[str, object] = {
        f"customers-trial-lic-{p}.value": None
        for p in ("meetings", "calling", "messaging", "webinars", "translation", "contact_center")
    }
    values.update({f"customers-trial-lic-{p}.value": n for p, n in licenses.items()})
    values.update(
        {
            "customers-trial-start.n_clicks": 1,
            "customers-trial-days.value": days,
            "customers-detail-id.data": customer_id,
        }
    )
    return text(
        response(
            dash_callback(
                client,
                "customers-trial-panel.children",
                values,
                changed=["customers-trial-start.n_clicks"],
                input_id="customers-trial-start",
            )
        )
    )


def extend(client, trial_id, customer_id):
    ident = {"type": "customers-trial-extend", "trial": trial_id}
    return text(
        response(
            dash_callback(
                client,
                "customers-trial-panel.children",
                {
                    "customers-trial-extend.n_clicks": [{"id": ident, "property": "n_clicks", "value": 1}],
                    "customers-detail-id.data": customer_id,
                },
                changed=[pattern_prop_id(ident, "n_clicks")],
                input_id="customers-trial-extend",
            )
        )
    )


def assign(client, customer_id, email):
    return text(
        response(
            dash_callback(
                client,
                "customers-admins-panel.children",
                {
                    "customers-admins-add.n_clicks": 1,
                    "customers-admins-user.value": email,
                    "customers-detail-id.data": customer_id,
                },
                changed=["customers-admins-add.n_clicks"],
                input_id="customers-admins-add",
            )
        )
    )


def unassign(client, customer_id, email):
    ident = {"type": "customers-admins-remove", "email": email}
    return text(
        response(
            dash_callback(
                client,
                "customers-admins-panel.children",
                {
                    "customers-admins-remove.n_clicks": [{"id": ident, "property": "n_clicks", "value": 1}],
                    "customers-detail-id.data": customer_id,
                },
                changed=[pattern_prop_id(ident, "n_clicks")],
                input_id="customers-admins-remove",
            )
        )
    )


# ---- what the page shows ---------------------------------------------------------------------------


def test_the_page_shows_the_metrics_of_the_customer(app, services):
    ctx = context(services)
    full = signed_in(app, FULL)
    checked = 0
    for cid in expected_list(services, FULL)["customer_id"].to_list()[:40]:
        detail = customer_detail(ctx, View(), cid)
        if detail.lines.height == 0:
            continue
        shown = page_text(full, f"/customers/{cid}")
        c = detail.customer
        assert c["customer_name"] in shown and cid in shown
        sentence = (
            f"{c['used']:,} used, {max(c['assigned'], c['used']) - c['used']:,} assigned but unused, "
            f"{max(c['total_licenses'] - c['assigned'], 0):,} available of {c['total_licenses']:,} "
            + ("license." if c["total_licenses"] == 1 else "licenses.")
        )
        assert sentence in shown
        for status in filter(None, c["statuses"].split(";")):
            assert {
                "trial": "Trial",
                "subscription": "Subscription",
                "expiring_soon": "Expiring soon",
                "license_overage": "License overage",
                "no_recent_activity": "No recent activity",
                "order_ready_for_setup": "Order ready for setup",
                "suspended": "Suspended",
                "expired": "Expired",
            }[status] in shown
        for sub in detail.subscriptions.to_dicts():
            assert f"customers-sub-{sub['subscription_id']}" in shown
        renews = [s for s in detail.subscriptions.to_dicts() if s["auto_renew"]]
        ends = [s for s in detail.subscriptions.to_dicts() if not s["auto_renew"]]
        # a trial started in the app (other tests share this app) also says "Ends: " in its tab
        from partnerhub.data.trials import app_trials

        started_here = bool(app_trials(services.state, cid))
        assert ("Renews: " in shown) == bool(renews)
        assert ("Ends: " in shown) == (bool(ends) or started_here)
        for line in detail.lines.to_dicts():
            assert f"customers-line-{line['subscription_id']}-{line['product']}" in shown
        for invoice in detail.invoices["invoice_id"].to_list():
            assert invoice in shown
        for order in detail.orders["order_id"].to_list():
            assert order in shown
        assert f"https://admin.webex.com/partner/customers/{cid}" in shown and "noopener noreferrer" in shown
        checked += 1
    assert checked >= 20


def test_out_of_scope_and_unknown_customers_look_identical(app, services):
    sales = signed_in(app, SALES)
    inside = sorted(scope(services, SALES))[0]
    outside = next(c for c in expected_list(services, FULL)["customer_id"].to_list() if c not in scope(services, SALES))
    not_found = page(sales, "/no-such-page")["_pages_content"]
    assert "Not found" in text(not_found)
    for path in (f"/customers/{outside}", "/customers/NO-SUCH-CUSTOMER", "/customers/a/b", "/customers/%20"):
        assert page(sales, path)["_pages_content"] == not_found, path
    assert page(signed_in(app, FULL), "/customers/NO-SUCH-CUSTOMER")["_pages_content"] == not_found
    # a query parameter cannot stand in for the customer in the address
    assert page(sales, f"/customers/{outside}", f"?customer_id={inside}")["_pages_content"] == not_found
    assert inside in page_text(sales, f"/customers/{inside}", f"?customer_id={outside}")


def test_a_readonly_admin_sees_no_edit_controls(app, services):
    cid = expected_list(services, READONLY)["customer_id"][0]
    shown = page_text(signed_in(app, READONLY), f"/customers/{cid}")
    assert "Partner administrators" in shown
    for control in (
        "customers-trial-start",
        "customers-trial-extend",
        "customers-admins-add",
        "customers-admins-remove",
    ):
        assert control not in shown
    assert "Your role cannot start trials." in shown or "Ongoing trial" in shown


# ---- trials ----------------------------------------------------------------------------------------


def test_start_and_extend_a_trial(app, services):
    sales = signed_in(app, SALES)
    cid = free_customer(services, SALES)
    before = scope(services, SALES)
    shown = start(sales, cid, {"meetings": 10, "calling": "3"}, 60)
    today = utc_today()
    end = today + timedelta(days=60)
    assert "Trial started" in shown and "Ongoing trial" in shown and end.isoformat() in shown
    [row] = trial_rows(services, cid)
    assert (row.licenses, row.start_date, row.end_date, row.created_by) == (
        {"meetings": 10, "calling": 3},
        today,
        end,
        SALES,
    )
    [entry] = _audit(services, action="trial.start", customer_id=cid)
    assert entry.actor == SALES and entry.after["end_date"] == end.isoformat()
    assert scope(services, SALES) == before
    # shown at once on the page, and again on a fresh load
    assert "customers-trial-extend" in page_text(sales, f"/customers/{cid}")

    assert "already has an ongoing trial" in start(sales, cid, {"webinars": 5})
    assert len(trial_rows(services, cid)) == 1

    shown = extend(sales, row.id, cid)
    new_end = end + timedelta(days=30)
    assert "Trial extended by 30 days" in shown and new_end.isoformat() in shown
    [entry] = _audit(services, action="trial.extend", customer_id=cid)
    assert (entry.before["end_date"], entry.after["end_date"], entry.after["extensions"]) == (
        end.isoformat(),
        new_end.isoformat(),
        1,
    )


@pytest.mark.parametrize(
    "licenses, days, message",
    [
        ({}, 30, "Choose at least one product for the trial: give it 1 to 100 licenses."),
        ({"meetings": 101}, 30, "Licenses per product: give a whole number from 1 to 100; Meetings has 101."),
        ({"meetings": 5}, 45, "Length: choose 30 / 60 / 90 days."),
    ],
)
def test_bad_trial_input_is_a_message(app, services, licenses, days, message):
    full = signed_in(app, FULL)
    cid = free_customer(services, FULL)
    assert message in start(full, cid, licenses, days)
    assert trial_rows(services, cid) == []


def test_trials_are_refused_to_those_who_may_not(app, services):
    cid = free_customer(services, FULL)
    assert "may not do this" in start(signed_in(app, READONLY), cid, {"meetings": 5})
    outside = free_customer(services, FULL, outside_of=SALES)
    assert "Customer not found." in start(signed_in(app, SALES), outside, {"meetings": 5})
    assert "Customer not found." in start(signed_in(app, SALES_FULL), "NO-SUCH-CUSTOMER", {"meetings": 5})
    assert trial_rows(services, cid) == [] and trial_rows(services, outside) == []
    # extending someone else's trial out of scope is refused too
    other = free_customer(services, FULL, outside_of=SALES)
    start(signed_in(app, FULL), other, {"meetings": 5})
    [row] = trial_rows(services, other)
    assert "Customer not found." in extend(signed_in(app, SALES), row.id, other)
    assert "may not do this" in extend(signed_in(app, READONLY), row.id, other)
    assert trial_rows(services, other)[0].end_date == row.end_date


def test_a_sales_admin_keeps_a_customer_they_started_a_trial_for(app, services):
    seller = new_user(services, "sales_admin", prefix="seller")
    from partnerhub.auth.users import assign_customers, unassign_customer

    cid = free_customer(services, FULL)
    assign_customers(services.state, "tests", seller, [cid])
    client = signed_in(app, seller)
    assert "Trial started" in start(client, cid, {"calling": 4})
    unassign_customer(services.state, "tests", seller, cid)
    assert scope_for(services.state, seller, "sales_admin") == frozenset({cid})
    assert cid in page_text(client, f"/customers/{cid}")


# ---- partner administrators --------------------------------------------------------------------------


def test_assign_and_remove_an_admin(app, services):
    email = new_user(services, "partner_admin", prefix="assignee")
    cid = expected_list(services, FULL)["customer_id"][7]
    full = signed_in(app, FULL)
    other = signed_in(app, email)
    assert "Not found" in page_text(other, f"/customers/{cid}")

    shown = assign(full, cid, email)
    assert f"Assigned {email} to this customer." in shown and "customers-admins-table" in shown
    [entry] = _audit(services, action="assignment.add", customer_id=cid, target=email)
    assert entry.actor == FULL
    assert email in page_text(full, f"/customers/{cid}")
    assert re.search(re.escape(cid), page_text(other, f"/customers/{cid}"))  # now in their scope

    shown = unassign(full, cid, email)
    assert f"Removed {email} from this customer." in shown and email not in shown.split("Removed")[0]
    [entry] = _audit(services, action="assignment.remove", customer_id=cid, target=email)
    assert entry.actor == FULL and entry.before["email"] == email
    assert "Not found" in page_text(other, f"/customers/{cid}")


def _choices(client, customer_id) -> list[str]:
    """The e-mails the "Assign an administrator" control offers, as the page shows it."""
    panel = find(page(client, f"/customers/{customer_id}")["_pages_content"]["children"], "customers-admins-panel")
    assert panel is not None
    control = find(panel["children"], "customers-admins-user")
    assert control is not None
    return [o["value"] for o in control["options"]]


def test_the_assign_control_offers_exactly_the_assignable_admins(app, services):
    """Enabled partner and sales administrators not assigned to this customer,
    by e-mail: the same choices as filtering every user, though only this
    customer's assignments are read."""
    admin = new_user(services, "partner_admin", prefix="pick-admin")
    sales = new_user(services, "sales_admin", prefix="pick-sales")
    off = new_user(services, "partner_admin", prefix="pick-off")
    set_disabled(services.state, "tests", off, True)
    cid = sorted(scope(services, ADMIN))[1]  # the demo partner administrator is assigned to it
    full = signed_in(app, FULL)

    def expected():
        assigned = {r["email"] for r in assignments_for_customer(services.state, cid)}
        return [
            u["email"]
            for u in list_users(services.state)
            if u["role"] in ("partner_admin", "sales_admin") and not u["disabled"] and u["email"] not in assigned
        ]

    shown = _choices(full, cid)
    assert shown == expected() and shown == sorted(shown)
    assert {admin, sales} <= set(shown) and off not in shown and ADMIN not in shown
    assert not {FULL, READONLY, SALES_FULL} & set(shown)  # they see every customer without an assignment
    assign(full, cid, admin)
    assert admin not in _choices(full, cid) and _choices(full, cid) == expected()
    unassign(full, cid, admin)  # the removal is kept as a tombstone: the admin is offered again
    assert admin in _choices(full, cid) and _choices(full, cid) == expected()


def test_only_a_full_admin_assigns(app, services):
    email = new_user(services, "partner_admin", prefix="nobody")
    cid = sorted(scope(services, ADMIN))[0]
    for who in (ADMIN, READONLY, SALES_FULL):
        assert "may not do this" in assign(signed_in(app, who), cid, email)
    assert "may not do this" in unassign(signed_in(app, ADMIN), cid, ADMIN)
    assert _audit(services, target=email, action="assignment.add") == []
    assert cid in scope(services, ADMIN)
    full = signed_in(app, FULL)
    assert "Choose an administrator first." in assign(full, cid, None)
    assert "Customer not found." in assign(full, "NO-SUCH-CUSTOMER", email)
    assert "who sees every customer" in assign(full, cid, READONLY)
