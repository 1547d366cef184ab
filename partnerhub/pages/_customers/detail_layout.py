"""One customer's page: the header (statuses, tags, licenses, launch link)
and four tabs: overview (the first), subscriptions, trials, partner
administrators; `?tab=` opens another.

A customer out of the viewer's scope gets exactly the page of an unknown
address (pages/not_found_404.py), so the answer does not tell them apart.
"""

from __future__ import annotations

import importlib
from collections.abc import Container

import dash_bootstrap_components as dbc
from dash import dcc, html
from flask import has_request_context

from partnerhub.auth.roles import may, may_see
from partnerhub.auth.scope import current_scope
from partnerhub.auth.session import current_identity
from partnerhub.components import empty_state, fmt_date, fmt_int, license_bar, status_badges
from partnerhub.components.icons import icon
from partnerhub.components.labels import managed_by_labels, product_labels, subscription_status_labels
from partnerhub.components.snapshot_banner import data_as_of
from partnerhub.data.tags import list_tags
from partnerhub.formatting import fmt_datetime
from partnerhub.i18n import _
from partnerhub.metrics.customer_detail import CustomerDetail, customer_detail
from partnerhub.metrics.customer_overview import customer_overview
from partnerhub.metrics.types import View

from .admins_ui import admins_panel
from .common import context, org_link, tag_chips
from .overview_tab import overview_tab
from .trials_ui import trials_panel

TABS = {
    "overview": "customers-tab-overview",
    "subscriptions": "customers-tab-subscriptions",
    "trials": "customers-tab-trials",
    "admins": "customers-tab-admins",
}


def not_found():
    """The very page of an unknown address."""
    return importlib.import_module("partnerhub.pages.not_found_404").layout()


def _when(value) -> str:
    return fmt_datetime(value) if value is not None else _("never")


def header(detail: CustomerDetail, org_template: str, tag_colors: dict[str, str]) -> html.Div:
    c = detail.customer
    facts = html.Dl(
        [
            html.Div([html.Dt(_("Statuses")), html.Dd(status_badges(c["statuses"], id="customers-detail-statuses"))]),
            html.Div([html.Dt(_("Tags")), html.Dd(tag_chips(c["tags"], tag_colors, id="customers-detail-tags"))]),
            html.Div(
                [
                    html.Dt(_("Licenses of current subscriptions")),
                    html.Dd(license_bar(c["used"], c["assigned"], c["total_licenses"], id="customers-detail-licenses")),
                ]
            ),
            html.Div(
                [
                    html.Dt(_("Last admin sign-in")),
                    html.Dd(_when(c["last_admin_sign_in"]), id="customers-detail-signin"),
                ]
            ),
            html.Div([html.Dt(_("Managed by")), html.Dd(managed_by_labels().get(c["managed_by"], c["managed_by"]))]),
        ],
        className="customer-facts",
    )
    return html.Div(
        [
            dcc.Link(
                [icon("bi-arrow-left", "me-1"), _("All customers")],
                href="/customers",
                className="small",
            ),
            html.Div(
                [
                    html.Div(
                        [
                            html.H1(c["customer_name"], className="h3 mb-0", id="customers-detail-name"),
                            html.Div(
                                [_("Customer ID"), " ", html.Code(c["customer_id"], id="customers-detail-id-text")],
                                className="small text-muted",
                            ),
                        ]
                    ),
                    org_link(org_template, c["customer_id"], c["customer_name"], id="customers-detail-org"),
                ],
                className="customer-head mt-1",
            ),
            facts,
        ]
    )


# ---- subscriptions ---------------------------------------------------------------------------------


def _sub_status(status: str) -> html.Span:
    return html.Span(
        subscription_status_labels().get(status, status), className=f"badge sub-status sub-status-{status}"
    )


def subscription_card(sub: dict, lines: list[dict]) -> dbc.Card:
    products = product_labels()
    kind = _("Trial") if sub["kind"] == "trial" else _("Paid subscription")
    end_label = _("Renews") if sub["auto_renew"] else _("Ends")
    days = sub.get("days_to_end")
    when = ""
    if days is not None and sub["status"] != "expired":
        when = (
            _("in %(n)s days", n=fmt_int(days))
            if days > 0
            else _("today")
            if days == 0
            else _("%(n)s days ago", n=fmt_int(-days))
        )
    line_rows = [
        html.Div(
            [
                html.Div(
                    [
                        html.Strong(products.get(line["product"], line["product"])),
                        html.Div(_("%(n)s available", n=fmt_int(line["available"])), className="small text-muted"),
                    ]
                ),
                license_bar(
                    line["used"],
                    line["assigned"],
                    line["total_licenses"],
                    line["available"],
                    id=f"customers-line-{sub['subscription_id']}-{line['product']}",
                ),
            ],
            className="subscription-line",
        )
        for line in lines
    ]
    return dbc.Card(
        [
            dbc.CardHeader(
                [
                    html.H3(sub["subscription_id"], className="h6 mb-0"),
                    html.Span(kind, className="small"),
                    _sub_status(sub["status"]),
                ]
            ),
            dbc.CardBody(
                [
                    html.Div(
                        [
                            html.Span([html.Strong(_("Start") + ": "), fmt_date(sub["start_date"])]),
                            html.Span(
                                [
                                    html.Strong(end_label + ": "),
                                    fmt_date(sub["end_date"]),
                                    f" ({when})" if when else "",
                                ],
                                className="sub-end",
                            ),
                            html.Span(
                                [html.Strong(_("Auto-renew") + ": "), _("Yes") if sub["auto_renew"] else _("No")]
                            ),
                        ],
                        className="subscription-dates",
                    ),
                    html.Div(line_rows)
                    if line_rows
                    else html.P(_("No licenses on this subscription."), className="text-muted small mb-0"),
                ]
            ),
        ],
        className="subscription-card",
        id=f"customers-sub-{sub['subscription_id']}",
    )


