"""The "Audit log" tab: every change, newest first, filtered by who, action,
customer and dates."""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, html

from partnerhub.auth.audit import list_audit
from partnerhub.components.grid import client_rows, data_grid
from partnerhub.data.runtime import services
from partnerhub.i18n import N_, _
from partnerhub.pages._feedback import shows_refusal

from .audit_words import action_label, sentence
from .fields import field, when

AUDIT_LIMIT = 500
ANY = "any"  # the action filter's "any action"

AUDIT_COLUMNS = (
    ("at", N_("When")),
    ("actor", N_("Who")),
    ("action", N_("Action")),
    ("change", N_("What changed")),
    ("customer_id", N_("Customer")),
)


def audit_rows(rows: list[dict]) -> list[dict]:
    """The rows as the viewer reads them: the action by its name and the
    change as a sentence (audit_words), never a code or dict text."""
    return [
        {
            "id": str(r["id"]),
            "at": when(r["at"]),
            "actor": r["actor"],
            "action": action_label(r["action"]),
            "change": sentence(r),
            "customer_id": r["customer_id"] or "–",
        }
        for r in rows
    ]


def audit_grid(rows: list[dict]):
    columns = [(name, _(header), "text") for name, header in AUDIT_COLUMNS]
    return data_grid(
        "admin-audit-grid",
        columns,
        client_rows(audit_rows(rows), [name for name, _h in AUDIT_COLUMNS]),
        server_side=False,
        page_size=50,
        empty_message=_("No changes match these filters."),
        grid_options={"getRowId": {"function": "params.data.id"}},
    )


def audit_tab(actions: list[str], rows: list[dict]) -> html.Div:
    return html.Div(
        [
            dbc.Row(
                [
                    dbc.Col(
                        field(
                            _("Who"),
                            dbc.Input(
                                id="admin-audit-who", type="text", debounce=True, placeholder=_("e-mail, import or cli")
                            ),
                        ),
                        md=3,
                    ),
                    dbc.Col(
                        field(
                            _("Action"),
                            dbc.Select(
                                id="admin-audit-action",
                                value=ANY,
                                options=[{"label": _("any"), "value": ANY}]
                                + [{"label": action_label(a), "value": a} for a in actions],
                            ),
                        ),
                        md=3,
                    ),
                    dbc.Col(
                        field(_("Customer id"), dbc.Input(id="admin-audit-customer", type="text", debounce=True)), md=2
                    ),
                    dbc.Col(field(_("From"), dbc.Input(id="admin-audit-from", type="date")), md=2),
                    dbc.Col(field(_("To"), dbc.Input(id="admin-audit-to", type="date")), md=2),
                ]
            ),
            html.Div(id="admin-audit-feedback", role="status"),
            html.P(_("Newest first; at most %(n)s changes are shown.", n=AUDIT_LIMIT), className="small text-muted"),
            audit_grid(rows),
        ],
        className="pt-3",
    )


@dash.callback(
    Output("admin-audit-grid", "rowData"),
    Output("admin-audit-feedback", "children"),
    Input("admin-audit-who", "value"),
    Input("admin-audit-action", "value"),
    Input("admin-audit-customer", "value"),
    Input("admin-audit-from", "value"),
    Input("admin-audit-to", "value"),
    Input("admin-refresh", "data"),
    Input("admin-assign-refresh", "data"),
    prevent_initial_call=True,
)
@shows_refusal(2, at=1, also={0: []})
def _filter_audit(who, action, customer_id, date_from, date_to, _v1, _v2):
    rows = list_audit(
        services().state,
        who=who,
        action=None if action in (None, "", ANY) else action,
        customer_id=customer_id,
        date_from=date_from or None,
        date_to=date_to or None,
        limit=AUDIT_LIMIT,
    )
    # sorted in the browser by the server's collation (components.grid.client_rows)
    return client_rows(audit_rows(rows), [name for name, _h in AUDIT_COLUMNS]), None
