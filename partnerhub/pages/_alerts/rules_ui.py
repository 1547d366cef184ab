"""The Alerts page's rules: the signed-in person's own rules, a form for a
new one (a condition with its parameters and defaults, an optional
narrowing, the channels) and deleting one.

Every change goes through services/alert_rules.py as the signed-in
identity, whose Outcome message the page shows; somebody else's rule id
sent in a request answers like an unknown one. Conditions on calling data
are offered only to the roles that see calling (and refused by the service
to the others).
"""

from __future__ import annotations

import math

import dash
import dash_bootstrap_components as dbc
from dash import ALL, Input, Output, State, ctx, dcc, html
from dash.development.base_component import Component
from dash.exceptions import PreventUpdate

from partnerhub.components.callbacks import clicked_id
from partnerhub.components.icons import aria
from partnerhub.components.labels import managed_by_labels
from partnerhub.components.shell import bell_contents
from partnerhub.formatting import fmt_datetime, fmt_int, fmt_number
from partnerhub.i18n import N_, _
from partnerhub.metrics.health_reasons import band_label
from partnerhub.pages._feedback import alert, shows_refusal
from partnerhub.services import alert_inbox, alert_rules
from partnerhub.services.alert_words import rule_title
from partnerhub.services.caller import Caller, current_caller

from .alerts_list import alerts_table
from .words import PERCENT_PARAMS, channel_labels, channels_text, condition_options, narrowing, param_labels

RULE_COLUMNS = (N_("Rule"), N_("Customers"), N_("Channels"), N_("Created"))


def rules_table(caller: Caller) -> Component:
    rules = alert_rules.list_rules(caller)
    if not rules:
        return html.P(_("You have no alert rules yet."), className="text-muted", id="alerts-rules-empty")
    header = html.Thead(
        html.Tr(
            [html.Th(_(h), scope="col") for h in RULE_COLUMNS]
            + [html.Th(html.Span(_("Delete"), className="visually-hidden"), scope="col")]
        )
    )
    body = html.Tbody(
        [
            html.Tr(
                [
                    html.Td(rule_title(r)),
                    html.Td(narrowing(r["filters"])),
                    html.Td(channels_text(r)),
                    html.Td(fmt_datetime(r["created_at"]) if r["created_at"] else "–"),
                    html.Td(
                        html.Button(
                            _("Delete"),
                            id={"type": "alerts-rule-delete", "rule": r["id"]},
                            type="button",
                            className="btn btn-outline-danger btn-sm",
                            **aria(label=_("Delete the rule %(rule)s", rule=rule_title(r))),
                        )
                    ),
                ]
            )
            for r in rules
        ]
    )
    return dbc.Table([header, body], size="sm", striped=True, responsive=True, id="alerts-rules-table")


def _shown_default(name: str, value: float) -> float:
    return round(value * 100, 4) if name in PERCENT_PARAMS else value


def param_inputs(condition: str | None) -> list:
    """One number input per parameter of the condition, at its default."""
    chosen = alert_rules.CONDITIONS.get(condition or "")
    if chosen is None:
        return []
    if not chosen.params:
        return [html.P(_("This condition has no parameters."), className="small text-muted mb-2")]
    labels = param_labels()
    fields = []
    for name, p in chosen.params.items():
        percent = name in PERCENT_PARAMS
        component_id = {"type": "alerts-new-param", "name": name}
        low, high = (p.low * 100, p.high * 100) if percent else (p.low, p.high)
        shown = fmt_int if p.whole or percent else (lambda v: fmt_number(v, 2))
        fields.append(
            dbc.Col(
                html.Div(
                    [
                        # a pattern-matching id is no DOM id a <label for> can name: the label holds its input
                        html.Label(
                            [
                                html.Span(labels.get(name, name), className="form-label d-block"),
                                dbc.Input(
                                    id=component_id,
                                    type="number",
                                    value=_shown_default(name, p.default),
                                    min=low,
                                    max=high,
                                    step=1 if p.whole else "any",
                                ),
                            ],
                            className="d-block mb-0",
                        ),
                        dbc.FormText(
                            _(
                                "Default %(default)s; above %(low)s and at most %(high)s.",
                                default=shown(_shown_default(name, p.default)),
                                low=shown(low),
                                high=shown(high),
                            )
                            if p.low_open
                            else _(
                                "Default %(default)s; from %(low)s to %(high)s.",
                                default=shown(_shown_default(name, p.default)),
                                low=shown(low),
                                high=shown(high),
                            )
                        ),
                    ],
                    className="mb-2",
                ),
                md=4,
            )
        )
    return [dbc.Row(fields)]


