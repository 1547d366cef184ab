"""The worklist of "This week": the grid's columns and the rows it asks for
(one server-side page of metrics.worklist.worklist_page), with each reason
said as a sentence with its number (metrics.health_reasons).

The scope is the caller's, from the server; the view the browser sends is
read again like any URL (a filter can narrow the list, never widen it)."""

from __future__ import annotations

import math
from collections.abc import Mapping

from dash import html

from partnerhub.components import Column, column_def, data_grid, to_row_dicts
from partnerhub.components.grid import read_rows_request
from partnerhub.components.health import BAND_ICONS
from partnerhub.i18n import _, n_
from partnerhub.metrics.definitions import definition
from partnerhub.metrics.health_reasons import band_label, reason_sentences
from partnerhub.metrics.types import Context, Filters, View
from partnerhub.metrics.worklist import SORTABLE, worklist_page, worklist_rows
from partnerhub.pages._analytics.query import args_from_search
from partnerhub.pages._customers.common import tag_chip_data
from partnerhub.pages._customers.list_view import tag_colors
from partnerhub.services.caller import Caller
from partnerhub.services.follow_ups import my_follow_ups

from .view import read_home_view

GRID_ID = "home-worklist-grid"
PAGE_SIZE = 25
# what the grid shows of a row (the frame also carries what the sentences need)
SHOWN = (
    "customer_id",
    "customer_name",
    "health_score",
    "score",
    "health_band",
    "band_label",
    "reason_text",
    "licenses",
    "tags",
    "tag_chips",
    "follow_up_date",
)


def grid_columns() -> list[dict]:
    return [
        column_def(Column("customer_name", _("Customer"), "customer_link", definition("customer_name"), width=180)),
        {
            # the whole number shown, the unrounded score sorted (as the customer page shows it)
            **column_def(Column("score", _("Health score"), "int", definition("health_score"), width=90)),
            "colId": "health_score",
            "flex": 0,
        },
        {
            **column_def(Column("health_band", _("Health"), "text", definition("health_band"), width=120)),
            "cellRenderer": "StatusBadges",
            "cellRendererParams": {"labels": {b: band_label(b) for b in BAND_ICONS}, "icons": BAND_ICONS},
            "flex": 0,
        },
        {
            **column_def(Column("reason_text", _("Reasons"), "text", definition("reasons"), sortable=False)),
            "minWidth": 320,
            "flex": 3,
            "wrapText": True,
            "cellClass": "cell-wrap home-reasons",
            "tooltipField": "reason_text",
        },
        column_def(Column("licenses", _("Licenses"), "int", definition("licenses"), width=90)),
        {
            **column_def(Column("tags", _("Tags"), "text", definition("tags"), width=110)),
            "cellRenderer": "TagChips",
            "cellRendererParams": {"none": _("No tags")},
        },
        column_def(
            Column("follow_up_date", _("My follow-up"), "date", _("The date of your open follow-up."), width=110)
        ),
    ]


def worklist_grid() -> html.Div:
    grid = data_grid(
        GRID_ID,
        [],
        server_side=True,
        page_size=PAGE_SIZE,
        empty_message=_("No customer is at risk or on watch in this view."),
        # three lines of reasons fit a row
        grid_options={"rowHeight": 64},
        class_name="home-worklist-grid",
    )
    grid.columnDefs = grid_columns()
    grid.getRowId = "params.data.customer_id"
    return grid


def sentence_case(text: str) -> str:
    return text[:1].upper() + text[1:]


def decorate(rows: list[dict], colors: Mapping[str, str]) -> list[dict]:
    """The grid's row of each worklist row: the score as the whole number
    rounded down (the band is decided on the unrounded one), the reasons as
    sentences, the tag chips; only the columns the grid shows."""
    out = []
    for row in rows:
        score = row.get("health_score")
        shown = {
            **{k: row.get(k) for k in SHOWN if k in row},
            "score": None if score is None else math.floor(score),
            "band_label": band_label(row.get("health_band")),
            "reason_text": "; ".join(sentence_case(s) for s in reason_sentences(row)),
            "tag_chips": [tag_chip_data(t, colors.get(t)) for t in (row.get("tags") or "").split(";") if t],
        }
        out.append(shown)
    return out


def follow_up_dates(ctx: Context, caller: Caller, view: View) -> dict:
    """customer_id -> the caller's open follow-up date, on the worklist's customers."""
    ids = worklist_rows(ctx, view)["customer_id"].to_list()
    return {cid: f.due_date for cid, f in my_follow_ups(caller, ids).items()}


def grid_rows(ctx: Context, caller: Caller, search: str | None, request: Mapping | None) -> tuple[dict, int, Filters]:
    """The grid's getRowsResponse for one block of the worklist the URL
    `search` names, in the caller's scope. Returns (response, total rows,
    filters applied). BadRowRequest (a 400) for a request the grid would
    never send."""
    rows = read_rows_request(request, SORTABLE, PAGE_SIZE)
    # a tag renamed or deleted meanwhile matches no customer (rather than all of them)
    filters = read_home_view(args_from_search(search), None).filters
    view = View(scope=caller.scope, filters=filters)
    frame, total = worklist_page(
        ctx, view, follow_up_dates(ctx, caller, view), rows.sort, rows.start, max(rows.end - rows.start, 1)
    )
    row_data = decorate(to_row_dicts(frame), tag_colors(ctx))
    return {"rowData": row_data, "rowCount": total}, total, filters


def count_text(total: int) -> str:
    return n_(
        "%(count)s customer at risk or on watch",
        "%(count)s customers at risk or on watch",
        total,
        count=f"{total:,}",
    )


def empty_reason(filters: Filters, scope: frozenset[str] | None) -> tuple[str, str]:
    """(what is empty, why) for a worklist with no row."""
    if filters != Filters():
        return (
            _("No customer matches these filters."),
            _("Remove a filter to see more customers."),
        )
    if scope is not None and not scope:
        return (
            _("You have no customers yet."),
            _(
                "Your role sees only the customers assigned to you, and none are assigned: "
                "ask a partner full administrator to assign customers to you."
            ),
        )
    return (
        _("No customer is at risk or on watch."),
        _("Every customer with a health score in your view is healthy."),
    )
