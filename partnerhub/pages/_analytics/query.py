"""A page's query string as the view it shows, read by the one reader of a
view (metrics.view_query.read_view, the API's too), so that the page and its
downloads are one view.

- `read_query(args)`: the product toggle and the customer filters. A bad
  value is left out (the valid ones are kept) and kept as a Problem, which
  the page names in its notice; never a traceback.
- `view_for(ctx, query)`: the viewer's scope (always from the server), narrowed
  to the customers the filters select, as api.routes.build_view does.
- `PageQuery.search(product)`: the query string of the page and of its
  download links.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlencode

from dash.exceptions import PreventUpdate
from werkzeug.datastructures import MultiDict

from partnerhub.auth.scope import current_scope
from partnerhub.data.runtime import services
from partnerhub.metrics.types import TOGGLE_PRODUCTS, Context, Filters, View, request_context
from partnerhub.metrics.view_query import Problem, filter_pairs, narrowed_view, read_view, tag_names


@dataclass(frozen=True)
class PageQuery:
    product: str = "meetings"
    filters: Filters = field(default_factory=Filters)
    # the accepted customer filters, canonical (the product is not one of them)
    filter_pairs: tuple[tuple[str, str], ...] = ()
    # every value that was left out
    problems: tuple[Problem, ...] = ()

    @property
    def filtered(self) -> bool:
        return self.filters != Filters()

    def filter_search(self) -> str:
        """The customer filters alone, 'status=trial&tag=x' ('' when none)."""
        return urlencode(self.filter_pairs)

    def search(self, product: str | None = None) -> str:
        """'?product=…&<filters>' (product=None leaves the product out, for
        pages without the toggle); '' when there is nothing to say."""
        pairs = ([("product", product)] if product else []) + list(self.filter_pairs)
        return "?" + urlencode(pairs) if pairs else ""


def args_from_kwargs(kwargs: Mapping) -> MultiDict:
    """Dash hands a page's query parameters to layout() as kwargs: a string,
    or a list when the parameter repeats."""
    args: MultiDict[str, str] = MultiDict()
    for key, value in kwargs.items():
        for v in value if isinstance(value, (list, tuple)) else [value]:
            args.add(str(key), "" if v is None else str(v))
    return args


def args_from_search(search: str | None) -> MultiDict:
    return MultiDict(parse_qsl((search or "").lstrip("?"), keep_blank_values=True))


def read_query(args: MultiDict) -> PageQuery:
    """The page's view from its query parameters: every valid value kept,
    every bad one left out and named in `problems`; the toggle falls back to
    Meetings."""
    query = read_view(args, None, lambda: tag_names(services().state))
    pairs = tuple(filter_pairs(query.filters))
    return PageQuery(product=query.product, filters=query.filters, filter_pairs=pairs, problems=query.problems)


def query_from_browser(filter_search: str | None, product: str | None = None) -> PageQuery:
    """The view a callback works on: the customer filters the page keeps in a
    dcc.Store (sent back by the browser, so parsed again) and the toggle."""
    args = args_from_search(filter_search)
    args.poplist("product")
    if product is not None:
        args.add("product", product if product in TOGGLE_PRODUCTS else "meetings")
    return read_query(args)


def view_for(ctx: Context, query: PageQuery) -> View:
    return narrowed_view(ctx, current_scope(), query.product, query.filters)


def page_context() -> Context | None:
    """The request's snapshot, stores and settings; None before any import."""
    return request_context()


def callback_context() -> Context:
    ctx = page_context()
    if ctx is None:
        raise PreventUpdate
    return ctx
