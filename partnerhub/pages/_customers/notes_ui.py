"""The Overview tab's notes and follow-up panel: the customer's notes, newest
first (author, time in the viewer's zone, the text as text), a form to add
one, edit and delete where the application layer would allow it, the
viewer's own follow-up (due date and a line of text, "Mark done", "Clear")
and a link to download the notes as CSV.

Roles that may only read see the notes and no form. Every change goes
through partnerhub/services/notes.py and follow_ups.py, which check the role
and the scope again: the customer id and note id the browser sends back are
only ever a request.
"""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import ALL, ClientsideFunction, Input, Output, State, ctx, dcc, html
from dash.development.base_component import Component
from dash.exceptions import PreventUpdate
from flask import has_request_context

from partnerhub.auth.guard import Refused
from partnerhub.components import empty_state, section
from partnerhub.components.callbacks import clicked_id
from partnerhub.components.icons import aria, icon
from partnerhub.data.follow_ups import TEXT_MAX
from partnerhub.data.notes import BODY_MAX, Note
from partnerhub.formatting import fmt_date, fmt_datetime, fmt_int
from partnerhub.i18n import _, n_
from partnerhub.pages._feedback import alert, refusal
from partnerhub.services import follow_ups, notes
from partnerhub.services.caller import Caller, current_caller
from partnerhub.services.follow_ups import utc_today

PANEL = "customers-notes-panel"
FEEDBACK = "customers-notes-feedback"
NEW = "customers-notes-new"
ADD = "customers-notes-add"
EDIT_MODAL = "customers-notes-edit-modal"
EDIT_TEXT = "customers-notes-edit-text"
EDIT_SAVE = "customers-notes-edit-save"
EDIT_FEEDBACK = "customers-notes-edit-feedback"
DELETE_MODAL = "customers-notes-delete-modal"
DELETE_TEXT = "customers-notes-delete-text"
DELETE_CONFIRM = "customers-notes-delete-confirm"
DELETE_FEEDBACK = "customers-notes-delete-feedback"
TARGET = "customers-notes-target"  # the note the open dialog is about
MAX = "customers-notes-max"
FU_DATE = "customers-followup-date"
FU_TEXT = "customers-followup-text"
FU_SET = "customers-followup-set"
FU_DONE = "customers-followup-done"
FU_CLEAR = "customers-followup-clear"
DETAIL_ID = "customers-detail-id"  # the page's customer (detail_layout.py)


def csv_url(customer_id: str) -> str:
    from urllib.parse import quote

    return f"/api/v1/customers/{quote(customer_id, safe='')}/notes.csv"


def _count(text: str) -> str:
    return f"{fmt_int(len(text))} / {fmt_int(BODY_MAX)}"


def _textarea(id: str, value: str, label: str) -> html.Div:
    count = f"{id}-count"
    return html.Div(
        [
            dbc.Label(label, html_for=id, className="form-label"),
            dbc.Textarea(
                id=id,
                value=value,
                maxLength=BODY_MAX,
                rows=4,
                className="note-input",
            ),
            html.Div(
                [
                    html.Span(_count(value), id=count),
                    html.Span(" " + _("characters"), className="visually-hidden"),
                ],
                className="form-text text-end note-count",
            ),
        ]
    )


# ---- the follow-up -------------------------------------------------------------------------------


def follow_up_status(fu) -> Component:
    if fu is None:
        return html.P(_("You have no follow-up on this customer."), className="small text-muted mb-2")
    if fu.done:
        when = _("Done: due %(date)s", date=fmt_date(fu.due_date))
    else:
        days = (fu.due_date - utc_today()).days
        if days < 0:
            when = n_(
                "Due %(date)s: overdue by %(count)s day",
                "Due %(date)s: overdue by %(count)s days",
                -days,
                date=fmt_date(fu.due_date),
                count=fmt_int(-days),
            )
        else:
            when = _("Due %(date)s", date=fmt_date(fu.due_date))
    return html.P(
        [html.Strong(when), " — ", html.Span(fu.text, className="follow-up-text")],
        className="follow-up-status mb-2" + (" follow-up-done" if fu.done else ""),
        id="customers-followup-status",
    )


