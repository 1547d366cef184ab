"""The resources page's query string: the search and the category / type
filters, read by the rule of every page (metrics.view_query: the valid values
are kept, every bad one is left out and named) and written back."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from urllib.parse import urlencode

from werkzeug.datastructures import MultiDict

from partnerhub.metrics.view_query import Problem, choose, text_value, unknown_parameters

from .content import TYPES

PARAMS = ("q", "category", "type")


def read_filters(
    args, categories: Sequence[str], category_names: Mapping[str, str] | None = None
) -> tuple[str, list[str], list[str], list[Problem]]:
    """(q, categories, types, problems) from the query string, by the rule of
    every page (metrics.view_query): the valid values are kept, every bad one
    is left out and named; the search has the one length limit. A category
    may be named in English on a page in another language (category_names)."""
    problems = unknown_parameters(args, PARAMS)
    q = text_value("q", " ".join(args.getlist("q")).strip(), problems)
    names = category_names or {}
    asked = {
        "category": [names.get(v, v) for raw in args.getlist("category") if (v := raw.strip())],
        "type": [v for raw in args.getlist("type") if (v := raw.strip())],
    }
    chosen = {
        name: list(choose(name, asked[name], tuple(allowed), problems))
        for name, allowed in (("category", categories), ("type", TYPES))
    }
    return q, chosen["category"], chosen["type"], problems


def controls_args(q, categories, types) -> MultiDict:
    """The filter controls' values (as the browser sent them) as query args."""
    pairs = [("q", q)] if isinstance(q, str) else []
    for name, values in (("category", categories), ("type", types)):
        values = [values] if isinstance(values, str) else values if isinstance(values, list) else []
        pairs += [(name, str(v)) for v in values]
    return MultiDict(pairs)


def search_for(q, categories, types) -> str:
    pairs = (
        ([("q", q.strip())] if q and q.strip() else [])
        + [("category", c) for c in categories or []]
        + [("type", t) for t in types or []]
    )
    return "?" + urlencode(pairs) if pairs else ""
