"""API tokens (roles.md: a user's own tokens: account.manage; revoking
another user's: user.manage)."""

from __future__ import annotations

from partnerhub.auth import tokens as store
from partnerhub.auth.users import get_user_by_email, normalize_email
from partnerhub.i18n import _, n_

from .caller import Caller
from .checks import require
from .outcome import Outcome


def create(caller: Caller, name, owner_email: str | None = None) -> Outcome[str]:
    """A new token of the caller's own, or (user.manage: the CLI) of
    `owner_email`; value: the secret, shown this once."""
    if owner_email is None:
        require(caller, "account.manage")
        if caller.user_id is None:
            raise ValueError(_("Name the user the token is for."))
        owner_id = caller.user_id
    else:
        require(caller, "user.manage")
        email = normalize_email(owner_email)
        owner = get_user_by_email(caller.state, email)
        if owner is None:
            raise ValueError(_("There is no user %(email)s.", email=email))
        if owner.disabled:
            raise ValueError(_("%(email)s is disabled: enable the user before giving them a token.", email=owner.email))
        owner_id = owner.id
    secret = store.create_token(caller.state, owner_id, name or "", actor=caller.actor)
    return Outcome(_("Your new token follows; copy it now: it is shown only once."), 1, secret)


def revoke_own(caller: Caller, token_id) -> Outcome[None]:
    """Revokes one of the caller's own tokens; another's is "no such token"."""
    require(caller, "account.manage")
    if caller.user_id is None:
        raise ValueError(_("There is no such token."))
    store.revoke_token(caller.state, caller.actor, token_id, caller.user_id)
    return Outcome(_("The token is revoked."), 1)


def revoke_all(caller: Caller, email) -> Outcome[int]:
    """Revokes every active token of a user."""
    require(caller, "user.manage")
    if not email:
        raise ValueError(_("Pick a user first."))
    user = get_user_by_email(caller.state, email)
    if user is None:
        raise ValueError(_("No such user."))
    n = store.revoke_all_tokens(caller.state, caller.actor, user.id)
    message = n_(
        "Revoked %(num)s API token of %(email)s.",
        "Revoked %(num)s API tokens of %(email)s.",
        n,
        email=user.email,
    )
    return Outcome(message, n, n)
