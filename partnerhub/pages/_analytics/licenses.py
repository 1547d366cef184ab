"""The license sections of the analytics page (metrics.md "Headline KPIs" to
"License overage"): their words, columns and KPI cards. Every section but
the headline follows the Meetings / Calling toggle."""

from __future__ import annotations

from partnerhub.components import Column, kpi_card, kpi_row
from partnerhub.components.charts import empty_figure
from partnerhub.data.settings import Settings
from partnerhub.i18n import _
from partnerhub.metrics.types import Filters
from partnerhub.pages.drill import kpi_href

from .sections import (
    ChartSection,
    ChartText,
    TableSection,
    TableText,
    column,
    customer_column,
    definition,
    license_bar_column,
)
from .week_charts import license_trend

AREA = "analytics"
HEADLINE = (
    "total_customers",
    "expiring_customers",
    "renewing_customers",
    "low_allocation_customers",
    "overage_customers",
)


# ---- headline -----------------------------------------------------------------------------------


def headline_labels() -> dict[str, str]:
    return {
        "total_customers": _("Total customers"),
        "expiring_customers": _("Expiring in 90 days"),
        "renewing_customers": _("Renewing in 90 days"),
        "low_allocation_customers": _("Low license allocation"),
        "overage_customers": _("Over the license limit"),
    }


def headline_cards(values: dict, filters: Filters | None = None):
    """The five headline cards, each a link to its customers (the list
    narrowed by the page's customer `filters` too, as the values are)."""
    labels = headline_labels()
    return kpi_row(
        [
            kpi_card(
                f"analytics-headline-{key.replace('_', '-')}",
                labels[key],
                values.get(key),
                definition(key),
                href=kpi_href("headline", key, filters=filters),
            )
            for key in HEADLINE
        ],
        id="analytics-headline",
    )


# ---- license distribution trend -----------------------------------------------------------------


def _trend_text(product: str) -> ChartText:
    return ChartText(
        _("License distribution trend"),
        _(
            "%(product)s licenses of the subscriptions running each week, and how many of them were "
            "assigned and used, over the last 12 weeks.",
            product=product,
        ),
    )


def _draw_trend(result, product: str):
    df = result.frame
    if df.height == 0 or not (df["total_licenses"].sum() or df["assigned"].sum() or df["used"].sum()):
        message = _("No %(product)s licenses in these 12 weeks", product=product)
        return empty_figure(message), message
    return license_trend(df)


TREND = ChartSection(AREA, "license_trend", _trend_text, _draw_trend)


# ---- the five table sections --------------------------------------------------------------------


def _subscription() -> Column:
    return column("subscription_id", _("Subscription"), width=150)


def _recent_text(product: str) -> TableText:
    return TableText(
        title=_("Recently added (last 90 days)"),
        rule=_(
            "Current %(product)s subscriptions added to a customer in the last 90 days, newest first.", product=product
        ),
        kpi_labels={"new_customers": _("New customers"), "total_licenses": _("Total licenses")},
        columns=[
            customer_column(),
            _subscription(),
            column("days_since_added", _("Days since added"), "days"),
            column("total_licenses", _("Licenses"), "int"),
            license_bar_column(),
            column("weekly_allocation_change", _("Assigned, change in a week"), "change"),
            column("weekly_usage_change", _("Used, change in a week"), "change"),
        ],
        empty_message=_("No %(product)s subscriptions were added in the last 90 days", product=product),
        empty_reason=_(
            "None of the current %(product)s subscriptions of your customers started in the last 90 days.",
            product=product,
        ),
    )


def _window_columns() -> list[Column]:
    return [
        customer_column(),
        _subscription(),
        column("days_to_end", _("Days to end"), "days"),
        column("total_licenses", _("Licenses"), "int"),
        license_bar_column(),
        column("usage_3_months", _("Most used, 13 weeks"), "int"),
        Column(
            "usage_sparkline",
            _("Used licenses, last 13 weeks"),
            "sparkline",
            _(
                "Used licenses in each of the last 13 weeks (a gap: no data that week). %(d)s",
                d=definition("usage_3_months"),
            ),
            sortable=False,
        ),
    ]


def _expiring_text(product: str) -> TableText:
    return TableText(
        title=_("Expiring in the next 90 days"),
        rule=_(
            "Current %(product)s subscriptions and trials that end in the next 90 days and do not renew "
            "automatically, soonest first.",
            product=product,
        ),
        kpi_labels={
            "expiring_customers": _("Expiring customers"),
            "allocation_ratio": _("Allocation"),
            "usage_ratio": _("Usage"),
        },
        columns=_window_columns(),
        empty_message=_("No %(product)s lines expire in the next 90 days", product=product),
        empty_reason=_(
            "Every current %(product)s subscription of your customers either renews automatically or "
            "ends later than 90 days from now.",
            product=product,
        ),
    )


