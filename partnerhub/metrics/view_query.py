"""A URL query as the view it names: the one reading of a view, shared by the
HTTP API and every page, so that a bookmarked page and its download read the
same customers the same way.

    read_view(args, dataset, known_tags) -> ViewQuery   # never raises

`args` is a MultiDict (request.args, or werkzeug's url_decode of a page's
query string). The view is built from the valid parts; every bad value is a
`Problem` (parameter, value, why). What a caller does with problems is the
one rule for a bad value:

- the API answers 400 naming the parameter (`ViewQuery.check()` raises
  `BadView`, which api.routes turns into {"error": ...});
- a page keeps every valid filter, drops only the bad values, and names each
  of them in its notice (pages/_analytics/notices.py words them).

The filters themselves are validated here too (`check_filters`, which the
metrics functions call), with one length limit for every text value.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field

from partnerhub.data.contract import PRODUCTS
from partnerhub.i18n import LANG_PARAMETER, _

from .definitions import STATUSES
from .health import BANDS, REASONS
from .types import SEGMENTS, TOGGLE_PRODUCTS, Context, Filters, View

FILTER_PARAMS = (
    "managed_by",
    "product",
    "status",
    "subscription_type",
    "tag",
    "q",
    "needs_attention",
    "health_band",
    "reason",
    "segment",
)
MANAGED_BY = ("partner", "external")
SUBSCRIPTION_TYPES = ("paid", "trial")
# the values a filter of the customer list may take (product: the products with a current line)
CHOICES: dict[str, tuple[str, ...]] = {
    "managed_by": MANAGED_BY,
    "product": PRODUCTS,
    "status": STATUSES,
    "subscription_type": SUBSCRIPTION_TYPES,
    "health_band": BANDS,
    "reason": REASONS,
    "segment": SEGMENTS,
}
# one limit for every text value of a query (the search, a tag name)
MAX_TEXT = 200
TRUE, FALSE = ("true", "1"), ("false", "0", "")
SHOWN = 60  # a bad value is named by at most this many characters

# why a value was left out
UNKNOWN_PARAMETER = "unknown_parameter"
UNKNOWN_VALUE = "unknown_value"
UNKNOWN_TAG = "unknown_tag"
TOO_LONG = "too_long"
ONE_ONLY = "one_only"
NOT_BOOLEAN = "not_boolean"


def shown(value: str) -> str:
    """A value as a message names it: cut to SHOWN characters."""
    return value if len(value) <= SHOWN else value[:SHOWN] + "…"


@dataclass(frozen=True)
class Problem:
    """One value of the query that was left out. `value` is cut for showing;
    `allowed` lists the valid values when there is a list."""

    parameter: str
    value: str
    reason: str
    allowed: tuple[str, ...] = ()

    @property
    def message(self) -> str:
        """Starting with the parameter's name, in the request's language: what the API says."""
        p, v, allowed = self.parameter, repr(self.value), ", ".join(self.allowed)
        if self.reason == UNKNOWN_PARAMETER:
            return _("%(p)s: unknown parameter", p=p)
        if self.reason == UNKNOWN_VALUE:
            return _("%(p)s: unknown value %(v)s (one of: %(allowed)s)", p=p, v=v, allowed=allowed)
        if self.reason == UNKNOWN_TAG:
            return _("%(p)s: unknown tag %(v)s", p=p, v=v)
        if self.reason == TOO_LONG:
            return _("%(p)s: at most %(n)d characters", p=p, n=MAX_TEXT)
        if self.reason == ONE_ONLY:
            return _("%(p)s: give one of %(allowed)s", p=p, allowed=allowed)
        if self.reason == NOT_BOOLEAN:
            return _("%(p)s: give true or false", p=p)
        return _("%(p)s: bad value %(v)s", p=p, v=v)


class BadView(ValueError):
    """A view with bad values, refused (the API's 400). `name` is the first
    bad parameter; the message names every problem."""

    def __init__(self, problems: Iterable[Problem]):
        self.problems = tuple(problems)
        super().__init__("; ".join(p.message for p in self.problems))
        self.name = self.problems[0].parameter if self.problems else ""


@dataclass(frozen=True)
class ViewQuery:
    """The view a query names: the Meetings/Calling toggle, the customer
    filters (only the valid values) and what was left out."""

    product: str = "meetings"
    filters: Filters = field(default_factory=Filters)
    problems: tuple[Problem, ...] = ()

    def check(self) -> ViewQuery:
        """Itself, or BadView when anything was left out (the API's rule)."""
        if self.problems:
            raise BadView(self.problems)
        return self


def split_values(args, name: str) -> list[str]:
    """Both ?status=a&status=b and ?status=a,b; blanks dropped, order kept."""
    out: list[str] = []
    for raw in args.getlist(name):
        out.extend(v.strip() for v in raw.split(",") if v.strip())
    return out


def choose(name: str, values: Iterable[str], allowed: tuple[str, ...], problems: list[Problem]) -> tuple[str, ...]:
    """The values found in `allowed` (each once, in order); the others are
    added to `problems`."""
    kept: dict[str, None] = {}
    for v in values:
        if v in allowed:
            kept[v] = None
        elif not any(p.parameter == name and p.value == shown(v) for p in problems):
            problems.append(Problem(name, shown(v), UNKNOWN_VALUE, allowed))
    return tuple(kept)


def text_value(name: str, value: str, problems: list[Problem]) -> str:
    """A text value within MAX_TEXT characters, or '' and a problem."""
    if len(value) > MAX_TEXT:
        problems.append(Problem(name, shown(value), TOO_LONG))
        return ""
    return value


def unknown_parameters(args, known: Collection[str]) -> list[Problem]:
    return [
        Problem(name, shown(",".join(args.getlist(name))), UNKNOWN_PARAMETER)
        for name in dict.fromkeys(args)
        # ?lang= is every address's (the interface language, read by i18n)
        if name not in known and name != LANG_PARAMETER
    ]


def _tags(args, known_tags: Callable[[], Collection[str]] | None, problems: list[Problem]) -> tuple[str, ...]:
    kept: dict[str, None] = {}
    known: Collection[str] | None = None
    for t in split_values(args, "tag"):
        if not text_value("tag", t, problems):
            continue
        if known_tags is not None:
            known = known_tags() if known is None else known
            if t not in known:
                problems.append(Problem("tag", shown(t), UNKNOWN_TAG))
                continue
        kept[t] = None
    return tuple(kept)


def read_view(
    args,
    dataset: str | None = None,
    known_tags: Callable[[], Collection[str]] | None = None,
    extra: tuple[str, ...] = (),
) -> ViewQuery:
    """The view `args` names, built from its valid values, with a Problem
    for every value left out. For the customer list (dataset "customers")
    `product` filters on products with a current line; everywhere else it
    is the Meetings/Calling toggle (one value; Meetings when none is valid).
    known_tags: the existing tag names (called only when a tag is asked
    for); None accepts any tag name (it then matches no customer).
    extra: parameters the caller reads itself."""
    problems = unknown_parameters(args, (*FILTER_PARAMS, *extra))
    chosen = {
        name: choose(name, split_values(args, name), allowed, problems)
        for name, allowed in CHOICES.items()
        if name != "product"
    }
    toggle = "meetings"
    product_filter: tuple[str, ...] = ()
    if dataset == "customers":
        product_filter = choose("product", split_values(args, "product"), PRODUCTS, problems)
    else:
        products = choose("product", split_values(args, "product"), TOGGLE_PRODUCTS, problems)
        if len(products) > 1:
            problems.append(Problem("product", ", ".join(products), ONE_ONLY, TOGGLE_PRODUCTS))
        elif products:
            toggle = products[0]
    tag = _tags(args, known_tags, problems)
    q = text_value("q", " ".join(args.getlist("q")).strip(), problems)
    attention = args.get("needs_attention", "false").strip().lower()
    if attention not in TRUE + FALSE:
        problems.append(Problem("needs_attention", shown(attention), NOT_BOOLEAN, ("true", "false")))
    filters = Filters(
        managed_by=chosen["managed_by"],
        product=product_filter,
        status=chosen["status"],
        subscription_type=chosen["subscription_type"],
        tag=tag,
        q=q,
        needs_attention=attention in TRUE,
        health_band=chosen["health_band"],
        reason=chosen["reason"],
        segment=chosen["segment"],
    )
    return ViewQuery(toggle, filters, tuple(problems))


def filter_pairs(filters: Filters) -> list[tuple[str, str]]:
    """The filters as query pairs, in FILTER_PARAMS order ([] for none): the
    canonical query that read_view reads back to the same filters."""
    pairs: list[tuple[str, str]] = []
    for name in FILTER_PARAMS:
        value = getattr(filters, name)
        if name == "needs_attention":
            pairs += [(name, "true")] if value else []
        elif name == "q":
            pairs += [(name, value.strip())] if value.strip() else []
        else:
            pairs += [(name, v) for v in value]
    return pairs


def filter_problems(filters: Filters) -> list[Problem]:
    """What is wrong with filters built in code (the metrics functions'
    check): the same choices and the same length limit as read_view."""
    problems: list[Problem] = []
    for name, allowed in CHOICES.items():
        choose(name, getattr(filters, name), allowed, problems)
    text_value("q", filters.q, problems)
    for t in filters.tag:
        text_value("tag", t, problems)
    return problems


def check_filters(filters: Filters) -> Filters:
    """The filters, or BadView naming every bad value."""
    problems = filter_problems(filters)
    if problems:
        raise BadView(problems)
    return filters


def tag_names(state) -> set[str]:
    """The names of the tags of an app-state store (read_view's known_tags)."""
    from partnerhub.data.tags import list_tags

    return {t["name"] for t in list_tags(state)}


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

    listed = customers(ctx, View(scope=scope, filters=filters))
    return View(scope=frozenset(listed.frame["customer_id"].to_list()), product=toggle)
