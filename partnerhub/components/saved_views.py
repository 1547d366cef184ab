"""The saved-views bar of a page: a "Views" menu listing the viewer's own
views and the ones others shared (each a link to the page with its
filters), "Save view…" and "Manage views…" dialogs.

Layout only: what the viewer sees and may do comes in as ViewItems from the
page (pages/_saved_views.py), whose callbacks act through the application
layer. Every id starts with the page's area prefix ("customers-views-…"),
so that the request guard judges the bar's callbacks by the page's area.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import dash_bootstrap_components as dbc
from dash import dcc, html
from dash.development.base_component import Component

from partnerhub.i18n import _

from .icons import aria, icon

NAME_MAX = 80  # data/saved_views.NAME_MAX: the browser stops there too


@dataclass(frozen=True)
class ViewItem:
    """One saved view as the viewer sees it."""

    id: int
    name: str
    url: str  # the page's address with the view's query
    shared: bool
    owner: str  # the owner's name
    own: bool  # the viewer's own view
    landing: bool  # the view the viewer lands on after sign-in
    may_edit: bool  # rename, share
    may_delete: bool


def ids(prefix: str) -> dict[str, str]:
    """The ids of one page's bar (prefix: the page's area, "customers")."""
    p = f"{prefix}-views"
    return {
        "bar": p,
        "menu": f"{p}-menu",
        "items": f"{p}-items",
        "feedback": f"{p}-feedback",
        "save_open": f"{p}-save-open",
        "manage_open": f"{p}-manage-open",
        "here": f"{p}-here",  # the page's address when "Save view…" was chosen
        "save_modal": f"{p}-save-modal",
        "save_name": f"{p}-save-name",
        "save_shared": f"{p}-save-shared",
        "save": f"{p}-save",
        "save_cancel": f"{p}-save-cancel",
        "save_feedback": f"{p}-save-feedback",
        "manage_modal": f"{p}-manage-modal",
        "manage_close": f"{p}-manage-close",
        "manage_feedback": f"{p}-manage-feedback",
        "list": f"{p}-list",
        "delete_confirm": f"{p}-delete-confirm",  # {"type", "view"}: "Yes, delete"
        # pattern-matching: {"type": ..., "view": id}
        "name": f"{p}-name",
        "rename": f"{p}-rename",
        "share": f"{p}-share",
        "delete": f"{p}-delete",
        "landing": f"{p}-landing",  # {"type", "view", "on": 1 | 0}
    }


def _owner_note(item: ViewItem) -> str:
    if item.own:
        return _("shared with everyone") if item.shared else _("private")
    return _("shared by %(owner)s", owner=item.owner)


def menu_items(prefix: str, items: Sequence[ViewItem]) -> list[Component]:
    """The menu's list of views: own ones, then those shared by others."""
    own = [i for i in items if i.own]
    shared = [i for i in items if not i.own]
    entries: list[Component] = []

    def link(item: ViewItem) -> Component:
        marks = [html.Span(_owner_note(item), className="saved-view-note")]
        if item.landing:
            marks.append(html.Span(_("landing view"), className="badge text-bg-info ms-1"))
        return dbc.DropdownMenuItem(
            [html.Span(item.name, className="saved-view-name"), " ", *marks],
            href=item.url,
            id={"type": f"{prefix}-views-link", "view": item.id},
            class_name="saved-view-link",
        )

    if own:
        entries.append(dbc.DropdownMenuItem(_("Your views"), header=True))
        entries.extend(link(i) for i in own)
    if shared:
        entries.append(dbc.DropdownMenuItem(_("Shared by others"), header=True))
        entries.extend(link(i) for i in shared)
    if not entries:
        entries.append(
            dbc.DropdownMenuItem(_("No saved views on this page yet."), disabled=True, class_name="saved-view-none")
        )
    return entries


def _named(item: ViewItem) -> html.Span:
    # every row has the same buttons: a screen reader hears which view each acts on
    return html.Span(" " + _("the view “%(name)s”", name=item.name), className="visually-hidden")