def _renewing_text(product: str) -> TableText:
    return TableText(
        title=_("Renewing in the next 90 days"),
        rule=_(
            "Current %(product)s subscriptions that end in the next 90 days and renew automatically, soonest first.",
            product=product,
        ),
        kpi_labels={
            "renewing_customers": _("Renewing customers"),
            "allocation_ratio": _("Allocation"),
            "usage_ratio": _("Usage"),
        },
        columns=_window_columns(),
        empty_message=_("No %(product)s lines renew in the next 90 days", product=product),
        empty_reason=_(
            "No current %(product)s subscription of your customers that renews automatically ends in the next 90 days.",
            product=product,
        ),
    )


def low_allocation_rule(settings: Settings, product: str) -> str:
    return _(
        "A current %(product)s subscription at least %(days)s days old whose share of assigned licenses is "
        "below %(factor)s × the usual share (the median) of all the partner's current %(product)s "
        "subscriptions of a similar size (1–10, 11–50, 51–250, 251–1000, 1001+ licenses), lowest first.",
        product=product,
        days=settings.low_allocation_min_age_days,
        factor=f"{settings.low_allocation_factor:g}",
    )


def _low_text(product: str) -> TableText:
    from partnerhub.data.runtime import services

    return TableText(
        title=_("Low license allocation"),
        rule=low_allocation_rule(services().settings, product),
        kpi_labels={
            "low_allocation_customers": _("Customers with low allocation"),
            "allocation_ratio": _("Allocation"),
            "assigned_usage_ratio": _("Usage"),
            "unassigned_licenses": _("Unassigned licenses"),
        },
        columns=[
            customer_column(),
            _subscription(),
            column("months_since_added", _("Months since added"), "months"),
            column("assigned", _("Assigned"), "int"),
            column("allocation_ratio", _("Allocation"), "ratio"),
            column("total_licenses", _("Licenses"), "int"),
            license_bar_column(),
            column("weekly_allocation_change", _("Assigned, change in a week"), "change"),
            column("peer_baseline", _("Peer baseline"), "ratio"),
        ],
        empty_message=_("No %(product)s subscription has a low license allocation", product=product),
        empty_reason=_(
            "Every current %(product)s subscription of your customers old enough to judge has "
            "assigned at least the share of licenses usual for its peers.",
            product=product,
        ),
    )


def _overage_text(product: str) -> TableText:
    return TableText(
        title=_("License overage"),
        rule=_(
            "Current %(product)s subscriptions with more licenses assigned than purchased, largest overage first.",
            product=product,
        ),
        kpi_labels={
            "overage_customers": _("Customers over the limit"),
            "overage_licenses": _("Licenses over the limit"),
            "average_overage": _("Average overage per customer"),
        },
        columns=[
            customer_column(),
            _subscription(),
            column("months_remaining", _("Months remaining"), "months"),
            column("auto_renew", _("Renews automatically"), "bool", width=130),
            column("total_licenses", _("Licenses"), "int"),
            column("assigned", _("Assigned"), "int"),
            column("allocation_ratio", _("Allocation"), "ratio"),
            column("used", _("Used"), "int"),
            column("usage_ratio", _("Usage"), "ratio"),
            column("overage", _("Overage"), "int"),
            license_bar_column(),
        ],
        empty_message=_("No %(product)s subscription is over its license limit", product=product),
        empty_reason=_(
            "None of your customers has assigned more %(product)s licenses than purchased.", product=product
        ),
    )


BAR_SORT = (("license_bar", "used"),)

TABLES = (
    TableSection(AREA, "recently_added", _recent_text, (("new_customers", "int"), ("total_licenses", "int")), BAR_SORT),
    TableSection(
        AREA,
        "expiring",
        _expiring_text,
        (("expiring_customers", "int"), ("allocation_ratio", "ratio"), ("usage_ratio", "ratio")),
        BAR_SORT,
    ),
    TableSection(
        AREA,
        "renewing",
        _renewing_text,
        (("renewing_customers", "int"), ("allocation_ratio", "ratio"), ("usage_ratio", "ratio")),
        BAR_SORT,
    ),
    TableSection(
        AREA,
        "low_allocation",
        _low_text,
        (
            ("low_allocation_customers", "int"),
            ("allocation_ratio", "ratio"),
            ("assigned_usage_ratio", "ratio"),
            ("unassigned_licenses", "int"),
        ),
        BAR_SORT,
    ),
    TableSection(
        AREA,
        "overage",
        _overage_text,
        (("overage_customers", "int"), ("overage_licenses", "int"), ("average_overage", "number")),
        BAR_SORT,
    ),
)
