"""What every number means, in a partner manager's words.

DEFINITIONS holds one sentence or two per KPI and export column name of
spec/metrics.md; pages show them as tooltips and the docs list them. Pages
pass them through the translation function when they show them. The
thresholds named here are the defaults of the settings of the same meaning.
"""

from __future__ import annotations

from partnerhub.i18n import N_, _

STATUSES = (
    "trial",
    "subscription",
    "expiring_soon",
    "license_overage",
    "no_recent_activity",
    "order_ready_for_setup",
    "suspended",
    "expired",
)

STATUS_LABELS = {
    "trial": N_("Trial"),
    "subscription": N_("Subscription"),
    "expiring_soon": N_("Expiring soon"),
    "license_overage": N_("License overage"),
    "no_recent_activity": N_("No recent activity"),
    "order_ready_for_setup": N_("Order ready for setup"),
    "suspended": N_("Suspended"),
    "expired": N_("Expired"),
}

# when one of these holds, the customer needs someone to look at it
NEEDS_ATTENTION = frozenset(
    {"expiring_soon", "license_overage", "no_recent_activity", "order_ready_for_setup", "suspended"}
)

STATUS_DEFINITIONS = {
    "trial": N_("The customer has an active trial running today."),
    "subscription": N_("The customer has an active paid subscription running today."),
    "expiring_soon": N_(
        "A subscription or trial that is not expired and does not renew automatically ends within the next 30 days."
    ),
    "license_overage": N_("On a current subscription, more licenses are assigned to users than were purchased."),
    "no_recent_activity": N_(
        "No customer administrator has signed in to the customer's admin console in the last 30 days (or ever)."
    ),
    "order_ready_for_setup": N_("An order has been placed but its subscription is not fully set up yet."),
    "suspended": N_("A subscription is suspended (unpaid)."),
    "expired": N_(
        "Nothing is running any more: every subscription and trial is expired or has ended "
        "(also shown for a customer with no subscription at all)."
    ),
}

