"""The customer page's Trials tab: the ongoing trial (with "Extend by 30
days" for a trial started in the app), a form to start one when none is
ongoing, and the trials before. Starting and extending go through the
application layer (partnerhub/services/trials.py)."""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import ALL, Input, Output, State, html
from dash.development.base_component import Component
from dash.exceptions import PreventUpdate

from partnerhub.auth.guard import Refused
from partnerhub.auth.scope import current_scope
from partnerhub.components import empty_state, fmt_date, fmt_days, fmt_int
from partnerhub.components.callbacks import clicked_id
from partnerhub.components.icons import aria
from partnerhub.components.labels import product_labels
from partnerhub.data.contract import PRODUCTS
from partnerhub.data.trials import (
    EXTENSION_DAYS,
    MAX_LICENSES,
    MIN_LICENSES,
    TRIAL_DAYS,
    Trial,
    app_trials,
    imported_trials,
    ongoing_trials,
    utc_today,
)
from partnerhub.i18n import _
from partnerhub.metrics.customer_detail import CustomerDetail, customer_detail
from partnerhub.metrics.types import Context, View
from partnerhub.pages._feedback import alert, shows_refusal
from partnerhub.services import trials as trial_actions
from partnerhub.services.caller import current_caller

from .common import context


def _licenses(t: Trial) -> str:
    labels = product_labels()
    return ", ".join(f"{labels.get(p, p)} ({fmt_int(n)})" for p, n in t.licenses.items()) or "—"


def _source(t: Trial) -> str:
    if t.source == "app":
        return _(
            "Started in this app by %(who)s. It reaches the statuses and license numbers with the next data import.",
            who=t.created_by or "—",
        )
    return _("From the imported data (trial %(id)s).", id=t.id)


def ongoing_card(t: Trial, can_manage: bool) -> dbc.Card:
    labels = product_labels()
    rows = [
        html.Tr([html.Td(labels.get(p, p)), html.Td(fmt_int(n), className="text-end")]) for p, n in t.licenses.items()
    ]
    products = (
        dbc.Table(
            [
                html.Thead(
                    html.Tr(
                        [html.Th(_("Product"), scope="col"), html.Th(_("Licenses"), scope="col", className="text-end")]
                    )
                ),
                html.Tbody(rows),
            ],
            size="sm",
            className="mb-2",
            style={"maxWidth": "24rem"},
        )
        if rows
        else html.P(_("No licenses recorded for this trial."), className="text-muted small")
    )
    facts = html.Div(
        [
            html.Span([html.Strong(_("Start") + ": "), fmt_date(t.start_date)]),
            html.Span([html.Strong(_("Ends") + ": "), html.Span(fmt_date(t.end_date), className="trial-end")]),
            html.Span(
                [html.Strong(_("Days left") + ": "), html.Span(fmt_days(t.days_left), className="trial-days-left")]
            ),
            html.Span([html.Strong(_("Extensions") + ": "), fmt_int(t.extensions)]) if t.source == "app" else None,
        ],
        className="subscription-dates",
    )
    action = None
    if can_manage and t.extendable:
        action = dbc.Button(
            _("Extend by %(n)s days", n=EXTENSION_DAYS),
            id={"type": "customers-trial-extend", "trial": t.id},
            color="primary",
            size="sm",
        )
    elif can_manage:
        action = html.P(
            _(
                "This trial came with the imported data: extend it where it was started; the app "
                "extends the trials started here."
            ),
            className="small text-muted mb-0",
        )
    return dbc.Card(
        dbc.CardBody(
            [
                html.H3(_("Ongoing trial"), className="h6"),
                html.P(_source(t), className="small text-muted"),
                products,
                facts,
                action,
            ]
        ),
        className="subscription-card",
        id=f"customers-trial-{t.source}-{t.id}",
    )


def start_form() -> html.Div:
    labels = product_labels()
    inputs = [
        html.Div(
            [
                dbc.Label(labels[p], html_for=f"customers-trial-lic-{p}", className="form-label filter-label"),
                # no min, max or whole step: the browser would hand an out-of-range
                # value over as empty, and the message could not name it
                dbc.Input(
                    id=f"customers-trial-lic-{p}",
                    type="number",
                    step="any",
                    inputmode="numeric",
                    placeholder=_("not in the trial"),
                ),
            ]
        )
        for p in PRODUCTS
    ]
    return html.Div(
        [
            html.H3(_("Start a trial"), className="h6"),
            html.P(
                _(
                    "Give %(lo)s–%(hi)s licenses for each product to try; leave a product empty to leave it out. "
                    "The trial starts today (UTC).",
                    lo=MIN_LICENSES,
                    hi=MAX_LICENSES,
                ),
                className="small text-muted",
                id="customers-trial-help",
            ),
            html.Div(
                inputs,
                className="trial-licenses",
                role="group",
                **aria(label=_("Licenses per product"), describedby="customers-trial-help"),
            ),
            html.Fieldset(
                [
                    html.Legend(_("Length"), className="form-label filter-label"),
                    dbc.RadioItems(
                        id="customers-trial-days",
                        value=TRIAL_DAYS[0],
                        inline=True,
                        options=[{"label": _("%(n)s days", n=d), "value": d} for d in TRIAL_DAYS],
                    ),
                ],
                className="mt-2",
            ),
            dbc.Button(_("Start trial"), id="customers-trial-start", color="primary", size="sm", className="mt-2"),
        ],
        className="trial-form",
    )


