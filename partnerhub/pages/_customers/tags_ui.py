"""Custom tags on the customer list: the "Manage tags" modal (create, rename,
recolour, delete) and adding or removing a tag on the selected customers.

Only roles with tag.manage / tag.assign get these controls, and every
callback asks auth.guard.require_action again before it changes anything:
a refused request shows the reason and changes nothing.
"""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, State, ctx, dcc, html
from dash.exceptions import PreventUpdate

from partnerhub.auth.guard import Refused, require_action
from partnerhub.components.i18n import _, n_
from partnerhub.data import tags as tag_store
from partnerhub.data.runtime import current_snapshot, services

from .common import alert, refusal, tag_chips

DEFAULT_NEW_COLOR = "#0072b2"


# ---- layout ------------------------------------------------------------------------------------


def tags_table(tags: list[dict]) -> html.Div:
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


# ---- the writes, checked on the server -------------------------------------------------------------


def _name(value) -> str:
    name = tag_store.clean_name(value)
    # the list's address separates several tags with commas (?tag=a,b), so a
    # comma inside a name could not be filtered on
    if "," in name:
        raise ValueError(_("A tag name cannot contain a comma."))
    return name


def manage_tag(action: str, new_name=None, new_color=None, tag_id=None, name=None, color=None) -> str:
    """create | save | delete a tag as the current identity; the message to
    show. Raises Refused or ValueError (nothing changed)."""
    ident = require_action("tag.manage")
    state = services().state
    if action == "create":
        tag = tag_store.create_tag(state, ident.email, _name(new_name), new_color or tag_store.DEFAULT_COLOR)
        return _("Created the tag “%(name)s”.", name=tag["name"])
    if tag_id is None:
        raise ValueError(_("Choose the tag to change first."))
    current = next((t for t in tag_store.list_tags(state) if t["id"] == tag_id), None)
    if current is None:
        raise ValueError(_("That tag does not exist (any more)."))
    if action == "delete":
        gone = tag_store.delete_tag(state, ident.email, tag_id)
        return n_(
            "Deleted the tag “%(name)s”; %(count)s customer lost it.",
            "Deleted the tag “%(name)s”; %(count)s customers lost it.",
            gone["customers"],
            name=gone["name"],
            count=gone["customers"],
        )
    if action == "save":
        new = _name(name) if name is not None and str(name).strip() else current["name"]
        changed = []
        if new != current["name"]:
            tag_store.rename_tag(state, ident.email, tag_id, new)
            changed.append(_("renamed to “%(name)s”", name=new))
        if color and tag_store.clean_color(color) != current["color"]:
            tag_store.recolor_tag(state, ident.email, tag_id, color)
            changed.append(_("new colour %(color)s", color=tag_store.clean_color(color)))
        if not changed:
            raise ValueError(_("Nothing to save: change the name or the colour first."))
        return _("Tag “%(name)s”: %(changes)s.", name=current["name"], changes=", ".join(changed))
    raise PreventUpdate


def assign_tag(action: str, tag_id, selected_rows) -> str:
    """add | remove the tag on the selected customers. Every selected
    customer must be in the viewer's scope (and exist), or nothing changes."""
    require_action("tag.assign")
    ids = [r.get("customer_id") if isinstance(r, dict) else r for r in (selected_rows or [])]
    if not ids:
        raise ValueError(_("Select one or more customers in the table first."))
    if tag_id is None:
        raise ValueError(_("Choose a tag first."))
    if any(not isinstance(cid, str) for cid in ids):
        raise Refused(_("Customer not found."), 404)
    ids = list(dict.fromkeys(ids))
    ident = None
    for cid in ids:
        ident = require_action("tag.assign", cid)
    known = _existing(ids)
    if len(known) != len(ids):
        raise Refused(_("Customer not found."), 404)
    state = services().state
    tag = next((t for t in tag_store.list_tags(state) if t["id"] == tag_id), None)
    if tag is None:
        raise ValueError(_("That tag does not exist (any more)."))
    if action == "add":
        n = tag_store.add_tag(state, ident.email, tag_id, ids)
        return n_(
            "Added “%(tag)s” to %(count)s customer.",
            "Added “%(tag)s” to %(count)s customers.",
            n,
            tag=tag["name"],
            count=n,
        ) + (" " + _("The others had it already.") if n < len(ids) else "")
    n = tag_store.remove_tag(state, ident.email, tag_id, ids)
    return n_(
        "Removed “%(tag)s” from %(count)s customer.",
        "Removed “%(tag)s” from %(count)s customers.",
        n,
        tag=tag["name"],
        count=n,
    ) + (" " + _("The others did not have it.") if n < len(ids) else "")


def _existing(ids: list[str]) -> set[str]:
    snap = current_snapshot()
    if snap is None:
        return set()
    found = set()
    for i in range(0, len(ids), 1000):
        found |= {
            r[0]
            for r in snap.rows(
                "SELECT customer_id FROM customers WHERE customer_id IN (SELECT unnest(?::VARCHAR[]))",
                [ids[i : i + 1000]],
            )
        }
    return found


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
    tag = next((t for t in tag_store.list_tags(services().state) if t["id"] == tag_id), None)
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
    tag = next((t for t in tag_store.list_tags(services().state) if t["id"] == tag_id), None)
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
def _manage(_create, _save, _delete, new_name, new_color, tag_id, name, color, version):
    action = {
        "customers-tag-create": "create",
        "customers-tag-save": "save",
        "customers-tag-delete-confirm": "delete",
    }.get(ctx.triggered_id)
    if action is None or not (ctx.triggered and ctx.triggered[0]["value"]):
        raise PreventUpdate
    try:
        message = manage_tag(action, new_name, new_color, tag_id, name, color)
    except (Refused, ValueError) as err:
        return refusal(err), dash.no_update, dash.no_update, False, dash.no_update
    return (
        alert(message),
        (version or 0) + 1,
        "" if action == "create" else dash.no_update,
        False,
        None if action == "delete" else dash.no_update,
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
def _assign(_add, _remove, tag_id, selected, version):
    action = {"customers-tag-add": "add", "customers-tag-remove": "remove"}.get(ctx.triggered_id)
    if action is None or not (ctx.triggered and ctx.triggered[0]["value"]):
        raise PreventUpdate
    try:
        message = assign_tag(action, tag_id, selected)
    except (Refused, ValueError) as err:
        return refusal(err), dash.no_update
    return alert(message), (version or 0) + 1


@dash.callback(
    Output("customers-tag-edit", "options"),
    Output("customers-tags-list", "children"),
    Input("customers-tags-version", "data"),
    prevent_initial_call=True,
)
def _refresh_modal(_version):
    tags = tag_store.list_tags(services().state)
    return _edit_options(tags), tags_table(tags)


@dash.callback(
    Output("customers-assign-tag", "options"),
    Input("customers-tags-version", "data"),
    prevent_initial_call=True,
)
def _refresh_assign(_version):
    return [{"label": t["name"], "value": t["id"]} for t in tag_store.list_tags(services().state)]


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
