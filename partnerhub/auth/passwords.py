"""Password hashing with Argon2id.

The library's default cost (~100 ms a hash) protects stored passwords; the
"cheap" profile exists only so that the test suite can create many users. It
is reachable from code only (`configure("cheap")`, or a Settings object built
with argon2_profile="cheap"): no environment variable or file selects it, so
nothing an operator or an attacker sets in production lowers the cost.
"""

from __future__ import annotations

from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from partnerhub.i18n import _

MIN_LENGTH = 10

# the profile of this process's app (settings.argon2_profile), set once by
# init_auth, or by the test suite; used when a caller names none
_configured = {"profile": "default"}


def configure(profile: str) -> None:
    _configured["profile"] = profile


@cache
def hasher(profile: str = "default") -> PasswordHasher:
    if profile == "cheap":
        return PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    return PasswordHasher()


def hash_password(password: str, profile: str | None = None) -> str:
    return hasher(profile or _configured["profile"]).hash(password)


def verify_password(stored: str | None, password: str, profile: str | None = None) -> bool:
    """False for a wrong password or no password set; never raises on bad input."""
    profile = profile or _configured["profile"]
    if not stored:
        # spend the same time as a real check so that timing does not tell
        # whether the account exists
        hasher(profile).hash(password)
        return False
    try:
        return hasher(profile).verify(stored, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def password_problem(password: str) -> str | None:
    if len(password) < MIN_LENGTH:
        return _("a password needs at least %(min)s characters", min=MIN_LENGTH)
    return None


def generate_password() -> str:
    """A random password for a reset, shown once: 16 URL-safe characters."""
    import secrets

    return secrets.token_urlsafe(12)
