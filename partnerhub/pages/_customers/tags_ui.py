"""Custom tags on the customer list: the "Manage tags" modal (create, rename,
recolour, delete) and adding or removing a tag on the selected customers.

Only roles with tag.manage / tag.assign get these controls; every change
goes through the application layer (partnerhub/services/tags.py), which
checks the role, the scope and that the tag and customers exist: a refused
request shows the reason and changes nothing.
"""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, State, ctx, dcc, html
from dash.development.base_component import Component
from dash.exceptions import PreventUpdate

from partnerhub.data import tags as tag_store
from partnerhub.i18n import _, n_
from partnerhub.pages._feedback import alert, refusal, shows_refusal
from partnerhub.services import tags as tag_actions
from partnerhub.services.caller import current_caller

from .common import tag_chips

DEFAULT_NEW_COLOR = "#0072b2"


# ---- layout ------------------------------------------------------------------------------------


def tags_table(tags: list[dict]) -> Component:
    if not tags:
        return html.P(_("No tags yet: create the first one above."), className="text-muted small mb-0")
    rows = [
        html.Tr(
            [
                html.Td(tag_chips([t["name"]], {t["name"]: t["color"]})),
                html.Td(f"{t['customers']:,}", className="text-end"),
            ]
        )
        for t in tags
    ]
    return dbc.Table(
        [
            html.Thead(
                html.Tr([html.Th(_("Tag"), scope="col"), html.Th(_("Customers"), scope="col", className="text-end")])
            ),
            html.Tbody(rows),
        ],
        size="sm",
        className="mb-0",
        id="customers-tags-table",
    )


def _edit_options(tags: list[dict]) -> list[dict]:
    return [{"label": t["name"], "value": t["id"]} for t in tags]


def _field(label: str, control, width: int | None = None):
    return dbc.Col(
        [dbc.Label(label, html_for=control.id, className="form-label filter-label"), control], md=width or True
    )


def manage_tags_modal(tags: list[dict]) -> dbc.Modal:
    """tags: every tag; the table counts each one's customers in the
    viewer's scope, not all of the partner's."""
    tags = tag_actions.visible_tags(current_caller())
    create = html.Section(
        [
            html.H2(_("New tag"), className="h6"),
            dbc.Row(
                [
                    _field(
                        _("Name"),
                        dbc.Input(
                            id="customers-tag-new-name", type="text", maxLength=tag_store.NAME_MAX, autocomplete="off"
                        ),
                    ),
                    _field(
                        _("Colour"),
                        dbc.Input(
                            id="customers-tag-new-color",
                            type="color",
                            value=DEFAULT_NEW_COLOR,
                            class_name="form-control-color",
                        ),
                        3,
                    ),
                ],
                className="g-2 align-items-end",
            ),
            dbc.Button(_("Create tag"), id="customers-tag-create", color="primary", size="sm", className="mt-2"),
        ],
        className="mb-3",
    )
    change = html.Section(
        [
            html.H2(_("Change a tag"), className="h6"),
            html.Div(
                [
                    dbc.Label(_("Tag to change"), html_for="customers-tag-edit", className="form-label filter-label"),
                    dcc.Dropdown(
                        id="customers-tag-edit",
                        options=_edit_options(tags),
                        placeholder=_("Choose a tag"),
                        clearable=True,
                    ),
                ]
            ),
            dbc.Row(
                [
                    _field(
                        _("New name"),
                        dbc.Input(
                            id="customers-tag-edit-name", type="text", maxLength=tag_store.NAME_MAX, autocomplete="off"
                        ),
                    ),
                    _field(
                        _("New colour"),
                        dbc.Input(
                            id="customers-tag-edit-color",
                            type="color",
                            value=DEFAULT_NEW_COLOR,
                            class_name="form-control-color",
                        ),
                        3,
                    ),
                ],
                className="g-2 align-items-end mt-1",
            ),
            html.Div(
                [
                    dbc.Button(
                        _("Save changes"), id="customers-tag-save", color="primary", size="sm", className="me-2"
                    ),
                    dbc.Button(_("Delete tag…"), id="customers-tag-delete", color="outline-danger", size="sm"),
                ],
                className="mt-2",
            ),
            dbc.Collapse(
                dbc.Alert(
                    [
                        html.Div(id="customers-tag-delete-text"),
                        dbc.Button(
                            _("Yes, delete the tag"),
                            id="customers-tag-delete-confirm",
                            color="danger",
                            size="sm",
                            className="me-2 mt-2",
                        ),
                        dbc.Button(
                            _("Cancel"),
                            id="customers-tag-delete-cancel",
                            color="secondary",
                            outline=True,
                            size="sm",
                            className="mt-2",
                        ),
                    ],
                    color="warning",
                    className="mt-2 mb-0",
                ),
                id="customers-tag-delete-box",
                is_open=False,
            ),
        ],
        className="mb-3",
    )
    return dbc.Modal(
        [
            dbc.ModalHeader(dbc.ModalTitle(_("Manage tags"), id="customers-tags-title")),
            dbc.ModalBody(
                [
                    html.P(
                        _("Tags are shared: everyone sees them and can filter by them."), className="small text-muted"
                    ),
                    html.Div(id="customers-tags-feedback"),
                    create,
                    change,
                    html.Section(
                        [html.H2(_("All tags"), className="h6"), html.Div(tags_table(tags), id="customers-tags-list")]
                    ),
                ]
            ),
            dbc.ModalFooter(dbc.Button(_("Done"), id="customers-tags-close", color="secondary")),
        ],
        id="customers-tags-modal",
        is_open=False,
        size="lg",
        scrollable=True,
        labelledby="customers-tags-title",
    )