def follow_up_block(fu) -> html.Div:
    # every button is there (a callback needs all its inputs), hidden where it has nothing to do
    buttons = [
        dbc.Button(_("Set follow-up"), id=FU_SET, color="primary", size="sm"),
        dbc.Button(
            _("Mark done"),
            id=FU_DONE,
            color="success",
            outline=True,
            size="sm",
            class_name="" if fu is not None and not fu.done else "d-none",
        ),
        dbc.Button(
            _("Clear"), id=FU_CLEAR, color="secondary", outline=True, size="sm", class_name="" if fu else "d-none"
        ),
    ]
    return html.Div(
        [
            html.H3(_("Your follow-up"), className="h6"),
            follow_up_status(fu),
            dbc.Row(
                [
                    dbc.Col(
                        [
                            dbc.Label(_("Due date"), html_for=FU_DATE, className="form-label filter-label"),
                            dbc.Input(
                                id=FU_DATE,
                                type="date",
                                value=fu.due_date.isoformat() if fu is not None else None,
                            ),
                        ],
                        md=4,
                    ),
                    dbc.Col(
                        [
                            dbc.Label(_("What to follow up on"), html_for=FU_TEXT, className="form-label filter-label"),
                            dbc.Input(
                                id=FU_TEXT,
                                type="text",
                                maxLength=TEXT_MAX,
                                value=fu.text if fu is not None else "",
                                autocomplete="off",
                            ),
                        ],
                        md=8,
                    ),
                ],
                className="g-2",
            ),
            html.Div(buttons, className="note-actions mt-2"),
        ],
        className="follow-up mb-3",
        id="customers-followup",
    )


# ---- the notes -----------------------------------------------------------------------------------


def note_item(note: Note, changeable: bool) -> html.Li:
    meta: list = [
        html.Strong(note.author, className="note-author"),
        " · ",
        html.Time(fmt_datetime(note.created_at), dateTime=note.created_at.isoformat()),
    ]
    if note.updated_at != note.created_at:
        meta += [" · ", html.Span(_("edited %(when)s", when=fmt_datetime(note.updated_at)), className="note-edited")]
    actions = None
    if changeable:
        actions = html.Div(
            [
                dbc.Button(
                    [icon("bi-pencil", "me-1"), _("Edit")],
                    id={"type": "customers-note-edit", "note": note.id},
                    size="sm",
                    color="link",
                ),
                dbc.Button(
                    [icon("bi-trash", "me-1"), _("Delete")],
                    id={"type": "customers-note-delete", "note": note.id},
                    size="sm",
                    color="link",
                    class_name="text-danger",
                ),
            ],
            className="note-actions",
        )
    return html.Li(
        [
            html.Div(meta, className="note-meta small text-muted"),
            # the text as text: Dash escapes a string child; pre-wrap keeps its lines
            html.Div(note.body, className="note-body"),
            actions,
        ],
        className="note",
        id=f"customers-note-{note.id}",
    )


def notes_list(caller: Caller, found: list[Note], writable: bool) -> Component:
    if not found:
        return empty_state(_("No notes yet."), None, id="customers-notes-empty", symbol="bi-journal-text")
    return html.Ol(
        [note_item(note, writable and notes.may_change(caller, note)) for note in found],
        className="notes list-unstyled",
        id="customers-notes-list",
        **aria(label=_("Notes, newest first")),
    )