def _option(values: dict[str, str]) -> list[dict]:
    return [{"label": label, "value": value} for value, label in values.items()]


def rule_form(caller: Caller, tag_names: list[str]) -> dbc.Card:
    options = condition_options(caller.role)
    first = options[0]["value"] if options else None
    return dbc.Card(
        dbc.CardBody(
            [
                html.H3(_("New alert rule"), className="h6"),
                html.Div(
                    [
                        dbc.Label(_("Condition"), html_for="alerts-new-condition"),
                        dbc.Select(id="alerts-new-condition", value=first, options=options),
                    ],
                    className="mb-2",
                ),
                html.Div(param_inputs(first), id="alerts-new-params"),
                html.Fieldset(
                    [
                        html.Legend(_("Only customers (optional)"), className="fs-6"),
                        dbc.Row(
                            [
                                dbc.Col(
                                    html.Div(
                                        [
                                            dbc.Label(_("With any of these tags"), id="alerts-new-tag-label"),
                                            dcc.Dropdown(
                                                id="alerts-new-tag",
                                                options=tag_names,
                                                value=[],
                                                multi=True,
                                                placeholder=_("any tag"),
                                            ),
                                        ],
                                        role="group",
                                        className="mb-2",
                                        **aria(labelledby="alerts-new-tag-label"),
                                    ),
                                    md=4,
                                ),
                                dbc.Col(
                                    html.Div(
                                        [
                                            dbc.Label(_("Managed by"), html_for="alerts-new-managed-by"),
                                            dbc.Checklist(
                                                id="alerts-new-managed-by",
                                                options=_option(managed_by_labels()),
                                                value=[],
                                            ),
                                        ],
                                        className="mb-2",
                                    ),
                                    md=4,
                                ),
                                dbc.Col(
                                    html.Div(
                                        [
                                            dbc.Label(_("Health"), html_for="alerts-new-health-band"),
                                            dbc.Checklist(
                                                id="alerts-new-health-band",
                                                options=[
                                                    {"label": band_label(b), "value": b}
                                                    for b in alert_rules.HEALTH_BANDS
                                                ],
                                                value=[],
                                            ),
                                        ],
                                        className="mb-2",
                                    ),
                                    md=4,
                                ),
                            ]
                        ),
                    ]
                ),
                html.Fieldset(
                    [
                        html.Legend(_("Tell me"), className="fs-6"),
                        dbc.Checklist(
                            id="alerts-new-channels",
                            options=_option(channel_labels()),
                            value=["inbox"],
                            inline=True,
                        ),
                        dbc.FormText(
                            _("E-mails go to your address, in your language; a webhook posts to the address below.")
                        ),
                        dbc.Row(
                            [
                                dbc.Col(
                                    html.Div(
                                        [
                                            dbc.Label(_("Webhook address"), html_for="alerts-new-webhook-url"),
                                            dbc.Input(
                                                id="alerts-new-webhook-url",
                                                type="url",
                                                maxLength=alert_rules.URL_MAX,
                                                placeholder="https://…",
                                            ),
                                        ]
                                    ),
                                    md=7,
                                ),
                                dbc.Col(
                                    html.Div(
                                        [
                                            dbc.Label(_("Webhook secret"), html_for="alerts-new-webhook-secret"),
                                            dbc.Input(
                                                id="alerts-new-webhook-secret",
                                                type="text",
                                                maxLength=alert_rules.SECRET_MAX,
                                                autoComplete="off",
                                            ),
                                            dbc.FormText(_("Leave it empty to have one made; it is shown once.")),
                                        ]
                                    ),
                                    md=5,
                                ),
                            ],
                            className="mt-2",
                        ),
                    ],
                    className="mb-2",
                ),
                dbc.Button(_("Create rule"), id="alerts-new-create", color="primary"),
            ]
        ),
        className="mt-3",
    )


