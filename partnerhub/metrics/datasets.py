"""The registry of everything the pages and the API export.

DATASETS: every dataset of spec/interfaces.md by name, with the area (page
rights) that may see it. KPI_GROUPS: the KPI sections of /api/v1/kpis.
`kpis()` builds that endpoint's body for the areas a viewer may see.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from . import calling, customers, health, licenses
from .types import Context, Result, View


@dataclass(frozen=True)
class Dataset:
    name: str
    area: str  # customers | analytics | calling
    title: str
    fn: Callable[[Context, View], Result]


@dataclass(frozen=True)
class KpiGroup:
    name: str
    area: str
    fn: Callable[[Context, View], dict]


DATASETS: dict[str, Dataset] = {
    d.name: d
    for d in (
        Dataset("customers", "customers", "Customers", customers.customers),
        Dataset("license_trend", "analytics", "License distribution trend", licenses.license_trend),
        Dataset("recently_added", "analytics", "Recently added (last 90 days)", licenses.recently_added),
        Dataset("expiring", "analytics", "Expiring in the next 90 days", licenses.expiring),
        Dataset("renewing", "analytics", "Renewing in the next 90 days", licenses.renewing),
        Dataset("low_allocation", "analytics", "Low license allocation", licenses.low_allocation),
        Dataset("overage", "analytics", "License overage", licenses.overage),
        Dataset("calling_usage_trend", "calling", "Calling usage, last 8 weeks", calling.calling_usage_trend),
        Dataset("calling_usage", "calling", "Customers and calling usage", calling.calling_usage),
        Dataset("call_quality_trend", "calling", "Call quality, last 8 weeks", calling.call_quality_trend),
        Dataset(
            "call_quality_by_endpoint", "calling", "Call quality by endpoint type", calling.call_quality_by_endpoint
        ),
        Dataset("call_quality", "calling", "Customers and call quality", calling.call_quality),
        Dataset("calling_features", "calling", "Advanced calling features", calling.calling_features),
        Dataset("call_queues", "calling", "Call queue insights", calling.call_queues),
        Dataset("customer_health", "customers", "Customer health", health.customer_health),
    )
}


def _section(dataset: str) -> Callable[[Context, View], dict]:
    def fn(ctx: Context, view: View) -> dict:
        return dict(DATASETS[dataset].fn(ctx, view).kpis)

    fn.__name__ = f"{dataset}_kpis"
    return fn


KPI_GROUPS: dict[str, KpiGroup] = {
    g.name: g
    for g in (
        KpiGroup("headline", "analytics", licenses.headline),
        KpiGroup("recently_added", "analytics", _section("recently_added")),
        KpiGroup("expiring", "analytics", _section("expiring")),
        KpiGroup("renewing", "analytics", _section("renewing")),
        KpiGroup("low_allocation", "analytics", _section("low_allocation")),
        KpiGroup("overage", "analytics", _section("overage")),
        KpiGroup("call_queues", "calling", _section("call_queues")),
        KpiGroup("health", "customers", health.health_kpis),
    )
}


def kpis(ctx: Context, view: View, areas: set[str]) -> dict:
    """The /api/v1/kpis body: as_of, the product toggle, and every KPI group
    whose area the viewer may see (the others are absent)."""
    licenses.check_product(view)
    body: dict = {"as_of": ctx.as_of.isoformat(), "product": view.product}
    for name, group in KPI_GROUPS.items():
        if group.area in areas:
            body[name] = group.fn(ctx, view)
    return body
