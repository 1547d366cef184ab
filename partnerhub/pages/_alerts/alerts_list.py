"""The Alerts page's list: the signed-in person's open and resolved alerts,
filtered by state and condition, each with its customer's link, the rule in
words, what made it fire, its dates in the viewer's time zone and whether
it has been read; "Mark read" for the selected ones or all.

Every callback acts as the signed-in identity (services/alert_inbox.py):
an id of somebody else's alert sent in a request changes nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import quote

import dash
import dash_bootstrap_components as dbc
from dash import ALL, Input, Output, State, ctx, dcc, html
from dash.development.base_component import Component
from dash.exceptions import PreventUpdate

from partnerhub.components.icons import aria
from partnerhub.components.shell import bell_contents
from partnerhub.formatting import fmt_date, fmt_datetime
from partnerhub.i18n import N_, _
from partnerhub.pages._feedback import alert, shows_refusal
from partnerhub.services import alert_inbox, alert_rules
from partnerhub.services.alert_words import alert_detail, rule_title
from partnerhub.services.caller import Caller, current_caller

from .words import state_labels

LIMIT = 500  # the newest this many: the page is a worklist, not an archive
ANY = "any"  # the condition filter's "any condition"
DEFAULT_STATE = "all"

COLUMNS = (
    N_("Customer"),
    N_("Alert"),
    N_("What happened"),
    N_("State"),
    N_("Opened"),
    N_("Resolved"),
    N_("Read"),
)


def customer_href(customer_id: str) -> str:
    return f"/customers/{quote(customer_id, safe='')}"


def read_alerts(caller: Caller, which: str | None, condition: str | None) -> list[dict]:
    """The caller's alerts for the filters: state open | resolved | all,
    condition a code or "any"."""
    alerts = alert_inbox.list_alerts(caller, which or DEFAULT_STATE, LIMIT)
    if condition and condition != ANY:
        alerts = [a for a in alerts if a["condition"] == condition]
    return alerts


def _rule_words(caller: Caller) -> dict[int, str]:
    return {r["id"]: rule_title(r) for r in alert_rules.list_rules(caller)}


def _row(a: Mapping, rule_words: Mapping[int, str]) -> html.Tr:
    unread = a["read_at"] is None
    customer = a["customer_name"] or a["customer_id"]
    opened = fmt_datetime(a["opened_at"]) if a["opened_at"] else "–"
    resolved = fmt_datetime(a["resolved_at"]) if a["resolved_at"] else "–"
    return html.Tr(
        [
            html.Td(
                dbc.Checkbox(
                    id={"type": "alerts-select", "alert": a["id"]},
                    value=False,
                    label=html.Span(
                        _("Select the alert on %(customer)s", customer=customer), className="visually-hidden"
                    ),
                )
            ),
            html.Td(dcc.Link(customer, href=customer_href(a["customer_id"]))),
            html.Td(rule_words.get(a["rule_id"], a["condition"])),
            html.Td(alert_detail(a["condition"], a["values"] or {})),
            html.Td(
                dbc.Badge(
                    state_labels()[a["state"]],
                    color="warning" if a["state"] == "open" else "secondary",
                    text_color="dark" if a["state"] == "open" else None,
                )
            ),
            html.Td(opened, title=_("data as of %(date)s", date=fmt_date(a["opened_as_of"]))),
            html.Td(
                resolved,
                title=_("data as of %(date)s", date=fmt_date(a["resolved_as_of"])) if a["resolved_as_of"] else None,
            ),
            html.Td(dbc.Badge(_("Unread"), color="primary") if unread else _("Read")),
        ],
        className="alerts-unread" if unread else None,
    )


def alerts_table(caller: Caller, which: str | None = DEFAULT_STATE, condition: str | None = ANY) -> Component:
    alerts = read_alerts(caller, which, condition)
    if not alerts:
        return html.P(_("No alerts match these filters."), className="text-muted", id="alerts-empty")
    words = _rule_words(caller)
    header = html.Thead(
        html.Tr(
            [html.Th(html.Span(_("Select"), className="visually-hidden"), scope="col")]
            + [html.Th(_(h), scope="col") for h in COLUMNS]
        )
    )
    parts: list = [
        dbc.Table(
            [header, html.Tbody([_row(a, words) for a in alerts])],
            size="sm",
            hover=True,
            responsive=True,
            id="alerts-table",
            className="alerts-table",
        )
    ]
    if len(alerts) >= LIMIT:
        parts.append(html.P(_("Showing the newest %(num)s alerts.", num=LIMIT), className="small text-muted"))
    return html.Div(parts)


def condition_filter_options(caller: Caller) -> list[dict]:
    return [{"label": _("Any condition"), "value": ANY}] + [
        {"label": rule_title({"condition": c, "params": alert_rules.defaults(c)}), "value": c}
        for c in alert_rules.conditions_for(caller.role)
    ]


def alerts_section(caller: Caller) -> html.Section:
    states = state_labels()
    return html.Section(
        [
            html.H2(_("Your alerts"), className="h5", id="alerts-list-heading"),
            dbc.Row(
                [
                    dbc.Col(
                        html.Div(
                            [
                                dbc.Label(_("State"), html_for="alerts-state"),
                                dbc.Select(
                                    id="alerts-state",
                                    value=DEFAULT_STATE,
                                    options=[{"label": states[s], "value": s} for s in ("all", "open", "resolved")],
                                ),
                            ]
                        ),
                        md=3,
                    ),
                    dbc.Col(
                        html.Div(
                            [
                                dbc.Label(_("Condition"), html_for="alerts-condition"),
                                dbc.Select(id="alerts-condition", value=ANY, options=condition_filter_options(caller)),
                            ]
                        ),
                        md=5,
                    ),
                    dbc.Col(
                        html.Div(
                            [
                                dbc.Button(
                                    _("Mark selected read"),
                                    id="alerts-mark-selected",
                                    color="outline-primary",
                                    className="me-2",
                                ),
                                dbc.Button(_("Mark all read"), id="alerts-mark-all", color="outline-secondary"),
                            ],
                            className="mt-4",
                        ),
                        md=4,
                    ),
                ],
                className="mb-2",
            ),
            html.Div(id="alerts-feedback", role="status"),
            html.Div(alerts_table(caller), id="alerts-list"),
        ],
        className="mb-4",
        **aria(labelledby="alerts-list-heading"),
    )


@dash.callback(
    Output("alerts-list", "children", allow_duplicate=True),
    Input("alerts-state", "value"),
    Input("alerts-condition", "value"),
    prevent_initial_call=True,
)
@shows_refusal(1)
def _filter(which, condition):
    return alerts_table(current_caller(), which, condition)


@dash.callback(
    Output("alerts-feedback", "children"),
    Output("alerts-list", "children", allow_duplicate=True),
    Output("nav-alerts", "children", allow_duplicate=True),
    Input("alerts-mark-selected", "n_clicks"),
    Input("alerts-mark-all", "n_clicks"),
    State({"type": "alerts-select", "alert": ALL}, "value"),
    State("alerts-state", "value"),
    State("alerts-condition", "value"),
    prevent_initial_call=True,
)
@shows_refusal(3)
def _mark_read(_selected, _all, _checked, which, condition):
    if not ctx.triggered or not ctx.triggered[0]["value"]:
        raise PreventUpdate
    caller = current_caller()
    if ctx.triggered_id == "alerts-mark-all":
        outcome = alert_inbox.mark_read(caller, None)
    else:
        boxes = ctx.states_list[0] if ctx.states_list else []
        ids = [box["id"]["alert"] for box in boxes if box.get("value") is True]
        outcome = alert_inbox.mark_read(caller, ids)
    return (
        alert(outcome.message, "success" if outcome.changed else "info"),
        alerts_table(caller, which, condition),
        bell_contents(alert_inbox.unread_count(caller)),
    )
