"""Query-string parameters → (product toggle, Filters), shared by the HTTP API
and the pages' URLs so that a bookmarked page and an export read the same
view the same way. Every bad value is refused with the parameter's name."""

from __future__ import annotations

from partnerhub.data.contract import PRODUCTS

from .customers import MANAGED_BY, SUBSCRIPTION_TYPES
from .definitions import STATUSES
from .types import TOGGLE_PRODUCTS, Context, Filters, View

FILTER_PARAMS = ("managed_by", "product", "status", "subscription_type", "tag", "q", "needs_attention")
MAX_Q = 200


class BadParameter(ValueError):
    def __init__(self, name: str, message: str):
        super().__init__(f"{name}: {message}")
        self.name = name


def _values(args, name: str) -> list[str]:
    out = []
    for raw in args.getlist(name):
        # both ?status=a&status=b and ?status=a,b
        out.extend(v.strip() for v in raw.split(",") if v.strip())
    return out


def _check(name: str, values: list[str], allowed) -> tuple[str, ...]:
    for v in values:
        if v not in allowed:
            raise BadParameter(name, f"unknown value {v!r} (one of: {', '.join(allowed)})")
    return tuple(dict.fromkeys(values))


def parse_view(args, dataset: str | None = None, extra: tuple[str, ...] = ()) -> tuple[str, Filters]:
    """`args` is a MultiDict (request.args, or werkzeug's url_decode of a
    page's query string). For the customer list `product` is a filter on
    products with a current line; everywhere else it is the Meetings/Calling
    toggle."""
    for name in args:
        if name not in FILTER_PARAMS and name not in extra:
            raise BadParameter(name, "unknown parameter")
    customers = dataset == "customers"
    products = _values(args, "product")
    if customers:
        product_filter = _check("product", products, PRODUCTS)
        toggle = "meetings"
    else:
        product_filter = ()
        if len(products) > 1:
            raise BadParameter("product", "give one of meetings, calling")
        toggle = _check("product", products, TOGGLE_PRODUCTS)[0] if products else "meetings"
    q = " ".join(args.getlist("q")).strip()
    if len(q) > MAX_Q:
        raise BadParameter("q", f"at most {MAX_Q} characters")
    attention = args.get("needs_attention", "false").strip().lower()
    if attention not in ("true", "false", "1", "0", ""):
        raise BadParameter("needs_attention", "give true or false")
    tags = _values(args, "tag")
    for t in tags:
        if len(t) > 60:
            raise BadParameter("tag", f"unknown tag {t[:60]!r}")
    filters = Filters(
        managed_by=_check("managed_by", _values(args, "managed_by"), MANAGED_BY),
        product=product_filter,
        status=_check("status", _values(args, "status"), STATUSES),
        subscription_type=_check("subscription_type", _values(args, "subscription_type"), SUBSCRIPTION_TYPES),
        tag=tuple(dict.fromkeys(tags)),
        q=q,
        needs_attention=attention in ("true", "1"),
    )
    return toggle, filters


def narrowed_view(
    ctx: Context, scope: frozenset[str] | None, toggle: str, filters: Filters, dataset: str | None = None
) -> View:
    """The viewer's scope (decided by the caller, on the server) narrowed by
    the customer filters: the list applies them itself; every other dataset
    gets the matching customers as its scope. The page and its export both
    build their view here, so they read the same customers."""
    if dataset == "customers" or filters == Filters():
        return View(scope=scope, product=toggle, filters=filters)
    from .customers import customers

    listed = customers(ctx, View(scope=scope, filters=filters)).frame["customer_id"]
    return View(scope=frozenset(listed.to_list()), product=toggle)


def check_tags(state, names: tuple[str, ...]) -> None:
    """Refuses a tag name that does not exist, naming it."""
    if not names:
        return
    from partnerhub.data.tags import list_tags

    known = {t["name"] for t in list_tags(state)}
    for name in names:
        if name not in known:
            raise BadParameter("tag", f"unknown tag {name!r}")
