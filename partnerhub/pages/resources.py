"""Resources and help: the partner helpdesk, quick links, featured resources,
and every resource with a search box and category / type filters.

The content is content/resources.toml (pages/_resources/content.py): an
editable file, checked on every visit. The search and filters live in the
query string (`/resources?q=queue&category=Webex%20Calling&type=video`),
read by layout() and written back by the filter callback.
"""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, dcc, html
from flask import has_request_context

from partnerhub.components import filter_bar, multi_select, search_input, section
from partnerhub.components.icons import aria
from partnerhub.data.runtime import services
from partnerhub.i18n import _
from partnerhub.pages._analytics.notices import problems_alert
from partnerhub.pages._analytics.query import args_from_kwargs
from partnerhub.pages._resources.content import TYPES, ContentError, load_resources, matching, type_labels
from partnerhub.pages._resources.query import controls_args, read_filters, search_for
from partnerhub.pages._resources.view import count_text, link, quick_links, resource_card, resource_list

dash.register_page(
    __name__, path="/resources", title=lambda **_path: _("Resources and help"), name="Resources", area="resources"
)


def helpdesk() -> dbc.Card:
    return dbc.Card(
        dbc.CardBody(
            [
                html.H2(_("Partner helpdesk"), className="h5"),
                html.P(
                    _("Questions about your customers' data or this dashboard? The partner helpdesk answers."),
                    className="mb-2",
                ),
                link(
                    [
                        html.I(className="bi bi-headset me-2", **aria(hidden="true")),
                        _("Contact the partner helpdesk"),
                    ],
                    services().settings.helpdesk_url,
                    id="resources-helpdesk",
                    className="btn btn-primary",
                ),
            ]
        ),
        className="resources-helpdesk mb-3",
    )


def url_problems(problems) -> html.Div | None:
    return problems_alert("resources-url-problems", problems, _("The page shows everything else the address asks for."))


@dash.callback(
    Output("resources-list", "children"),
    Output("resources-count", "children"),
    Output("resources-url", "search"),
    Output("resources-problems", "children"),
    Input("resources-search", "value"),
    Input("resources-category", "value"),
    Input("resources-type", "value"),
    prevent_initial_call=True,
)
def filter_resources(q, categories, types):
    try:
        resources = load_resources()
    except ContentError:
        raise dash.exceptions.PreventUpdate from None
    q, categories, types, problems = read_filters(
        controls_args(q, categories, types), resources.categories, resources.category_names
    )
    items = matching(resources, q, categories, types)
    return (
        resource_list(items, len(resources.items)),
        count_text(len(items), len(resources.items)),
        search_for(q, categories, types),
        url_problems(problems),
    )


def layout(**kwargs):
    if not has_request_context():
        return html.Div(id="resources-page")
    head = [
        html.H1(_("Resources and help"), className="h3"),
        html.P(
            _("Guides, videos, API documentation and release notes for partner administrators."), className="text-muted"
        ),
    ]
    try:
        resources = load_resources()
    except ContentError as e:
        return html.Div(
            head
            + [
                dbc.Alert(
                    [
                        html.Strong(_("The list of resources cannot be shown: its file has problems.")),
                        html.Div(_("Fix %(file)s and reload this page:", file="content/resources.toml")),
                        html.Ul([html.Li(p) for p in e.problems], className="mb-0"),
                    ],
                    color="danger",
                    id="resources-content-error",
                ),
                helpdesk(),
            ],
            id="resources-page",
        )
    q, categories, types, problems = read_filters(
        args_from_kwargs(kwargs), resources.categories, resources.category_names
    )
    items = matching(resources, q, categories, types)
    labels = type_labels()
    filters = filter_bar(
        [
            search_input("resources-search", _("Search"), q, _("Title or description"), debounce=0.4),
            multi_select("resources-category", _("Category"), resources.categories, categories),
            multi_select("resources-type", _("Type"), [(t, labels[t]) for t in TYPES], types),
        ],
        label=_("Filter resources"),
    )
    featured = resources.featured
    return html.Div(
        [
            dcc.Location(id="resources-url", refresh=False),
            *head,
            html.Div(url_problems(problems), id="resources-problems"),
            dbc.Row(
                [
                    dbc.Col(helpdesk(), md=5, lg=4),
                    dbc.Col(
                        section(
                            _("Quick links"), None, quick_links(resources.quick_links), id="resources-quick", level=2
                        ),
                        md=7,
                        lg=8,
                    ),
                ]
            ),
            section(
                _("Featured resources"),
                None,
                html.Ul(
                    [html.Li(resource_card(r), className="resource-item") for r in featured],
                    className="resource-grid list-unstyled",
                    id="resources-featured-list",
                ),
                id="resources-featured",
            )
            if featured
            else None,
            section(
                _("All resources"),
                None,
                [
                    filters,
                    html.P(
                        count_text(len(items), len(resources.items)),
                        id="resources-count",
                        className="small text-muted",
                        **aria(live="polite"),
                    ),
                    html.Ul(
                        resource_list(items, len(resources.items)),
                        id="resources-list",
                        className="resource-grid list-unstyled",
                    ),
                ],
                id="resources-all",
            ),
        ],
        id="resources-page",
        className="resources-page",
    )
