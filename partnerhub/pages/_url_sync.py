"""A page's URL and its filter controls kept in step (This week's worklist,
the customer list): a change of the URL (the back button, a pasted address)
moves the controls, a change of a control moves the URL. Either way the
valid filters are kept and every bad value is left out and named in the
page's alert."""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import Any

import dash
from werkzeug.datastructures import MultiDict

from partnerhub.metrics.types import Filters
from partnerhub.metrics.view_query import Problem, ViewQuery
from partnerhub.pages._analytics.query import args_from_search


@dataclass(frozen=True)
class UrlSync:
    # the dcc.Location whose change is a change of the URL
    url_id: str
    controls: tuple[str, ...]
    # query args (and the existing tags' names) -> the view and its problems
    read: Callable[[MultiDict, Collection[str] | None], ViewQuery]
    # the view's canonical query string
    query_of: Callable[[Filters], str]
    # the controls' values (in `controls` order) -> query args, and back
    controls_args: Callable[..., MultiDict]
    controls_of: Callable[[Filters], list]
    # the notice naming the values left out (None when there are none)
    alert: Callable[[tuple[Problem, ...]], Any]

    def step(self, trigger: str | None, search: str | None, controls: list, current: str | None, known_tags) -> tuple:
        """(search, view, alert, *controls) for one change, `trigger` the id
        of what changed; dash.no_update where nothing changes."""
        nothing = dash.no_update
        untouched = (nothing,) * len(self.controls)
        if trigger == self.url_id:
            read = self.read(args_from_search(search), known_tags)
            query = self.query_of(read.filters)
            if query == current and not read.problems:
                return (nothing, nothing, None, *untouched)
            return (nothing, query, self.alert(read.problems), *self.controls_of(read.filters))
        read = self.read(self.controls_args(*controls), known_tags)
        query = self.query_of(read.filters)
        alert = self.alert(read.problems)
        if query == current:
            return (nothing, nothing, alert, *untouched)
        return (query, query, alert, *untouched)
