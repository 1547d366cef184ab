"""The customer list's logic, free of Dash callbacks so tests can call it on
any snapshot: the URL query string <-> Filters, and the rows the grid asks
for (one server-side page of metrics.customers.customers_page).

The URL is the one place a view lives: the filter controls write it, the
grid and the download menu read it, with the one reader of a view the HTTP
API uses too (metrics.view_query.read_view), so a bookmark, a reload, the
back button and a download all mean the same view. A bad value in the URL is
left out and named; the valid filters are kept.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence

from werkzeug.datastructures import MultiDict

from partnerhub.components import query_string, read_rows_request, to_row_dicts
from partnerhub.components.grid import DEFAULT_PAGE_SIZE
from partnerhub.components.labels import (
    managed_by_labels,
    product_labels,
    subscription_kind_labels,
    toggle_product_labels,
)
from partnerhub.data.tags import list_tags
from partnerhub.i18n import _, n_
from partnerhub.metrics.customers import EXPORT_COLUMNS, customers_page
from partnerhub.metrics.health import BANDS, REASONS
from partnerhub.metrics.health_reasons import band_label, component_label
from partnerhub.metrics.types import Context, Filters, View
from partnerhub.metrics.view_query import ViewQuery, filter_pairs, read_view
from partnerhub.pages._analytics.query import args_from_search

from .common import joined_labels, org_url, tag_chip_data

# every export column but the statuses (a list) can be sorted on
SORTABLE = tuple(c for c in EXPORT_COLUMNS if c != "statuses")


def read_list_view(args: MultiDict, known_tags: Collection[str] | None) -> ViewQuery:
    """The list's filters from query args: the valid values, and a Problem
    for each bad one. A tag filter must name an existing tag (as in the API)
    when `known_tags` is given."""
    return read_view(args, "customers", None if known_tags is None else (lambda: known_tags))


def view_query(filters: Filters) -> str:
    """The canonical query string of a view ('' for the default view), in the
    API's parameter names and order."""
    return query_string(filter_pairs(filters))


def controls_args(
    attention, managed_by, product, status, subscription_type, tag, q, health_band=None, reason=None, segment=None
) -> MultiDict:
    """The filter controls' values (as the browser sent them) as query args.
    segment: the drill-down's license sections (no control of its own: the
    page keeps them in a Store, shown as a removable notice)."""
    pairs = []
    for name, values in (
        ("managed_by", managed_by),
        ("product", product),
        ("status", status),
        ("subscription_type", subscription_type),
        ("tag", tag),
    ):
        pairs += _pairs(name, values)
    if isinstance(q, str) and q.strip():
        pairs.append(("q", q))
    if attention == "attention":
        pairs.append(("needs_attention", "true"))
    for name, values in (("health_band", health_band), ("reason", reason), ("segment", segment)):
        pairs += _pairs(name, values)
    return MultiDict(pairs)


def _pairs(name: str, values) -> list[tuple[str, str]]:
    if isinstance(values, str):
        values = [values]
    return [(name, str(v)) for v in values or [] if isinstance(v, (str, int, float))]


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
        list(filters.health_band),
        list(filters.reason),
        list(filters.segment),
    ]


def health_band_choices() -> list[tuple[str, str]]:
    return [(b, band_label(b)) for b in BANDS]


def reason_choices() -> list[tuple[str, str]]:
    return [(r, component_label(r)) for r in REASONS]


def segment_phrases() -> dict[str, str]:
    """What the customers of each license section have, as the list's notice says it."""
    return {
        "recently_added": _("a subscription added in the last 90 days"),
        "expiring": _("a subscription or trial that ends in the next 90 days and does not renew automatically"),
        "renewing": _("a subscription that ends in the next 90 days and renews automatically"),
        "low_allocation": _("a subscription with a low license allocation"),
        "overage": _("more licenses assigned than purchased"),
    }


def segment_text(segments: Sequence[str]) -> str:
    """The notice of a drill-down's segment filter: "Showing: customers with
    a subscription or trial that ends … (Meetings)"; '' for none."""
    if not segments:
        return ""
    phrases, products = segment_phrases(), toggle_product_labels()
    parts = []
    for segment in segments:
        section, _sep, product = segment.partition(":")
        which = products[product] if product else _("Meetings or Calling")
        parts.append(_("%(what)s (%(product)s)", what=phrases[section], product=which))
    return _("Showing: customers with %(what)s", what=_(" or ").join(parts))


def tag_colors(ctx: Context) -> dict[str, str]:
    return {t["name"]: t["color"] for t in list_tags(ctx.state)}


def decorate(rows: list[dict], colors: Mapping[str, str], org_template: str) -> list[dict]:
    """Adds what the grid shows beside the export columns: readable labels,
    the tag chips' colours and the customer-org link."""
    products, kinds, managed = product_labels(), subscription_kind_labels(), managed_by_labels()
    for row in rows:
        row["products_label"] = joined_labels(row.get("products"), products)
        row["subscription_types_label"] = joined_labels(row.get("subscription_types"), kinds)
        row["managed_by_label"] = managed.get(str(row.get("managed_by")), row.get("managed_by"))
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
    (response, total matching customers, the filters applied).
    BadRowRequest (a 400) for a request the grid would never send."""
    rows = read_rows_request(request, SORTABLE, page_size)
    colors = tag_colors(ctx)
    # the view the page wrote, read by the page's rule (bad values left out); a
    # tag renamed or deleted meanwhile matches no customer (rather than all of them)
    filters = read_list_view(args_from_search(search), None).filters
    view = View(scope=scope, filters=filters)
    frame, total = customers_page(ctx, view, list_sort(filters, rows.sort), rows.start, max(rows.end - rows.start, 1))
    row_data = decorate(to_row_dicts(frame), colors, ctx.settings.customer_org_url_template)
    return {"rowData": row_data, "rowCount": total}, total, filters


# the needs-attention view: the least healthy first (customers not scored last)
ATTENTION_SORT = (("health_score", "asc"),)


def list_sort(filters: Filters, sort: Sequence) -> list:
    """The sort the grid asked for; with none, the needs-attention view
    sorts by health, lowest first (the list's own order otherwise)."""
    if not sort and filters.needs_attention:
        return list(ATTENTION_SORT)
    return list(sort)


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
