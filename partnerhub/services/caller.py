"""Who takes an action, and the stores they act on.

A page or API route acts as the signed-in identity of the request
(`current_caller()`); the CLI acts as the operator (`cli_caller()`), whose
audit name is "cli". Tests build a Caller directly.
"""

from __future__ import annotations

from dataclasses import dataclass

from partnerhub.auth.guard import Refused
from partnerhub.auth.roles import FULL
from partnerhub.data.snapshots import Snapshot
from partnerhub.data.state import StateStore
from partnerhub.i18n import _

CLI_ACTOR = "cli"


@dataclass(frozen=True)
class Caller:
    actor: str  # the audit log's actor: an e-mail address, or "cli"
    role: str
    scope: frozenset[str] | None  # the customers they see; None = every customer
    state: StateStore
    snapshot: Snapshot | None  # the snapshot the request reads; None before the first import
    user_id: int | None = None  # their users.id (own tokens and password); None for the CLI
    source: str = "app"  # how a change was made, where a row records it: app | cli


def current_caller() -> Caller:
    """The signed-in identity of this request; Refused (401) when nobody is."""
    from partnerhub.auth.scope import current_scope
    from partnerhub.auth.session import current_identity
    from partnerhub.data.runtime import current_snapshot, services

    ident = current_identity()
    if ident is None:
        raise Refused(_("Sign in first."), 401)
    return Caller(ident.email, ident.role, current_scope(), services().state, current_snapshot(), ident.id)


def cli_caller() -> Caller:
    """The operator at the command line: every action, every customer."""
    from partnerhub.data.runtime import services

    svc = services()
    return Caller(CLI_ACTOR, FULL, None, svc.state, svc.snapshots.current(), source="cli")