# ---- callbacks ---------------------------------------------------------------------------------


@dash.callback(
    Output("customers-tags-modal", "is_open"),
    Input("customers-tags-open", "n_clicks"),
    Input("customers-tags-close", "n_clicks"),
    prevent_initial_call=True,
)
def _open_modal(_open, _close):
    return ctx.triggered_id == "customers-tags-open"


@dash.callback(
    Output("customers-tag-edit-name", "value"),
    Output("customers-tag-edit-color", "value"),
    Output("customers-tag-delete-box", "is_open"),
    Input("customers-tag-edit", "value"),
    prevent_initial_call=True,
)
def _pick_tag(tag_id):
    tag = tag_store.get_tag(current_caller().state, tag_id) if tag_id is not None else None
    if tag is None:
        return "", DEFAULT_NEW_COLOR, False
    return tag["name"], tag["color"], False


@dash.callback(
    Output("customers-tag-delete-box", "is_open", allow_duplicate=True),
    Output("customers-tag-delete-text", "children"),
    Output("customers-tags-feedback", "children", allow_duplicate=True),
    Input("customers-tag-delete", "n_clicks"),
    Input("customers-tag-delete-cancel", "n_clicks"),
    State("customers-tag-edit", "value"),
    prevent_initial_call=True,
)
def _ask_delete(_delete, _cancel, tag_id):
    if ctx.triggered_id != "customers-tag-delete":
        return False, dash.no_update, dash.no_update
    caller = current_caller()
    tag = tag_store.get_tag(caller.state, tag_id, caller.scope) if tag_id is not None else None
    if tag is None:
        return False, dash.no_update, refusal(ValueError(_("Choose the tag to delete first.")))
    text = n_(
        "Delete “%(name)s”? %(count)s customer has it and will lose it.",
        "Delete “%(name)s”? %(count)s customers have it and will lose it.",
        tag["customers"],
        name=tag["name"],
        count=tag["customers"],
    )
    return True, text, None


@dash.callback(
    Output("customers-tags-feedback", "children", allow_duplicate=True),
    Output("customers-tags-version", "data", allow_duplicate=True),
    Output("customers-tag-new-name", "value"),
    Output("customers-tag-delete-box", "is_open", allow_duplicate=True),
    Output("customers-tag-edit", "value"),
    Input("customers-tag-create", "n_clicks"),
    Input("customers-tag-save", "n_clicks"),
    Input("customers-tag-delete-confirm", "n_clicks"),
    State("customers-tag-new-name", "value"),
    State("customers-tag-new-color", "value"),
    State("customers-tag-edit", "value"),
    State("customers-tag-edit-name", "value"),
    State("customers-tag-edit-color", "value"),
    State("customers-tags-version", "data"),
    prevent_initial_call=True,
)
@shows_refusal(5, also={3: False})
def _manage(_create, _save, _delete, new_name, new_color, tag_id, name, color, version):
    if not (ctx.triggered and ctx.triggered[0]["value"]):
        raise PreventUpdate
    caller = current_caller()
    if ctx.triggered_id == "customers-tag-create":
        outcome = tag_actions.create(caller, new_name, new_color)
    elif ctx.triggered_id == "customers-tag-save":
        outcome = tag_actions.change(caller, tag_id, name, color)
    elif ctx.triggered_id == "customers-tag-delete-confirm":
        outcome = tag_actions.delete(caller, tag_id)
    else:
        raise PreventUpdate
    return (
        alert(outcome.message),
        (version or 0) + 1,
        "" if ctx.triggered_id == "customers-tag-create" else dash.no_update,
        False,
        None if ctx.triggered_id == "customers-tag-delete-confirm" else dash.no_update,
    )


@dash.callback(
    Output("customers-tag-feedback", "children"),
    Output("customers-tags-version", "data", allow_duplicate=True),
    Input("customers-tag-add", "n_clicks"),
    Input("customers-tag-remove", "n_clicks"),
    State("customers-assign-tag", "value"),
    State("customers-grid", "selectedRows"),
    State("customers-tags-version", "data"),
    prevent_initial_call=True,
)
@shows_refusal(2)
def _assign(_add, _remove, tag_id, selected, version):
    if not (ctx.triggered and ctx.triggered[0]["value"]):
        raise PreventUpdate
    ids = [r.get("customer_id") if isinstance(r, dict) else r for r in (selected or [])]
    if ctx.triggered_id == "customers-tag-add":
        outcome = tag_actions.add_to_customers(current_caller(), tag_id, ids)
    elif ctx.triggered_id == "customers-tag-remove":
        outcome = tag_actions.remove_from_customers(current_caller(), tag_id, ids)
    else:
        raise PreventUpdate
    return alert(outcome.message), (version or 0) + 1


@dash.callback(
    Output("customers-tag-edit", "options"),
    Output("customers-tags-list", "children"),
    Input("customers-tags-version", "data"),
    prevent_initial_call=True,
)
def _refresh_modal(_version):
    tags = tag_actions.visible_tags(current_caller())
    return _edit_options(tags), tags_table(tags)


@dash.callback(
    Output("customers-assign-tag", "options"),
    Input("customers-tags-version", "data"),
    prevent_initial_call=True,
)
def _refresh_assign(_version):
    return [{"label": t["name"], "value": t["id"]} for t in tag_actions.visible_tags(current_caller())]


@dash.callback(
    Output("customers-selected", "children"),
    Input("customers-grid", "selectedRows"),
    prevent_initial_call=True,
)
def _selected(rows):
    n = len(rows or [])
    if not n:
        return _("Select customers with the boxes in the first column.")
    return n_("%(count)s customer selected", "%(count)s customers selected", n, count=f"{n:,}")
