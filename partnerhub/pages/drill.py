"""Drill-downs: the address behind each KPI card, in one place for every page
(the analytics and calling pages, This week).

    kpi_href(group, kpi, product=None, filters=Filters()) -> str | None

A card that counts customers opens the customer list filtered to exactly
those customers (a health band, the `segment` of a license section, or the
products with a current line), so the list's count equals the card. Any
other card (a ratio, an average, a sum of licenses) opens the table it is
computed from, on its page, at its section's anchor. Either way the customer
filters the card was computed with travel in the link, so the numbers behind
it are the card's: the same metrics functions read the same view there.
"""

from __future__ import annotations

from dataclasses import replace

from partnerhub.components import query_string
from partnerhub.metrics.health import BANDS
from partnerhub.metrics.types import SEGMENT_SECTIONS, TOGGLE_PRODUCTS, Filters
from partnerhub.metrics.view_query import filter_pairs

CUSTOMERS = "/customers"
ANALYTICS = "/analytics"
CALLING = "/calling"

# the headline's customer counts and the section each counts the customers of
HEADLINE_SEGMENTS = {
    "expiring_customers": "expiring",
    "renewing_customers": "renewing",
    "low_allocation_customers": "low_allocation",
    "overage_customers": "overage",
}
# each license section's customer count (the others are ratios and sums)
SECTION_COUNTS = {
    "recently_added": "new_customers",
    "expiring": "expiring_customers",
    "renewing": "renewing_customers",
    "low_allocation": "low_allocation_customers",
    "overage": "overage_customers",
}
# the health KPIs and the bands of the customers each one is about
HEALTH_BANDS = {
    "scored_customers": BANDS,
    "average_health_score": BANDS,
    "at_risk_customers": ("at_risk",),
    "watch_customers": ("watch",),
    "healthy_customers": ("healthy",),
    "licenses_at_risk": ("at_risk",),
}
# the sections of the calling page that have KPI cards, by KPI group
CALLING_SECTIONS = {"call_queues": "calling-call-queues"}


def kpi_href(group: str, kpi: str, product: str | None = None, filters: Filters | None = None) -> str | None:
    """The address behind the card `kpi` of KPI group `group` (the names of
    metrics.datasets.KPI_GROUPS and of the KPIs' export names). `product`:
    the Meetings/Calling toggle the card was computed for (section groups
    only); `filters`: the customer filters it was computed with. None when
    the card opens nothing: an unknown card, or one whose customers the
    filters could not select together with the card's own filter (the card
    then counts none of them anyway)."""
    filters = filters or Filters()
    product = product if product in TOGGLE_PRODUCTS else "meetings"
    if group == "headline":
        if kpi == "total_customers":
            return _total(filters)
        section = HEADLINE_SEGMENTS.get(kpi)
        return _segment(filters, section) if section else None
    if group == "health":
        bands = HEALTH_BANDS.get(kpi)
        return _bands(filters, bands) if bands else None
    if group in SECTION_COUNTS:
        if kpi == SECTION_COUNTS[group]:
            return _segment(filters, f"{group}:{product}")
        pairs = [("product", product), *filter_pairs(replace(filters, product=()))]
        return ANALYTICS + query_string(pairs) + "#analytics-" + group.replace("_", "-")
    if group in CALLING_SECTIONS:
        return CALLING + query_string(filter_pairs(replace(filters, product=()))) + "#" + CALLING_SECTIONS[group]
    return None


def _customers(filters: Filters) -> str:
    return CUSTOMERS + query_string(filter_pairs(filters))


def _total(filters: Filters) -> str | None:
    # customers with a current Meetings or Calling line: the list's product
    # filter (products with a current line) says exactly that
    if not filters.product:
        return _customers(replace(filters, product=TOGGLE_PRODUCTS))
    # a product filter already there (one of these products) selects a subset of them
    return _customers(filters) if set(filters.product) <= set(TOGGLE_PRODUCTS) else None


def _segment(filters: Filters, segment: str) -> str | None:
    # several segments would mean any of them, where the card means both
    if filters.segment and filters.segment != (segment,):
        return None
    return _customers(replace(filters, segment=(segment,)))


def _bands(filters: Filters, bands: tuple[str, ...]) -> str | None:
    kept = tuple(b for b in bands if not filters.health_band or b in filters.health_band)
    return _customers(replace(filters, health_band=kept)) if kept else None


assert set(SECTION_COUNTS) == set(SEGMENT_SECTIONS)
