"""A small per-process cache of computed results.

Keyed by (snapshot id, dataset, view, the metric settings, extra): a new
import is a new snapshot id, so nothing ever needs invalidating and nothing is
served across snapshots. Results that read the app-state store (tags) add its
version to `extra`. Bounded by entry count; the big customer-list results get
their own, smaller bound so a burst of filter combinations cannot pile up
100 000-row frames.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import TypeVar, cast

from sqlalchemy import func, select

from partnerhub.data.state import audit_log

from .types import Context, View

T = TypeVar("T")

_SMALL = 256
_LARGE = 8
LARGE_DATASETS = frozenset({"customers"})


class _Lru:
    def __init__(self, size: int):
        self.size = size
        self._items: OrderedDict = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key):
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return True, self._items[key]
        return False, None

    def put(self, key, value) -> None:
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


_small = _Lru(_SMALL)
_large = _Lru(_LARGE)


def settings_key(ctx: Context) -> tuple:
    s = ctx.settings
    return (s.low_allocation_factor, s.low_allocation_min_age_days, s.expiring_soon_days, s.no_recent_activity_days)


def state_version(ctx: Context) -> tuple:
    """Changes with every write to the app-state store that matters here:
    every tag change writes an audit row in its own transaction."""
    with ctx.state.read() as conn:
        return (ctx.state.url, conn.execute(select(func.max(audit_log.c.id))).scalar())


def cached(ctx: Context, name: str, view: View, compute: Callable[[], T], extra: Hashable = ()) -> T:
    key = (ctx.snapshot.id, str(ctx.snapshot.path), name, view, settings_key(ctx), extra)
    store = _large if name in LARGE_DATASETS else _small
    hit, value = store.get(key)
    if hit:
        return cast(T, value)
    computed = compute()
    store.put(key, computed)
    return computed


def clear() -> None:
    """Drops every cached result (tests, or a worker short of memory)."""
    _small.clear()
    _large.clear()
