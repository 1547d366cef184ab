"""The worklist's view, free of Dash callbacks so tests can call it: the URL
query string <-> the worklist's filters (band, reason, tag, managed by).

Read by the one reader of a view (metrics.view_query.read_view), like the
customer list: a bookmark, a reload and the download mean the same view. A
parameter the worklist has no control for, or a band it does not list
(healthy), is left out and named; the valid filters are kept."""

from __future__ import annotations

from collections.abc import Collection

from werkzeug.datastructures import MultiDict

from partnerhub.components import query_string
from partnerhub.metrics.types import Filters
from partnerhub.metrics.view_query import UNKNOWN_VALUE, Problem, ViewQuery, filter_pairs, read_view, shown
from partnerhub.metrics.view_query import unknown_parameters as unknown
from partnerhub.metrics.worklist import WORKLIST_BANDS

PARAMS = ("health_band", "reason", "tag", "managed_by")
DATASET_URL = "/api/v1/datasets/customer_health"


def read_home_view(args: MultiDict, known_tags: Collection[str] | None) -> ViewQuery:
    """The worklist's filters from query args, and a Problem for each value
    left out. A tag must name an existing tag when `known_tags` is given."""
    problems = unknown(args, PARAMS)
    ours: MultiDict = MultiDict([(k, v) for k, v in args.items(multi=True) if k in PARAMS])
    read = read_view(ours, "customers", None if known_tags is None else (lambda: known_tags))
    problems += read.problems
    for band in read.filters.health_band:
        if band not in WORKLIST_BANDS:
            problems.append(Problem("health_band", shown(band), UNKNOWN_VALUE, WORKLIST_BANDS))
    f = read.filters
    filters = Filters(
        managed_by=f.managed_by,
        tag=f.tag,
        health_band=tuple(b for b in f.health_band if b in WORKLIST_BANDS),
        reason=f.reason,
    )
    return ViewQuery(filters=filters, problems=tuple(problems))


def view_query(filters: Filters) -> str:
    """The canonical query string of a view ('' for the default view)."""
    return query_string(filter_pairs(filters))


def download_query(filters: Filters) -> str:
    """The customer_health export of the worklist: its bands (both when no
    band is chosen) and its other filters."""
    bands = filters.health_band or WORKLIST_BANDS
    return query_string(filter_pairs(Filters(**{**_fields(filters), "health_band": bands})))


def _fields(filters: Filters) -> dict:
    return {name: getattr(filters, name) for name in ("managed_by", "tag", "health_band", "reason")}


def controls_args(band, reason, tag, managed_by) -> MultiDict:
    """The filter controls' values (as the browser sent them) as query args."""
    pairs = []
    for name, values in (("health_band", band), ("reason", reason), ("tag", tag), ("managed_by", managed_by)):
        if isinstance(values, str):
            values = [values]
        for v in values if isinstance(values, list) else []:
            pairs.append((name, str(v)))
    return MultiDict(pairs)


def controls_of(filters: Filters) -> list:
    """The filter controls' values for a view, in controls_args' order."""
    return [list(filters.health_band), list(filters.reason), list(filters.tag), list(filters.managed_by)]
