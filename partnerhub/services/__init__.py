"""The application layer: every change to the app state happens here.

One module per area of change, each function one whole action: the
permission and scope check (auth.roles through auth.guard.check_action), the
existence check (the customer in the current snapshot, the tag, trial or user
in the app-state store), the store write and its audit rows in one
transaction, and an Outcome to show. Pages, the API and the CLI call these;
they never write to a store themselves.

    tags.py         custom tags: create, change, delete; put on / take off customers
    trials.py       trials started in the app: start, extend
    assignments.py  admin assignments: assign / unassign customers
    users.py        users and roles, passwords (a user's own included)
    tokens.py       API tokens: create, revoke one, revoke all of a user
    sessions.py     signed-in sessions: end one's own, end all of a user

Shared pieces: caller.py (who acts, on which stores), checks.py (the checks
every action starts with), lookup.py (what the checks read from the
snapshot), outcome.py (what an action returns). A new area (notes,
follow-ups, saved views, alert rules) is one more module written like tags.py.
"""