def manage_rows(prefix: str, items: Sequence[ViewItem]) -> Component:
    """The "Manage views" list: rename, share, delete, landing view."""
    n = ids(prefix)
    if not items:
        return html.P(_("No saved views on this page yet."), className="text-muted small mb-0")
    rows = []
    for item in items:
        key = {"view": item.id}
        controls: list[Component] = []
        if item.may_edit:
            controls.append(
                dbc.InputGroup(
                    [
                        # a label around the box names it for screen readers
                        html.Label(
                            [
                                html.Span(_("New name of “%(name)s”", name=item.name), className="visually-hidden"),
                                dbc.Input(
                                    id={"type": n["name"], **key},
                                    value=item.name,
                                    maxLength=NAME_MAX,
                                    size="sm",
                                    autocomplete="off",
                                ),
                            ],
                            className="flex-grow-1",
                        ),
                        dbc.Button(
                            [_("Rename"), _named(item)], id={"type": n["rename"], **key}, size="sm", color="secondary"
                        ),
                    ],
                    size="sm",
                    className="saved-view-rename",
                )
            )
            controls.append(
                dbc.Button(
                    [_("Make private") if item.shared else _("Share with everyone"), _named(item)],
                    id={"type": n["share"], **key},
                    size="sm",
                    color="outline-secondary",
                )
            )
        controls.append(
            dbc.Button(
                [_("Stop using as landing view") if item.landing else _("Use as my landing view"), _named(item)],
                id={"type": n["landing"], **key, "on": 0 if item.landing else 1},
                size="sm",
                color="outline-primary",
            )
        )
        if item.may_delete:
            controls.append(
                dbc.Button(
                    [
                        icon("bi-trash", "me-1"),
                        _("Delete"),
                        _named(item),
                    ],
                    id={"type": n["delete"], **key},
                    size="sm",
                    color="outline-danger",
                )
            )
        marks = [html.Span(_owner_note(item), className="saved-view-note")]
        if item.landing:
            marks.append(html.Span(_("landing view"), className="badge text-bg-info ms-1"))
        rows.append(
            html.Li(
                [
                    html.Div(
                        [dcc.Link(item.name, href=item.url, className="saved-view-name me-2"), *marks],
                        className="saved-view-title",
                    ),
                    html.Div(controls, className="saved-view-controls"),
                ],
                className="saved-view-row",
                id=f"{n['list']}-{item.id}",
            )
        )
    return html.Ul(rows, className="saved-view-rows list-unstyled mb-0")


def saved_views_bar(prefix: str, items: Sequence[ViewItem]) -> html.Div:
    """The bar of one page (prefix: its area)."""
    n = ids(prefix)
    menu = dbc.DropdownMenu(
        [
            html.Div(menu_items(prefix, items), id=n["items"]),
            dbc.DropdownMenuItem(divider=True),
            dbc.DropdownMenuItem([icon("bi-bookmark-plus", "me-2"), _("Save view…")], id=n["save_open"]),
            dbc.DropdownMenuItem([icon("bi-pencil", "me-2"), _("Manage views…")], id=n["manage_open"]),
        ],
        id=n["menu"],
        label=html.Span([icon("bi-bookmarks", "me-1"), _("Views")]),
        size="sm",
        color="light",
        toggle_class_name="border",
        class_name="saved-views-menu",
    )
    save = dbc.Modal(
        [
            dbc.ModalHeader(dbc.ModalTitle(_("Save this view"), id=f"{n['save_modal']}-title")),
            dbc.ModalBody(
                [
                    html.P(
                        _("Saves this page's filters and toggle under a name, to open them again from “Views”."),
                        className="small text-muted",
                    ),
                    dbc.Label(_("Name"), html_for=n["save_name"], className="form-label"),
                    dbc.Input(id=n["save_name"], type="text", maxLength=NAME_MAX, autocomplete="off"),
                    dbc.Checkbox(
                        id=n["save_shared"],
                        label=_("Share with everyone (they can open it, not change it)"),
                        value=False,
                        class_name="mt-2",
                    ),
                    html.Div(id=n["save_feedback"]),
                ]
            ),
            dbc.ModalFooter(
                [
                    dbc.Button(_("Cancel"), id=n["save_cancel"], color="secondary", outline=True),
                    dbc.Button(_("Save view"), id=n["save"], color="primary"),
                ]
            ),
        ],
        id=n["save_modal"],
        is_open=False,
        labelledby=f"{n['save_modal']}-title",
    )
    manage = dbc.Modal(
        [
            dbc.ModalHeader(dbc.ModalTitle(_("Views on this page"), id=f"{n['manage_modal']}-title")),
            dbc.ModalBody(
                [
                    html.Div(id=n["manage_feedback"]),
                    html.Div(manage_rows(prefix, items), id=n["list"]),
                ]
            ),
            dbc.ModalFooter(dbc.Button(_("Done"), id=n["manage_close"], color="secondary")),
        ],
        id=n["manage_modal"],
        is_open=False,
        size="lg",
        scrollable=True,
        labelledby=f"{n['manage_modal']}-title",
    )
    return html.Div(
        [
            dcc.Store(id=n["here"]),
            menu,
            html.Div(id=n["feedback"], className="saved-views-feedback"),
            save,
            manage,
        ],
        id=n["bar"],
        className="saved-views-bar",
        role="group",
        **aria(label=_("Saved views")),
    )
