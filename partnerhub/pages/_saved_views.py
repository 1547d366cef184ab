"""The saved-views bar on the customer list, the analytics pages and This
week: `views_bar(page)` draws it for the signed-in viewer, and the callbacks
below save, rename, share, delete and choose the landing view through the
application layer (partnerhub/services/saved_views.py).

The callbacks of each page are registered once here, with ids carrying the
page's area prefix (components/saved_views.ids), so the request guard
refuses a page's bar to a role that may not see the page. Which page a
callback acts for is fixed by the callback, never sent by the browser; the
address it saves is read again here, and must be that page's.
"""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit

import dash
import dash_bootstrap_components as dbc
from dash import ALL, ClientsideFunction, Input, Output, State, ctx, html
from dash.exceptions import PreventUpdate
from flask import has_request_context

from partnerhub.auth.guard import Refused
from partnerhub.components.callbacks import clicked_id
from partnerhub.components.saved_views import ViewItem, ids, manage_rows, menu_items, saved_views_bar
from partnerhub.i18n import LANG_PARAMETER, _
from partnerhub.pages._feedback import alert, refusal
from partnerhub.services import saved_views as views
from partnerhub.services.caller import Caller, current_caller

# page -> the area prefix of its bar's ids (the page's own area)
PREFIXES = {"home": "home", "customers": "customers", "analytics": "analytics", "calling": "calling"}


def view_items(caller: Caller, page: str) -> list[ViewItem]:
    """The page's views as the caller sees them."""
    landing = views.landing_view(caller)
    return [
        ViewItem(
            id=v.id,
            name=v.name,
            url=views.view_url(v),
            shared=v.shared,
            owner=v.owner,
            own=v.owner_id == caller.user_id,
            landing=landing is not None and landing.id == v.id,
            may_edit=views.may_edit(caller, v),
            may_delete=views.may_delete(caller, v),
        )
        for v in views.list_views(caller, page)
    ]


def views_bar(page: str) -> html.Div | None:
    """The bar for `page` ("home", "customers", "analytics", "calling");
    None outside a request or for a viewer without saved views (the CLI)."""
    if not has_request_context():
        return None
    try:
        caller = current_caller()
        items = view_items(caller, page)
    except (Refused, ValueError):
        return None
    return saved_views_bar(PREFIXES[page], items)


def saved_query(page: str, here) -> str:
    """The query string of the address the bar was on, when it is `page`'s
    (the browser says where it is; only the query of that page is kept)."""
    if not isinstance(here, str) or not here:
        raise ValueError(_("Open the page again, then save its view."))
    parts = urlsplit(here)
    path = parts.path.rstrip("/") or "/"
    if parts.scheme or parts.netloc or path != views.PAGE_PATHS[page]:
        raise ValueError(_("Open the page again, then save its view."))
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    if any(name == LANG_PARAMETER for name, _value in pairs):
        # the language a link asked for belongs to the link, not to the view
        return urlencode([(name, value) for name, value in pairs if name != LANG_PARAMETER])
    return parts.query


def _redrawn(caller: Caller, page: str, prefix: str):
    items = view_items(caller, page)
    return menu_items(prefix, items), manage_rows(prefix, items)


def _typed_name(pressed: dict, names: list) -> str | None:
    """What is typed in the name box of the view whose button was pressed
    (`names`: the pattern-matching State's entries, with their ids)."""
    for entry in names or []:
        if isinstance(entry, dict) and entry.get("id", {}).get("view") == pressed.get("view"):
            return entry.get("value")
    return None