DEFINITIONS: dict[str, str] = {
    # identity
    "customer_id": N_("The customer organization's ID."),
    "customer_name": N_("The customer organization's name."),
    "subscription_id": N_("The subscription's ID (for a trial, the enterprise trial ID)."),
    "product": N_("The Webex product of the license line (Meetings, Calling, ...)."),
    "kind": N_("Paid subscription or trial."),
    "managed_by": N_(
        "Partner: the organization is part of the partner's own org. External: the partner "
        "manages it as an external administrator."
    ),
    "week_start": N_("The Sunday the week begins on (weeks run Sunday to Sunday, UTC)."),
    # license lines
    "total_licenses": N_("Licenses purchased."),
    "assigned": N_("Licenses given to users, at the end of the latest week."),
    "used": N_("Assigned licenses whose user was active at least once in the latest week."),
    "available": N_("Purchased licenses not yet given to anyone (0 when more are assigned than purchased)."),
    "overage": N_("Licenses assigned beyond those purchased."),
    "allocation_ratio": N_(
        "Assigned licenses as a share of purchased licenses (for a section: all its "
        "assigned licenses divided by all its purchased licenses). Empty when nothing was "
        "purchased."
    ),
    "usage_ratio": N_(
        "Used licenses as a share of purchased licenses (for a section: all its used licenses "
        "divided by all its purchased licenses). Empty when nothing was purchased."
    ),
    "weekly_allocation_change": N_(
        "Assigned licenses now minus a week earlier. Empty when there is no data for the week before."
    ),
    "weekly_usage_change": N_(
        "Used licenses now minus a week earlier. Empty when there is no data for the week before."
    ),
    "usage_3_months": N_("The highest number of used licenses in any week of the last 13 weeks."),
    "days_since_added": N_("Days since the subscription was added to the customer's organization."),
    "days_to_end": N_("Days until the subscription ends."),
    "months_since_added": N_("Whole calendar months since the subscription was added."),
    "months_remaining": N_("Whole calendar months until the subscription ends."),
    "auto_renew": N_("Whether the subscription renews automatically when it ends."),
    "peer_baseline": N_(
        "The usual share of assigned licenses (the median) for current lines of the same "
        "product and a similar size (1-10, 11-50, 51-250, 251-1000, 1001+ licenses) across "
        "all of the partner's customers; a size with fewer than 5 lines uses all lines of the "
        "product. The same for everyone, whatever customers they see."
    ),
    # headline
    "total_customers": N_("Customers with at least one current Meetings or Calling subscription."),
    "expiring_customers": N_(
        "Customers with a subscription or trial that ends within the next 90 days and does not renew automatically."
    ),
    "renewing_customers": N_(
        "Customers with a subscription that ends within the next 90 days and renews automatically."
    ),
    "low_allocation_customers": N_(
        "Customers with a subscription, at least 30 days old, that has assigned "
        "less than half of the share of licenses usual for its peers."
    ),
    "overage_customers": N_("Customers that have assigned more licenses than they purchased."),
    # sections
    "new_customers": N_("Customers with a subscription added in the last 90 days."),
    "assigned_usage_ratio": N_(
        "Used licenses as a share of purchased licenses, over the low-allocation subscriptions."
    ),
    "unassigned_licenses": N_("Purchased licenses not given to anyone, over the low-allocation subscriptions."),
    "overage_licenses": N_("Licenses assigned beyond those purchased, in total."),
    "average_overage": N_("Overage licenses per customer in overage."),
    # calling usage
    "licensed_users": N_("Users with a Webex Calling license."),
    "active_users": N_("Users who placed at least one call in the week."),
    "inactive_users": N_("Users with a calling license who placed no call in the week."),
    "calls": N_("Calls placed in the week."),
    "minutes": N_("Call minutes in the week."),
    "active_ratio": N_("Active users as a share of licensed users. Empty when no user has a license."),
    "active_users_change_ratio": N_(
        "Change in active users since the week before, as a share of the week "
        "before. Empty when there is no data or no active user the week before."
    ),
    "calls_trend": N_(
        "Up when the average weekly calls of the last 4 weeks are more than 10 % above those "
        "of the 4 weeks before, down when more than 10 % below, flat otherwise. Empty when either "
        "period has no data or there were no calls in the earlier one."
    ),
    # call quality
    "poor_calls": N_("Calls rated poor quality (packet loss, jitter or latency over the threshold on any leg)."),
    "poor_ratio": N_("Poor calls as a share of all calls. Empty when there were no calls."),
    "poor_ratio_change": N_(
        "The share of poor calls now minus the share a week earlier. Empty when either is unknown."
    ),
    "endpoint_type": N_("The kind of device or app the call was made on."),
    "worst_endpoint_type": N_(
        "The kind of device or app with the highest share of poor calls, among those "
        "with at least 10 calls in the week."
    ),
    # features and queues
    "feature": N_("The advanced calling feature (call queue, hunt group, auto attendant, ...)."),
    "queues": N_("Call queues with data in the week."),
    "offered": N_("Calls that entered a call queue."),
    "answered": N_("Queued calls answered by an agent."),
    "abandoned": N_("Queued calls where the caller hung up before an answer."),
    "overflowed": N_("Queued calls sent on to another queue."),
    "average_answer_wait_seconds": N_(
        "Average wait, in seconds, of queued calls that were answered or sent on to another queue."
    ),
    "average_abandon_wait_seconds": N_("Average wait, in seconds, before a caller hung up."),
    "abandon_ratio": N_("Abandoned calls as a share of calls that entered a queue."),
    # customer list
    # filled by definition(), when shown: each status in the reader's language
    "statuses": N_("Everything that holds for the customer today: %(statuses)s"),
    "needs_attention": N_(
        "The customer is expiring soon, in license overage, without recent admin activity, "
        "has an order ready for setup, or is suspended."
    ),
    "products": N_("Products the customer has a current subscription for."),
    "subscription_types": N_("Whether the customer has a current paid subscription, a current trial, or both."),
    "tags": N_("Your own tags on the customer."),
    "last_admin_sign_in": N_(
        "The last time any customer administrator signed in to the customer's admin console. Empty: never."
    ),
    # customer health
    "health_score": N_(
        "How well the customer uses what it bought and how likely it is to need you, from 0 to 100: the "
        "weighted mean of its six components (allocation 25, usage 25, usage trend 15, admin engagement 10, "
        "call quality 15, renewal 10), leaving out those that do not apply. Counts Meetings and Calling "
        "subscriptions running today with at least one license; empty for a customer without one."
    ),
    "health_band": N_("Healthy: a health score of 70 or more. Watch: 40 to under 70. At risk: under 40."),
    "reasons": N_("The components of the health score under 0.5, which pull it down."),
    "licenses": N_("Licenses purchased on the Meetings and Calling subscriptions running today."),
    "allocation_score": N_("Assigned licenses as a share of purchased licenses, at most 1."),
    "usage_score": N_("Used licenses as a share of assigned licenses, at most 1. Empty when no license is assigned."),
    "usage_trend_score": N_(
        "Used licenses of the last 4 weeks compared with the 4 weeks before: 0 at half as much or less, "
        "1 at as much or more, in between in proportion. Empty when nothing was used in the 4 weeks before."
    ),
    "engagement_score": N_(
        "1 when a customer administrator signed in within the last 30 days, 0.5 within the last 90 days, "
        "else 0 (also when nobody ever signed in)."
    ),
    "call_quality_score": N_(
        "1 minus the share of poor calls of the latest week divided by 10 %, so 10 % poor calls or more "
        "scores 0. Empty with fewer than 20 calls in the week."
    ),
    "renewal_score": N_(
        "0 when a subscription or trial that does not renew automatically ends within the next 30 days, "
        "0.5 when it ends within 90 days, else 1."
    ),
    "scored_customers": N_("Customers with a health score."),
    "at_risk_customers": N_("Customers with a health score under 40."),
    "watch_customers": N_("Customers with a health score from 40 to under 70."),
    "healthy_customers": N_("Customers with a health score of 70 or more."),
    "average_health_score": N_("The mean health score of the customers with one. Empty when there is none."),
    "licenses_at_risk": N_("Licenses purchased by the at-risk customers."),
}


def definition(name: str) -> str:
    """The definition of a KPI, column or status, in the request's language."""
    if name == "statuses":
        parts = "; ".join(f"{_(STATUS_LABELS[s])}: {_(STATUS_DEFINITIONS[s])}" for s in STATUSES)
        return _(DEFINITIONS["statuses"], statuses=parts)
    text = DEFINITIONS.get(name) or STATUS_DEFINITIONS.get(name, "")
    return _(text) if text else ""
