"""A page's query string as the view it shows, read the way the HTTP API reads
the same query string, so that the page and its downloads are one view.

- `read_query(args)`: the product toggle and the customer filters, parsed by
  metrics.params.parse_view (the API's parser). A parameter it refuses is
  left out with a message (the page shows it and carries on with the rest),
  never a traceback.
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
from partnerhub.metrics.params import BadParameter, check_tags, narrowed_view, parse_view
from partnerhub.metrics.types import TOGGLE_PRODUCTS, Context, Filters, View, request_context

MAX_PASSES = 20  # more bad parameters than this and the rest are dropped at once


@dataclass(frozen=True)
class PageQuery:
    product: str = "meetings"
    filters: Filters = field(default_factory=Filters)
    # the accepted customer filters as given, in order (the product is not one of them)
    filter_pairs: tuple[tuple[str, str], ...] = ()
    # one message per parameter that was left out
    problems: tuple[str, ...] = ()

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
    args = MultiDict()
    for key, value in kwargs.items():
        for v in value if isinstance(value, (list, tuple)) else [value]:
            args.add(str(key), "" if v is None else str(v))
    return args


def args_from_search(search: str | None) -> MultiDict:
    return MultiDict(parse_qsl((search or "").lstrip("?"), keep_blank_values=True))


def _known_tags(names: tuple[str, ...]) -> None:
    if names:
        check_tags(services().state, names)


def read_query(args: MultiDict) -> PageQuery:
    """The page's view from its query parameters. A refused parameter is
    dropped (all of its values) and named in `problems`; the toggle falls
    back to Meetings."""
    args = MultiDict(args)
    problems: list[str] = []
    for _pass in range(MAX_PASSES):
        try:
            product, filters = parse_view(args, None)
            _known_tags(filters.tag)
            break
        except BadParameter as e:
            problems.append(str(e))
            args.poplist(e.name)
    else:
        args, (product, filters) = MultiDict(), ("meetings", Filters())
    pairs = tuple((k, v) for k, v in args.items(multi=True) if k != "product")
    return PageQuery(product=product, filters=filters, filter_pairs=pairs, problems=tuple(problems))


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
