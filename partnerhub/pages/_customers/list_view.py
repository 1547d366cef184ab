"""The customer list's logic, free of Dash callbacks so tests can call it on
any snapshot: the URL query string <-> Filters, and the rows the grid asks
for (one server-side page of metrics.customers.customers_page).

The URL is the one place a view lives: the filter controls write it, the
grid and the download menu read it, with the same parser the HTTP API uses
(metrics.params.parse_view), so a bookmark, a reload, the back button and a
download all mean the same view.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from urllib.parse import parse_qsl

from werkzeug.datastructures import MultiDict

from partnerhub.components import page_bounds, query_string, rows_request_to_sort, to_row_dicts
from partnerhub.components.grid import DEFAULT_PAGE_SIZE
from partnerhub.components.i18n import _, n_
from partnerhub.data.tags import list_tags
from partnerhub.metrics.customers import EXPORT_COLUMNS, customers_page
from partnerhub.metrics.params import FILTER_PARAMS, BadParameter, parse_view
from partnerhub.metrics.types import Context, Filters, View

from .common import joined_labels, managed_by_labels, org_url, product_labels, subscription_type_labels, tag_chip_data

# every export column but the statuses (a list) can be sorted on
SORTABLE = tuple(c for c in EXPORT_COLUMNS if c != "statuses")


def args_of(search: str | None) -> MultiDict:
    """A location.search string ('?a=1&a=2') as the MultiDict parse_view reads."""
    return MultiDict(parse_qsl((search or "").lstrip("?"), keep_blank_values=True))


def args_from_kwargs(kwargs: Mapping) -> MultiDict:
    """What Dash hands a page layout (one value, or a list for a repeated
    key) as a MultiDict."""
    pairs = []
    for key, value in kwargs.items():
        for v in value if isinstance(value, (list, tuple)) else [value]:
            pairs.append((key, "" if v is None else str(v)))
    return MultiDict(pairs)


def read_view(args: MultiDict, known_tags: Iterable[str]) -> tuple[Filters, str | None]:
    """(filters, None), or (the default filters, the message) when a
    parameter is bad. A tag filter must name an existing tag, as in the API."""
    try:
        _toggle, filters = parse_view(args, "customers")
        known = set(known_tags)
        for tag in filters.tag:
            if tag not in known:
                raise BadParameter("tag", f"unknown tag {tag!r}")
    except BadParameter as err:
        return Filters(), str(err)
    return filters, None


def view_query(filters: Filters) -> str:
    """The canonical query string of a view ('' for the default view), in the
    API's parameter names and order."""
    pairs = []
    for name in FILTER_PARAMS:
        value = getattr(filters, name)
        if name == "needs_attention":
            value = "true" if value else None
        elif name == "q":
            value = value.strip() or None
        pairs.append((name, list(value) if isinstance(value, tuple) else value))
    return query_string(pairs)


def controls_args(attention, managed_by, product, status, subscription_type, tag, q) -> MultiDict:
    """The filter controls' values (as the browser sent them) as query args."""
    pairs = []
    for name, values in (
        ("managed_by", managed_by),
        ("product", product),
        ("status", status),
        ("subscription_type", subscription_type),
        ("tag", tag),
    ):
        if isinstance(values, str):
            values = [values]
        for v in values or []:
            pairs.append((name, str(v)))
    if isinstance(q, str) and q.strip():
        pairs.append(("q", q))
    if attention == "attention":
        pairs.append(("needs_attention", "true"))
    return MultiDict(pairs)


def controls_of(filters: Filters) -> list:
    """The filter controls' values for a view, in controls_args' order."""
    return [
        "attention" if filters.needs_attention else "all",
        list(filters.managed_by),
        list(filters.product),
        list(filters.status),
        list(filters.subscription_type),
        list(filters.tag),
        filters.q,
    ]


def tag_colors(ctx: Context) -> dict[str, str]:
    return {t["name"]: t["color"] for t in list_tags(ctx.state)}


def decorate(rows: list[dict], colors: Mapping[str, str], org_template: str) -> list[dict]:
    """Adds what the grid shows beside the export columns: readable labels,
    the tag chips' colours and the customer-org link."""
    products, kinds, managed = product_labels(), subscription_type_labels(), managed_by_labels()
    for row in rows:
        row["products_label"] = joined_labels(row.get("products"), products)
        row["subscription_types_label"] = joined_labels(row.get("subscription_types"), kinds)
        row["managed_by_label"] = managed.get(row.get("managed_by"), row.get("managed_by"))
        row["tag_chips"] = [tag_chip_data(t, colors.get(t)) for t in (row.get("tags") or "").split(";") if t]
        row["org_url"] = org_url(org_template, row["customer_id"])
    return rows


def grid_rows(
    ctx: Context,
    scope: frozenset[str] | None,
    search: str | None,
    request: Mapping | None,
    page_size: int = DEFAULT_PAGE_SIZE,
) -> tuple[dict, int, Filters]:
    """The grid's getRowsResponse for one block of the list the URL `search`
    names, in the viewer's `scope`: sorted and cut in DuckDB. Returns
    (response, total matching customers, the filters applied)."""
    colors = tag_colors(ctx)
    try:
        _toggle, filters = parse_view(args_of(search), "customers")
    except BadParameter:
        # the page only sends views it wrote itself; anything else is the default view
        filters = Filters()
    # a tag renamed or deleted meanwhile matches no customer (rather than all of them)
    view = View(scope=scope, filters=filters)
    start, end = page_bounds(request, page_size)
    sort = rows_request_to_sort(request, SORTABLE)
    frame, total = customers_page(ctx, view, sort, start, max(end - start, 1))
    rows = decorate(to_row_dicts(frame), colors, ctx.settings.customer_org_url_template)
    return {"rowData": rows, "rowCount": total}, total, filters


def count_text(total: int) -> str:
    return n_("%(count)s customer", "%(count)s customers", total, count=f"{total:,}")


def empty_reason(filters: Filters, scope: frozenset[str] | None) -> tuple[str, str]:
    """(what is empty, why) for a list with no row."""
    if filters != Filters():
        return (
            _("No customer matches these filters."),
            _("Remove a filter or search for something else to see more customers."),
        )
    if scope is not None and not scope:
        return (
            _("You have no customers yet."),
            _(
                "Your role sees only the customers assigned to you, and none are assigned: "
                "ask a partner full administrator to assign customers to you."
            ),
        )
    return (_("There are no customers."), _("The imported data has no customer in your view."))