def rules_section(caller: Caller, tag_names: list[str]) -> html.Section:
    return html.Section(
        [
            html.H2(_("Your alert rules"), className="h5", id="alerts-rules-heading"),
            html.P(
                _(
                    "Each rule is checked after every data import, on the customers you see at that time: "
                    "an alert opens when its condition starts to hold and resolves when it stops."
                ),
                className="small text-muted",
            ),
            html.Div(id="alerts-rule-feedback", role="status"),
            html.Div(rules_table(caller), id="alerts-rules"),
            rule_form(caller, tag_names),
        ],
        className="mb-4",
        **aria(labelledby="alerts-rules-heading"),
    )


@dash.callback(
    Output("alerts-new-params", "children"),
    Input("alerts-new-condition", "value"),
    prevent_initial_call=True,
)
def _show_params(condition):
    return param_inputs(condition)


def _percent(label: str, value) -> float | None:
    """A percentage typed on the page as the ratio the rule keeps."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        number = math.nan
    if not math.isfinite(number) or not 0 < number <= 100:
        raise ValueError(_("%(label)s: give a number above 0 and at most 100.", label=label))
    return number / 100


def typed_params(boxes) -> dict:
    """{parameter: value} from the parameter inputs (their pattern-matching
    ids name the parameter); percentages become ratios."""
    labels = param_labels()
    params: dict = {}
    for box in boxes or []:
        name = box["id"]["name"]
        value = box.get("value")
        params[name] = _percent(labels.get(name, name), value) if name in PERCENT_PARAMS else value
    return params


def _made(outcome) -> Component:
    rule = outcome.value or {}
    secret = rule.get("webhook_secret")
    if not secret:
        return alert(outcome.message)
    shown = html.Div(
        [
            html.P(outcome.message, className="mb-1"),
            html.P(_("Copy the webhook secret now: it is not shown again."), className="mb-1"),
            html.Div(
                [
                    html.Code(secret, id="alerts-new-secret", className="user-select-all me-2"),
                    dcc.Clipboard(target_id="alerts-new-secret", title=_("Copy"), className="d-inline-block"),
                ]
            ),
            html.P(
                [
                    _("Each post carries its signature in this header:"),
                    " ",
                    html.Code("X-PartnerHub-Signature: sha256=…"),
                ],
                className="small mb-0 mt-1",
            ),
        ]
    )
    return alert(shown, "info")


@dash.callback(
    Output("alerts-rule-feedback", "children", allow_duplicate=True),
    Output("alerts-rules", "children", allow_duplicate=True),
    Output("alerts-new-webhook-secret", "value"),
    Input("alerts-new-create", "n_clicks"),
    State("alerts-new-condition", "value"),
    State({"type": "alerts-new-param", "name": ALL}, "value"),
    State("alerts-new-tag", "value"),
    State("alerts-new-managed-by", "value"),
    State("alerts-new-health-band", "value"),
    State("alerts-new-channels", "value"),
    State("alerts-new-webhook-url", "value"),
    State("alerts-new-webhook-secret", "value"),
    prevent_initial_call=True,
)
@shows_refusal(3)
def _create(n, condition, _params, tags, managed_by, health_band, channels, url, secret):
    if not n:
        raise PreventUpdate
    caller = current_caller()
    chosen = channels or []
    webhook = "webhook" in chosen
    outcome = alert_rules.create(
        caller,
        condition,
        params=typed_params(ctx.states_list[1] if len(ctx.states_list) > 1 else []),
        filters={"tag": tags or [], "managed_by": managed_by or [], "health_band": health_band or []},
        channels=chosen,
        # the address and secret stay in the form when the webhook is not chosen: not sent
        webhook_url=(url or None) if webhook else None,
        webhook_secret=(secret or None) if webhook else None,
    )
    return _made(outcome), rules_table(caller), ""


@dash.callback(
    Output("alerts-rule-feedback", "children", allow_duplicate=True),
    Output("alerts-rules", "children", allow_duplicate=True),
    Output("alerts-list", "children", allow_duplicate=True),
    Output("nav-alerts", "children", allow_duplicate=True),
    Input({"type": "alerts-rule-delete", "rule": ALL}, "n_clicks"),
    State("alerts-state", "value"),
    State("alerts-condition", "value"),
    prevent_initial_call=True,
)
@shows_refusal(4)
def _delete(_clicks, which, condition):
    clicked = clicked_id()
    caller = current_caller()
    outcome = alert_rules.delete(caller, clicked.get("rule"))
    # the rule's alerts went with it
    return (
        alert(outcome.message),
        rules_table(caller),
        alerts_table(caller, which, condition),
        bell_contents(alert_inbox.unread_count(caller)),
    )