def past_table(trials: list[Trial]) -> Component:
    if not trials:
        return html.P(_("No earlier trials."), className="text-muted small")
    source = {"app": _("Started in this app"), "import": _("Imported")}
    return dbc.Table(
        [
            html.Thead(
                html.Tr(
                    [
                        html.Th(h, scope="col")
                        for h in (_("Trial"), _("Source"), _("Products (licenses)"), _("Start"), _("End"))
                    ]
                )
            ),
            html.Tbody(
                [
                    html.Tr(
                        [
                            html.Td(str(t.id)),
                            html.Td(source[t.source]),
                            html.Td(_licenses(t)),
                            html.Td(fmt_date(t.start_date)),
                            html.Td(fmt_date(t.end_date)),
                        ]
                    )
                    for t in trials
                ]
            ),
        ],
        size="sm",
        striped=True,
        responsive=True,
        id="customers-trials-past",
    )


def trials_panel(c: Context, detail: CustomerDetail, can_manage: bool) -> html.Div:
    today = utc_today()
    cid = detail.customer_id
    ongoing = ongoing_trials(c.state, detail.trials, cid, c.as_of, today, lines=detail.lines)
    past = [
        t
        for t in app_trials(c.state, cid, today) + imported_trials(detail.trials, cid, c.as_of, detail.lines)
        if t not in ongoing
    ]
    if ongoing:
        current = html.Div([ongoing_card(t, can_manage) for t in ongoing])
    else:
        current = html.Div(
            [
                empty_state(_("No ongoing trial."), _("This customer has no trial running today.")),
                html.Div(start_form(), className="mt-3")
                if can_manage
                else html.P(_("Your role cannot start trials."), className="small text-muted mt-2"),
            ]
        )
    return html.Div([current, html.H3(_("Earlier trials"), className="h6 mt-4"), past_table(past)])


# ---- callbacks: the application layer acts, the panel is drawn again -----------------------------


def _panel(customer_id: str) -> html.Div:
    """The trials panel of a customer, drawn again after a change."""
    c = context()
    detail = customer_detail(c, View(scope=current_scope()), customer_id) if c is not None else None
    if c is None or detail is None:
        raise Refused(_("Customer not found."), 404)
    return trials_panel(c, detail, True)


def started_message(trial: Trial) -> str:
    return _(
        "Trial started: %(products)s until %(end)s. It reaches the statuses and license numbers with the "
        "next data import.",
        products=_licenses(trial),
        end=fmt_date(trial.end_date),
    )


@dash.callback(
    Output("customers-trial-feedback", "children"),
    Output("customers-trial-panel", "children"),
    Input("customers-trial-start", "n_clicks"),
    *[State(f"customers-trial-lic-{p}", "value") for p in PRODUCTS],
    State("customers-trial-days", "value"),
    State("customers-detail-id", "data"),
    prevent_initial_call=True,
)
@shows_refusal(2)
def _start(n, *rest):
    if not n:
        raise PreventUpdate
    *values, days, customer_id = rest
    outcome = trial_actions.start(
        current_caller(), customer_id, dict(zip(PRODUCTS, values)), days, product_names=product_labels()
    )
    trial = outcome.value
    return alert(started_message(trial) if trial else outcome.message), _panel(customer_id)


@dash.callback(
    Output("customers-trial-feedback", "children", allow_duplicate=True),
    Output("customers-trial-panel", "children", allow_duplicate=True),
    Input({"type": "customers-trial-extend", "trial": ALL}, "n_clicks"),
    State("customers-detail-id", "data"),
    prevent_initial_call=True,
)
@shows_refusal(2)
def _extend(_clicks, customer_id):
    clicked = clicked_id()
    outcome = trial_actions.extend(current_caller(), clicked.get("trial"))
    trial = outcome.value
    # the panel of the page the button was on; of the trial's customer when that one is not in reach
    try:
        panel = _panel(customer_id)
    except Refused:
        panel = _panel(trial.customer_id if trial else customer_id)
    return alert(outcome.message), panel