def register(page: str) -> None:
    prefix = PREFIXES[page]
    n = ids(prefix)

    dash.clientside_callback(
        ClientsideFunction("partnerhubViews", "openSave"),
        Output(n["here"], "data"),
        Output(n["save_modal"], "is_open"),
        Output(n["save_feedback"], "children"),
        Input(n["save_open"], "n_clicks"),
        prevent_initial_call=True,
    )
    dash.clientside_callback(
        ClientsideFunction("partnerhubViews", "close"),
        Output(n["save_modal"], "is_open", allow_duplicate=True),
        Input(n["save_cancel"], "n_clicks"),
        prevent_initial_call=True,
    )
    dash.clientside_callback(
        ClientsideFunction("partnerhubViews", "open"),
        Output(n["manage_modal"], "is_open"),
        Input(n["manage_open"], "n_clicks"),
        prevent_initial_call=True,
    )
    dash.clientside_callback(
        ClientsideFunction("partnerhubViews", "close"),
        Output(n["manage_modal"], "is_open", allow_duplicate=True),
        Input(n["manage_close"], "n_clicks"),
        prevent_initial_call=True,
    )

    @dash.callback(
        Output(n["feedback"], "children"),
        Output(n["save_feedback"], "children", allow_duplicate=True),
        Output(n["items"], "children"),
        Output(n["list"], "children"),
        Output(n["save_modal"], "is_open", allow_duplicate=True),
        Output(n["save_name"], "value"),
        Input(n["save"], "n_clicks"),
        State(n["save_name"], "value"),
        State(n["save_shared"], "value"),
        State(n["here"], "data"),
        prevent_initial_call=True,
    )
    def _save(clicks, name, shared, here):
        if not clicks:
            raise PreventUpdate
        keep = dash.no_update
        try:
            caller = current_caller()
            outcome = views.save(caller, page, name, saved_query(page, here), bool(shared))
            items, rows = _redrawn(caller, page, prefix)
        except (Refused, ValueError) as err:
            # the dialog stays open with what was typed, and says why
            return keep, refusal(err), keep, keep, keep, keep
        return alert(outcome.message), None, items, rows, False, ""

    @dash.callback(
        Output(n["manage_feedback"], "children"),
        Output(n["items"], "children", allow_duplicate=True),
        Output(n["list"], "children", allow_duplicate=True),
        Input({"type": n["rename"], "view": ALL}, "n_clicks"),
        Input({"type": n["share"], "view": ALL}, "n_clicks"),
        Input({"type": n["landing"], "view": ALL, "on": ALL}, "n_clicks"),
        Input({"type": n["delete"], "view": ALL}, "n_clicks"),
        Input({"type": n["delete_confirm"], "view": ALL}, "n_clicks"),
        State({"type": n["name"], "view": ALL}, "value"),
        prevent_initial_call=True,
    )
    def _manage(_rename, _share, _landing, _delete, _confirm, _names):
        pressed = clicked_id()
        kind, view_id = pressed.get("type"), pressed.get("view")
        keep = dash.no_update
        try:
            caller = current_caller()
            if kind == n["delete"]:
                # asked first: a shared view may be someone else's landing view
                found = views.get_view(caller, view_id)
                if not views.may_delete(caller, found):
                    raise Refused(_("Only its owner or a partner full administrator can delete a shared view."))
                return _confirm_delete(n, found), keep, keep
            if kind == n["delete_confirm"]:
                outcome = views.delete(caller, view_id)
            elif kind == n["rename"]:
                outcome = views.rename(caller, view_id, _typed_name(pressed, ctx.states_list[0]))
            elif kind == n["share"]:
                found = views.get_view(caller, view_id)
                outcome = views.set_shared(caller, view_id, not found.shared)
            elif kind == n["landing"]:
                outcome = views.set_landing(caller, view_id if pressed.get("on") == 1 else None)
            else:
                raise PreventUpdate
            items, rows = _redrawn(caller, page, prefix)
        except (Refused, ValueError) as err:
            return refusal(err), keep, keep
        return alert(outcome.message), items, rows


def _confirm_delete(n: dict[str, str], found) -> html.Div:
    return html.Div(
        dbc.Alert(
            [
                html.Div(_("Delete the view “%(name)s”? Whoever lands on it will land on This week.", name=found.name)),
                dbc.Button(
                    _("Yes, delete the view"),
                    id={"type": n["delete_confirm"], "view": found.id},
                    color="danger",
                    size="sm",
                    className="mt-2",
                ),
            ],
            color="warning",
            className="mt-2 mb-2",
        ),
        role="status",
    )


for _page in PREFIXES:
    register(_page)
