"""The layout of "This week": the data's date, the KPI cards with their
changes, the worklist (filters in the address, server-side grid, download)
and "My follow-ups". Before the first import, an empty state."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html
from flask import has_request_context

from partnerhub.components import download_menu, empty_state, filter_bar, multi_select
from partnerhub.components.icons import aria
from partnerhub.components.labels import managed_by_labels
from partnerhub.components.layout import section
from partnerhub.components.snapshot_banner import data_as_of
from partnerhub.data.tags import list_tags
from partnerhub.i18n import _
from partnerhub.metrics.changes import previous_context
from partnerhub.metrics.health import REASONS
from partnerhub.metrics.health_reasons import band_label, component_label
from partnerhub.metrics.types import Context, Filters, View, request_context
from partnerhub.metrics.worklist import WORKLIST_BANDS, worklist_rows
from partnerhub.pages._analytics.notices import problems_alert, product_fallback
from partnerhub.pages._analytics.query import args_from_kwargs
from partnerhub.pages._customers.list_layout import tag_options
from partnerhub.pages._saved_views import views_bar
from partnerhub.services.caller import Caller, current_caller

from .follow_ups import my_follow_ups_section
from .kpis import kpi_href, kpi_sections, kpi_values
from .view import DATASET_URL, controls_of, download_query, read_home_view, view_query
from .worklist import count_text, empty_reason, worklist_grid

DOWNLOAD_ID = "home-download"
PAGE_ID = "home-page"


def title() -> str:
    return _("This week")


def filters_bar(filters: Filters, tags: list[dict]) -> html.Div:
    band, reason, tag, managed_by = controls_of(filters)
    return filter_bar(
        [
            multi_select("home-band", _("Health"), [(b, band_label(b)) for b in WORKLIST_BANDS], band),
            multi_select("home-reason", _("Reason"), [(r, component_label(r)) for r in REASONS], reason),
            multi_select("home-tag", _("Tag"), tag_options(tags), tag),
            multi_select("home-managed-by", _("Managed by"), list(managed_by_labels().items()), managed_by),
        ],
        id="home-filters",
        label=_("Worklist filters"),
    )


def bad_address_alert(problems):
    """Every value of the address the worklist left out, named; None when none."""
    return problems_alert("home-url-problems", problems, product_fallback(problems))


def worklist_section(ctx: Context, caller: Caller, kwargs) -> html.Section:
    tags = list_tags(ctx.state)
    read = read_home_view(args_from_kwargs(kwargs), [t["name"] for t in tags])
    filters = read.filters
    query = view_query(filters)
    total = worklist_rows(ctx, View(scope=caller.scope, filters=filters)).height
    empty = empty_state(*empty_reason(filters, caller.scope), id="home-worklist-empty-state") if total == 0 else None
    actions = [
        html.Span(
            count_text(total), id="home-worklist-count", className="home-count", role="status", **aria(live="polite")
        ),
        download_menu(DOWNLOAD_ID, DATASET_URL, download_query(filters), what=_("the worklist")),
    ]
    return section(
        _("Worklist"),
        _("Your customers at risk or on watch, lowest health first, with the reasons for their score."),
        [
            dcc.Location(id="home-url", refresh=False, search=query),
            dcc.Store(id="home-view", data=query),
            html.Div(bad_address_alert(read.problems), id="home-url-alert"),
            filters_bar(filters, tags),
            html.Div(empty, id="home-worklist-empty"),
            worklist_grid(),
        ],
        id="home-worklist",
        actions=actions,
    )


def follow_ups_section(caller: Caller) -> html.Section:
    return section(
        _("My follow-ups"),
        _("Your follow-ups due in the next 7 days, and those overdue."),
        my_follow_ups_section(caller),
        id="home-follow-ups",
    )


def no_data() -> html.Div:
    return html.Div(
        [
            html.H1(title(), className="h3"),
            data_as_of(None),
            empty_state(
                _("Nothing to show yet."),
                _("Once the first data is imported, your customers' health and worklist appear here."),
                id="home-no-data",
            ),
        ],
        id=PAGE_ID,
    )


def layout(**kwargs) -> html.Div:
    if not has_request_context():
        return html.Div(id=PAGE_ID)
    ctx = request_context()
    if ctx is None:
        return no_data()
    caller = current_caller()
    now, change = kpi_values(ctx, previous_context(ctx), caller.scope)
    return html.Div(
        [
            html.Div([html.H1(title(), className="h3 mb-0"), data_as_of(ctx.as_of)], className="mb-2"),
            views_bar("home"),
            kpi_sections(now, change, kpi_href),
            dbc.Row(
                [
                    dbc.Col(worklist_section(ctx, caller, kwargs), xxl=9),
                    dbc.Col(follow_ups_section(caller), xxl=3),
                ],
                className="g-3",
            ),
        ],
        id=PAGE_ID,
        className="home-page",
    )