def panel_body(caller: Caller, customer_id: str) -> html.Div:
    """What the panel shows the caller now (refused for a customer they do not see)."""
    found = notes.list_notes(caller, customer_id)
    writable = notes.may_write(caller, customer_id)
    parts: list = []
    if writable:
        parts.append(follow_up_block(follow_ups.my_follow_up(caller, customer_id)))
        parts.append(
            html.Div(
                [
                    _textarea(NEW, "", _("New note")),
                    dbc.Button(_("Add note"), id=ADD, color="primary", size="sm"),
                ],
                className="note-form mb-3",
            )
        )
    else:
        parts.append(html.P(_("Your role can read the notes but not write them."), className="small text-muted"))
    parts.append(notes_list(caller, found, writable))
    return html.Div(parts)


def _modals() -> list[Component]:
    edit = dbc.Modal(
        [
            dbc.ModalHeader(dbc.ModalTitle(_("Edit the note"), id=f"{EDIT_MODAL}-title")),
            dbc.ModalBody([_textarea(EDIT_TEXT, "", _("Note")), html.Div(id=EDIT_FEEDBACK)]),
            dbc.ModalFooter(dbc.Button(_("Save note"), id=EDIT_SAVE, color="primary")),
        ],
        id=EDIT_MODAL,
        is_open=False,
        labelledby=f"{EDIT_MODAL}-title",
    )
    delete = dbc.Modal(
        [
            dbc.ModalHeader(dbc.ModalTitle(_("Delete the note?"), id=f"{DELETE_MODAL}-title")),
            dbc.ModalBody(
                [
                    html.P(_("The note is removed for everyone. The audit log keeps its text.")),
                    html.Blockquote(id=DELETE_TEXT, className="note-body note-quote"),
                    html.Div(id=DELETE_FEEDBACK),
                ]
            ),
            dbc.ModalFooter(dbc.Button(_("Yes, delete the note"), id=DELETE_CONFIRM, color="danger")),
        ],
        id=DELETE_MODAL,
        is_open=False,
        labelledby=f"{DELETE_MODAL}-title",
    )
    return [edit, delete]


def notes_panel(customer_id: str) -> Component | None:
    """The panel of the customer page's Overview tab; None without a
    signed-in viewer who sees the customer (a layout drawn outside a request)."""
    if not has_request_context():
        return None
    try:
        caller = current_caller()
        body = panel_body(caller, customer_id)
    except (Refused, ValueError):
        return None
    download = html.A(
        [icon("bi-filetype-csv", "me-1"), _("Download notes (CSV)")],
        href=csv_url(customer_id),
        download="",
        id="customers-notes-download",
        className="btn btn-sm btn-light border",
    )
    return section(
        _("Notes and follow-up"),
        _(
            "Notes are shown to everyone who sees this customer; their author may change them within 24 hours. "
            "Your follow-up is yours alone."
        ),
        [
            dcc.Store(id=TARGET),
            dcc.Store(id=MAX, data=BODY_MAX),
            html.Div(id=FEEDBACK),
            html.Div(body, id=PANEL),
            *_modals(),
        ],
        id="customers-notes",
        actions=download,
    )


# ---- callbacks -----------------------------------------------------------------------------------

for _box in (NEW, EDIT_TEXT):
    dash.clientside_callback(
        ClientsideFunction("partnerhubNotes", "count"),
        Output(f"{_box}-count", "children"),
        Input(_box, "value"),
        State(MAX, "data"),
        prevent_initial_call=True,
    )


def _the_note(caller: Caller, customer_id, note_id) -> Note:
    """One note of the customer, as the caller sees it."""
    for note in notes.list_notes(caller, customer_id):
        if note.id == note_id:
            return note
    raise Refused(_("That note does not exist (any more)."), 404)