def _table(id: str, headers: list[str], rows: list[list], numeric: Container[int] = frozenset()) -> dbc.Table:
    return dbc.Table(
        [
            html.Thead(
                html.Tr(
                    [
                        html.Th(h, scope="col", className="text-end" if i in numeric else None)
                        for i, h in enumerate(headers)
                    ]
                )
            ),
            html.Tbody(
                [
                    html.Tr([html.Td(v, className="text-end" if i in numeric else None) for i, v in enumerate(r)])
                    for r in rows
                ]
            ),
        ],
        size="sm",
        striped=True,
        responsive=True,
        id=id,
    )


def subscriptions_tab(detail: CustomerDetail) -> html.Div:
    subs = detail.subscriptions.to_dicts()
    lines = detail.lines.to_dicts()
    if not subs:
        cards = empty_state(
            _("No subscriptions."),
            _("The imported data has no subscription or trial for this customer."),
            id="customers-subs-empty",
        )
    else:
        cards = html.Div(
            [subscription_card(s, [ln for ln in lines if ln["subscription_id"] == s["subscription_id"]]) for s in subs]
        )
    inv_status = {"paid": _("Paid"), "open": _("Open"), "overdue": _("Overdue")}
    invoices = detail.invoices.to_dicts()
    invoice_part = (
        _table(
            "customers-invoices",
            [_("Invoice"), _("Subscription"), _("Issued"), _("Due"), _("Amount"), _("Status")],
            [
                [
                    i["invoice_id"],
                    i["subscription_id"],
                    fmt_date(i["issued_on"]),
                    fmt_date(i["due_on"]),
                    f"{i['amount']:,.2f} {i['currency']}",
                    inv_status.get(i["status"], i["status"]),
                ]
                for i in invoices
            ],
            numeric={4},
        )
        if invoices
        else empty_state(_("No invoices."), _("The imported data has no invoice for this customer's subscriptions."))
    )
    order_type = {"new": _("New"), "renewal": _("Renewal"), "change": _("Change"), "cancellation": _("Cancellation")}
    orders = detail.orders.to_dicts()
    order_part = (
        _table(
            "customers-orders",
            [_("Order"), _("Subscription"), _("Ordered on"), _("Type"), _("Description")],
            [
                [
                    o["order_id"],
                    o["subscription_id"],
                    fmt_date(o["ordered_on"]),
                    order_type.get(o["type"], o["type"]),
                    o["description"] or "—",
                ]
                for o in orders
            ],
        )
        if orders
        else empty_state(_("No orders."), _("The imported data has no order for this customer."))
    )
    return html.Div(
        [
            html.H2(_("Subscriptions and trials"), className="h5"),
            html.P(
                _(
                    "Newest first. Licenses: used (solid), assigned but unused (striped) and available (empty) of the "
                    "purchased total, in the latest week; hover a bar for the numbers."
                ),
                className="small text-muted",
            ),
            cards,
            html.H2(_("Invoices"), className="h5 mt-4"),
            invoice_part,
            html.H2(_("Order history"), className="h5 mt-4"),
            order_part,
        ]
    )


# ---- the page ------------------------------------------------------------------------------------


def layout(customer_id=None, tab=None, **_kwargs):
    if not has_request_context():
        return html.Div(id="customers-detail")
    c = context()
    if c is None:
        return html.Div([html.H1(_("Customer"), className="h3"), data_as_of(None)], id="customers-detail")
    view = View(scope=current_scope())
    detail = customer_detail(c, view, customer_id) if isinstance(customer_id, str) else None
    if detail is None:
        return not_found()
    ident = current_identity()
    role = ident.role if ident else None
    overview = customer_overview(c, view, detail.customer_id, calling=may_see(role, "calling"))
    if overview is None:
        return not_found()
    colors = {t["name"]: t["color"] for t in list_tags(c.state)}
    active = TABS.get(tab if isinstance(tab, str) else "", TABS["overview"])
    return html.Div(
        [
            dcc.Store(id="customers-detail-id", data=detail.customer_id),
            header(detail, c.settings.customer_org_url_template, colors),
            data_as_of(c.as_of),
            dbc.Tabs(
                [
                    dbc.Tab(
                        overview_tab(overview, detail.customer["statuses"]),
                        label=_("Overview"),
                        tab_id=TABS["overview"],
                    ),
                    dbc.Tab(subscriptions_tab(detail), label=_("Subscriptions"), tab_id=TABS["subscriptions"]),
                    dbc.Tab(
                        html.Div(
                            [
                                html.Div(id="customers-trial-feedback"),
                                html.Div(
                                    trials_panel(c, detail, may(role, "trial.manage")), id="customers-trial-panel"
                                ),
                            ]
                        ),
                        label=_("Trials"),
                        tab_id=TABS["trials"],
                    ),
                    dbc.Tab(
                        html.Div(
                            [
                                html.Div(id="customers-admins-feedback"),
                                html.Div(
                                    admins_panel(detail.customer_id, may(role, "assignment.manage")),
                                    id="customers-admins-panel",
                                ),
                            ]
                        ),
                        label=_("Partner administrators"),
                        tab_id=TABS["admins"],
                    ),
                ],
                id="customers-detail-tabs",
                active_tab=active,
            ),
        ],
        id="customers-detail",
        className="customers-detail",
    )
