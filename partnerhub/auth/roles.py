"""spec/roles.md as data: the roles, which areas each may see, what each may change.

Pages declare their area (dash.register_page(..., area=...)); the navigation
and the request guard both read these tables, so what a menu shows and what
the server allows cannot drift apart.
"""

from __future__ import annotations

from partnerhub.i18n import N_

FULL = "partner_full_admin"
ADMIN = "partner_admin"
READONLY = "partner_readonly_admin"
SALES_FULL = "sales_full_admin"
SALES = "sales_admin"
ROLES = (FULL, ADMIN, READONLY, SALES_FULL, SALES)

ROLE_LABELS = {
    FULL: N_("Partner full administrator"),
    ADMIN: N_("Partner administrator"),
    READONLY: N_("Partner read-only administrator"),
    SALES_FULL: N_("Sales full administrator"),
    SALES: N_("Sales administrator"),
}

# roles whose scope is only the customers assigned to them
ASSIGNED_SCOPE = frozenset({ADMIN, SALES})

# areas of the app (one navigation entry each) -> roles that may see them
AREAS = {
    "home": frozenset(ROLES),
    "customers": frozenset(ROLES),
    "alerts": frozenset(ROLES),  # one's own alert rules and alerts
    "analytics": frozenset(ROLES),
    "calling": frozenset({FULL, ADMIN, READONLY}),
    "resources": frozenset(ROLES),
    "account": frozenset(ROLES),  # one's own API tokens and password
    "administration": frozenset({FULL}),
}

# What a role may change (roles.md "What a role may change"): action -> the
# roles that may take it. auth.guard.check_action() reads this table and
# SCOPED_ACTIONS below; every action of the application layer
# (partnerhub/services/) starts with that check.
ACTIONS = {
    "tag.manage": frozenset({FULL, ADMIN}),  # create, rename, recolour, delete
    "tag.assign": frozenset({FULL, ADMIN}),
    "trial.manage": frozenset({FULL, ADMIN, SALES_FULL, SALES}),  # start, extend
    "assignment.manage": frozenset({FULL}),
    "user.manage": frozenset({FULL}),  # add, role, password reset, disable, revoke tokens
    "account.manage": frozenset(ROLES),  # one's own API tokens and password
    "alert.manage": frozenset(ROLES),  # one's own alert rules and weekly-digest opt-in
    "note.write": frozenset({FULL, ADMIN, SALES_FULL, SALES}),  # notes and follow-ups on a customer
    "view.save": frozenset(ROLES),  # one's own saved views and landing view
    "view.delete_shared": frozenset({FULL}),  # another person's shared view
}

# The "✓ in scope" cells: actions on customers that these roles may take only
# on customers in their scope (anything else answers like an unknown
# customer). A role of ACTIONS[action] not listed here takes the action on any
# customer of the partner. A role whose scope is limited (ASSIGNED_SCOPE) and
# that may take an action on customers belongs here.
SCOPED_ACTIONS = {
    "tag.assign": frozenset({ADMIN}),
    "trial.manage": frozenset({ADMIN, SALES}),
    "note.write": frozenset({ADMIN, SALES}),
}

# component-id prefix -> area; the request guard reads the area of a Dash
# callback from its output ids, so every id a callback writes carries one
ID_PREFIXES = {
    "customers-": "customers",
    "analytics-": "analytics",
    "calling-": "calling",
    "resources-": "resources",
    "admin-": "administration",
    "account-": "account",
    "alerts-": "alerts",
    "home-": "home",
    "nav-": "home",  # the navigation bar, on every page
}


def area_of_component(component_id) -> str | None:
    """The area a component id belongs to; None when it has no known prefix.
    A pattern-matching (dict) id is judged by its "type"."""
    if isinstance(component_id, dict):
        component_id = component_id.get("type")
    if not isinstance(component_id, str):
        return None
    for prefix, area in ID_PREFIXES.items():
        if component_id.startswith(prefix):
            return area
    return None


def may_see(role: str | None, area: str) -> bool:
    return role in AREAS.get(area, frozenset())


def may(role: str | None, action: str) -> bool:
    return role in ACTIONS.get(action, frozenset())


def only_in_scope(role: str | None, action: str) -> bool:
    """Whether `role` may take `action` only on customers in its scope."""
    return role in SCOPED_ACTIONS.get(action, frozenset())
