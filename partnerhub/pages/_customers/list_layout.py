"""The customer list's layout: the view toggle, the filters, the grid, the
tag tools (only for roles that may use them) and the download menu."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html
from dash.development.base_component import Component
from flask import has_request_context

from partnerhub.auth.roles import may
from partnerhub.auth.scope import current_scope
from partnerhub.auth.session import current_identity
from partnerhub.components import (
    Column,
    column_def,
    data_grid,
    download_menu,
    empty_state,
    filter_bar,
    multi_select,
    search_input,
    status_labels,
)
from partnerhub.components.grid import DEFAULT_PAGE_SIZE
from partnerhub.components.health import BAND_ICONS
from partnerhub.components.icons import aria, tip
from partnerhub.components.labels import managed_by_labels, product_labels, subscription_kind_labels
from partnerhub.components.snapshot_banner import data_as_of
from partnerhub.data.tags import list_tags
from partnerhub.i18n import _
from partnerhub.metrics.customers import customers_page
from partnerhub.metrics.definitions import DEFINITIONS, definition
from partnerhub.metrics.health import BANDS
from partnerhub.metrics.health_reasons import band_label
from partnerhub.metrics.types import View
from partnerhub.pages._analytics.notices import problems_alert, product_fallback
from partnerhub.pages._analytics.query import args_from_kwargs
from partnerhub.pages._saved_views import views_bar

from .common import context
from .list_view import (
    controls_of,
    count_text,
    empty_reason,
    health_band_choices,
    read_list_view,
    reason_choices,
    segment_text,
    view_query,
)
from .tags_ui import manage_tags_modal

GRID_ID = "customers-grid"
DOWNLOAD_ID = "customers-download"
DATASET_URL = "/api/v1/datasets/customers"


def _relabel(cd: dict, col_id: str, wrap: bool = False) -> dict:
    # shows a label field but sorts (server side) on the export column
    cd["colId"] = col_id
    if wrap:
        cd.update(wrapText=True, cellClass="cell-wrap")
    return cd


def grid_columns() -> list[dict]:
    d = {k: _(v) for k, v in DEFINITIONS.items()}
    return [
        column_def(Column("customer_name", _("Customer"), "customer_link", d["customer_name"], width=150)),
        column_def(Column("customer_id", _("Customer ID"), "text", d["customer_id"], width=110)),
        column_def(Column("statuses", _("Statuses"), "statuses", definition("statuses"), sortable=False, width=230)),
        _relabel(
            column_def(Column("products_label", _("Products"), "text", d["products"], width=120)), "products", wrap=True
        ),
        _relabel(
            column_def(
                Column("subscription_types_label", _("Subscription types"), "text", d["subscription_types"], width=120)
            ),
            "subscription_types",
            wrap=True,
        ),
        {
            **column_def(Column("tags", _("Tags"), "text", d["tags"], width=100)),
            "cellRenderer": "TagChips",
            "cellRendererParams": {"none": _("No tags")},
        },
        column_def(
            Column(
                "total_licenses",
                _("Licenses: used / assigned / total"),
                "license_bar",
                _(
                    "Licenses of the current subscriptions of every product: used (solid), assigned "
                    "but unused (striped) and available (empty) of the purchased total."
                ),
                width=190,
            )
        ),
        column_def(Column("last_admin_sign_in", _("Last admin sign-in"), "date", d["last_admin_sign_in"], width=105)),
        health_column(),
        {
            **column_def(
                Column(
                    "org_url",
                    _("Launch"),
                    "text",
                    _("Opens the customer's own admin console in a new tab."),
                    sortable=False,
                    width=70,
                )
            ),
            "cellRenderer": "OrgLink",
            "flex": 0,
            "cellRendererParams": {"label": _("Launch the customer org of %(name)s (opens in a new tab)")},
        },
    ]


def health_column() -> dict:
    """The score as a whole number and the band as a badge (assets/customers.js
    HealthScore); sorts on health_score on the server, customers not scored last."""
    return {
        **column_def(Column("health_score", _("Health"), "text", definition("health_score"), width=130)),
        "cellRenderer": "HealthScore",
        "cellRendererParams": {
            "labels": {b: band_label(b) for b in BANDS},
            "icons": BAND_ICONS,
            "title": _("Health score %(score)s of 100: %(band)s"),
            "none": _("Not scored: no current Meetings or Calling subscription with licenses."),
        },
    }


def customers_grid(selectable: bool) -> html.Div:
    # two lines of status badges fit a row
    options: dict[str, object] = {"rowHeight": 58}
    if selectable:
        options["rowSelection"] = {
            "mode": "multiRow",
            "checkboxes": True,
            "headerCheckbox": False,
            "enableClickSelection": False,
        }
    grid = data_grid(
        GRID_ID,
        [],
        server_side=True,
        page_size=DEFAULT_PAGE_SIZE,
        empty_message=_("No customer matches this view."),
        grid_options=options,
        class_name="customers-grid",
    )
    # column definitions beyond the Column presets (label fields sorted by export column, chips, links)
    grid.columnDefs = grid_columns()
    grid.getRowId = "params.data.customer_id"
    grid.eventListeners = {"cellKeyDown": ["phCellKeyDown(params)", "customersCellKeyDown(params)"]}
    return grid


def _toggle(value: str) -> html.Fieldset:
    return html.Fieldset(
        [
            html.Legend(_("Show"), className="form-label filter-label"),
            dbc.RadioItems(
                id="customers-attention",
                value=value,
                options=[
                    {"label": _("All customers"), "value": "all"},
                    {"label": _("Needs attention"), "value": "attention"},
                ],
                class_name="btn-group product-toggle",
                input_class_name="btn-check",
                label_class_name="btn btn-outline-primary btn-sm",
                label_checked_class_name="active",
            ),
        ],
        className="filter-item product-toggle-field",
        **tip(_(DEFINITIONS["needs_attention"])),
    )


def filters_bar(controls: list, tags: list[dict]) -> Component:
    attention, managed_by, product, status, subscription_type, tag, q, health_band, reason, _segment = controls
    return filter_bar(
        [
            _toggle(attention),
            multi_select("customers-managed-by", _("Managed by"), list(managed_by_labels().items()), managed_by),
            multi_select("customers-product", _("Product"), list(product_labels().items()), product),
            multi_select("customers-status", _("Status"), list(status_labels().items()), status),
            multi_select(
                "customers-subscription-type",
                _("Subscription type"),
                list(subscription_kind_labels().items()),
                subscription_type,
            ),
            multi_select("customers-tag", _("Tag"), tag_options(tags), tag),
            multi_select("customers-health-band", _("Health"), health_band_choices(), health_band),
            multi_select("customers-reason", _("Health reason"), reason_choices(), reason),
            search_input("customers-q", _("Search name or ID"), value=q or ""),
        ],
        id="customers-filters",
        label=_("Customer filters"),
    )


def tag_options(tags: list[dict]) -> list[dict]:
    return [{"label": t["name"], "value": t["name"]} for t in tags]


def assign_bar(tags: list[dict]) -> html.Div:
    """Add or remove a tag on the customers selected in the grid."""
    return html.Div(
        [
            html.Div(
                [
                    dbc.Label(
                        _("Tag for the selected customers"),
                        html_for="customers-assign-tag",
                        className="form-label filter-label",
                    ),
                    dcc.Dropdown(
                        id="customers-assign-tag",
                        options=[{"label": t["name"], "value": t["id"]} for t in tags],
                        placeholder=_("Choose a tag"),
                        clearable=True,
                        className="filter-dropdown",
                    ),
                ],
                className="filter-item",
            ),
            dbc.Button(
                [html.I(className="bi bi-tag me-1", **aria(hidden="true")), _("Add tag")],
                id="customers-tag-add",
                color="primary",
                size="sm",
            ),
            dbc.Button(
                [html.I(className="bi bi-x-circle me-1", **aria(hidden="true")), _("Remove tag")],
                id="customers-tag-remove",
                color="outline-secondary",
                size="sm",
            ),
            html.Span(
                _("Select customers with the boxes in the first column."),
                id="customers-selected",
                className="small text-muted",
                **aria(live="polite"),
            ),
        ],
        className="customers-assign-bar",
        role="group",
        **aria(label=_("Tag the selected customers")),
    )


def layout(**kwargs) -> html.Div:
    if not has_request_context():
        return html.Div(id="customers-page")
    ctx = context()
    if ctx is None:
        return html.Div(
            [
                html.H1(_("Customers"), className="h3"),
                data_as_of(None),
                empty_state(_("No customers to show."), _("No data has been imported yet.")),
            ],
            id="customers-page",
        )
    ident = current_identity()
    role = ident.role if ident else None
    can_manage, can_assign = may(role, "tag.manage"), may(role, "tag.assign")
    tags = list_tags(ctx.state)
    read = read_list_view(args_from_kwargs(kwargs), [t["name"] for t in tags])
    filters = read.filters
    query = view_query(filters)
    scope = current_scope()
    _frame, total = customers_page(ctx, View(scope=scope, filters=filters), (), 0, DEFAULT_PAGE_SIZE)
    empty = empty_state(*empty_reason(filters, scope), id="customers-empty-state") if total == 0 else None

    head = html.Div(
        [
            html.Div([html.H1(_("Customers"), className="h3 mb-0"), data_as_of(ctx.as_of)]),
            html.Div(
                [
                    html.Span(
                        count_text(total),
                        id="customers-count",
                        className="customers-count",
                        role="status",
                        **aria(live="polite"),
                    ),
                    dbc.Button(
                        [html.I(className="bi bi-tags me-1", **aria(hidden="true")), _("Manage tags")],
                        id="customers-tags-open",
                        color="outline-primary",
                        size="sm",
                    )
                    if can_manage
                    else None,
                    download_menu(DOWNLOAD_ID, DATASET_URL, query, what=_("the customer list")),
                ],
                className="section-actions",
            ),
        ],
        className="section-head mb-2",
    )
    return html.Div(
        [
            dcc.Location(id="customers-url", refresh=False, search=query),
            dcc.Store(id="customers-view", data=query),
            dcc.Store(id="customers-tags-version", data=0),
            head,
            views_bar("customers"),
            html.Div(bad_address_alert(read.problems), id="customers-url-alert"),
            filters_bar(controls_of(filters), tags),
            segment_notice(filters.segment),
            assign_bar(tags) if can_assign else html.Span(id="customers-selected", hidden=True),
            html.Div(id="customers-tag-feedback"),
            html.Div(empty, id="customers-empty"),
            customers_grid(can_assign),
            manage_tags_modal(tags) if can_manage else None,
        ],
        id="customers-page",
        className="customers-page",
    )


def segment_notice(segments) -> html.Div:
    """The drill-down's segment filter (it has no control): what the list
    shows, and a button that shows the list without it. Its Store is one of
    the list's controls (list_callbacks.CONTROLS)."""
    return html.Div(
        [
            dcc.Store(id="customers-segment", data=list(segments)),
            html.Span(segment_text(segments), id="customers-segment-text", **aria(live="polite")),
            dbc.Button(
                [html.I(className="bi bi-x-circle me-1", **aria(hidden="true")), _("Remove this filter")],
                id="customers-segment-clear",
                color="outline-secondary",
                size="sm",
            ),
        ],
        id="customers-segment-notice",
        className="customers-segment-notice",
        hidden=not segments,
    )


def bad_address_alert(problems):
    """Every value of the address the list left out, named; None when none."""
    return problems_alert("customers-url-problems", problems, product_fallback(problems))