@dash.callback(
    Output(TARGET, "data"),
    Output(EDIT_MODAL, "is_open"),
    Output(EDIT_TEXT, "value"),
    Output(EDIT_FEEDBACK, "children"),
    Output(DELETE_MODAL, "is_open"),
    Output(DELETE_TEXT, "children"),
    Output(DELETE_FEEDBACK, "children"),
    Output(FEEDBACK, "children"),
    Input({"type": "customers-note-edit", "note": ALL}, "n_clicks"),
    Input({"type": "customers-note-delete", "note": ALL}, "n_clicks"),
    State(DETAIL_ID, "data"),
    prevent_initial_call=True,
)
def _open_dialog(_edit, _delete, customer_id):
    pressed = clicked_id()
    keep = dash.no_update
    try:
        note = _the_note(current_caller(), customer_id, pressed.get("note"))
    except (Refused, ValueError) as err:
        return (keep,) * 7 + (refusal(err),)
    if pressed.get("type") == "customers-note-edit":
        return note.id, True, note.body, None, False, keep, keep, None
    return note.id, False, keep, keep, True, note.body, None, None


def _refused(which, err: Exception, at: dict) -> tuple:
    """Six outputs of a write: the refusal where the person is looking (the
    dialog they are in, else the panel's notice), nothing else changed, so
    what they typed stays where it was."""
    answer = [dash.no_update] * 6
    answer[at.get(which, 0)] = refusal(err)
    return tuple(answer)


WRITE_OUTPUTS = (
    Output(FEEDBACK, "children", allow_duplicate=True),
    Output(PANEL, "children", allow_duplicate=True),
    Output(EDIT_MODAL, "is_open", allow_duplicate=True),
    Output(EDIT_FEEDBACK, "children", allow_duplicate=True),
    Output(DELETE_MODAL, "is_open", allow_duplicate=True),
    Output(DELETE_FEEDBACK, "children", allow_duplicate=True),
)


def _done(caller: Caller, customer_id, outcome) -> tuple:
    return alert(outcome.message), panel_body(caller, customer_id), False, None, False, None


@dash.callback(
    *WRITE_OUTPUTS,
    Input(ADD, "n_clicks"),
    Input(EDIT_SAVE, "n_clicks"),
    Input(DELETE_CONFIRM, "n_clicks"),
    State(NEW, "value"),
    State(EDIT_TEXT, "value"),
    State(TARGET, "data"),
    State(DETAIL_ID, "data"),
    prevent_initial_call=True,
)
def _write_note(_add, _save, _delete, new, edited, note_id, customer_id):
    if not (ctx.triggered and ctx.triggered[0]["value"]):
        raise PreventUpdate
    which = ctx.triggered_id
    try:
        caller = current_caller()
        if which == ADD:
            outcome = notes.add(caller, customer_id, new)
        elif which == EDIT_SAVE:
            outcome = notes.edit(caller, note_id, edited)
        elif which == DELETE_CONFIRM:
            outcome = notes.delete(caller, note_id)
        else:
            raise PreventUpdate
        return _done(caller, customer_id, outcome)
    except (Refused, ValueError) as err:
        return _refused(which, err, {EDIT_SAVE: 3, DELETE_CONFIRM: 5})


@dash.callback(
    *WRITE_OUTPUTS,
    Input(FU_SET, "n_clicks"),
    Input(FU_DONE, "n_clicks"),
    Input(FU_CLEAR, "n_clicks"),
    State(FU_DATE, "value"),
    State(FU_TEXT, "value"),
    State(DETAIL_ID, "data"),
    prevent_initial_call=True,
)
def _write_follow_up(_set, _done_clicks, _clear, due, line, customer_id):
    if not (ctx.triggered and ctx.triggered[0]["value"]):
        raise PreventUpdate
    which = ctx.triggered_id
    try:
        caller = current_caller()
        if which == FU_SET:
            outcome = follow_ups.set(caller, customer_id, due, line)
        elif which == FU_DONE:
            outcome = follow_ups.done(caller, customer_id)
        elif which == FU_CLEAR:
            outcome = follow_ups.clear(caller, customer_id)
        else:
            raise PreventUpdate
        return _done(caller, customer_id, outcome)
    except (Refused, ValueError) as err:
        return _refused(which, err, {})
