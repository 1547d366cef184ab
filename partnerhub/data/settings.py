"""Every setting of the product, read from the environment in this one place.

The names and defaults are those of spec/interfaces.md and spec/metrics.md;
anything else is an extension documented in README.
"""

from __future__ import annotations

import ipaddress
import os
import secrets
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise SystemExit(f"setting {name}={raw!r} is not a whole number") from None


def _float(name: str, default: float) -> float:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return float(raw)
    except ValueError:
        raise SystemExit(f"setting {name}={raw!r} is not a number") from None


def _at_least_one(name: str, default: int) -> int:
    value = _int(name, default)
    if value < 1:
        raise SystemExit(f"setting {name}={value} is below 1")
    return value


def _bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name, "").strip().lower()
    if raw == "":
        return default
    if raw in ("1", "true", "yes", "on"):
        return True
    if raw in ("0", "false", "no", "off"):
        return False
    raise SystemExit(f"setting {name}={raw!r} is not one of 1/0, true/false, yes/no, on/off")


def is_loopback(host: str) -> bool:
    """Whether HOST only listens on this machine; "" and 0.0.0.0 listen on every address."""
    host = host.strip().strip("[]")
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@dataclass(frozen=True)
class Settings:
    home: Path
    state_url: str
    secret_key: str
    host: str = "127.0.0.1"
    port: int = 8050
    # metrics.md thresholds; defaults are the spec's
    low_allocation_factor: float = 0.5
    low_allocation_min_age_days: int = 30
    expiring_soon_days: int = 30
    no_recent_activity_days: int = 30
    # how many old snapshots an import keeps besides the current one
    keep_snapshots: int = 3
    idle_timeout_minutes: int = 8 * 60
    # sign-in throttling: failures before a lock, and the lock length
    login_max_failures: int = 5
    login_lock_seconds: int = 15 * 60
    # reverse proxies in front of the app whose X-Forwarded-* headers are
    # believed; 0: none, the client's own address counts
    trusted_proxies: int = 0
    # session and CSRF cookies always Secure, and HSTS sent; load_settings
    # turns it on by default when HOST is not a loopback address
    secure_cookies: bool = False
    # "launch customer org" link; {customer_id} is replaced
    customer_org_url_template: str = "https://admin.webex.com/partner/customers/{customer_id}"
    helpdesk_url: str = "https://help.webex.com/"
    # heavy exports (every XLSX, large CSV/Parquet) running at once per user
    # (across this node's workers) and per worker process; over it, 429
    exports_per_user: int = 1
    exports_per_process: int = 2
    # finished export files kept under home/exports for everyone asking
    # again (api/export_cache.py); least recently used go first
    export_cache_mb: int = 1024
    # argon2 cost: the library default. The test suite passes "cheap" in code;
    # deliberately no environment variable, so production cannot lower it
    argon2_profile: str = "default"

    @property
    def snapshots_dir(self) -> Path:
        return self.home / "snapshots"

    def with_(self, **changes) -> Settings:
        return replace(self, **changes)


def _secret_key(home: Path) -> str:
    """PARTNERHUB_SECRET_KEY, or one generated once into PARTNERHUB_HOME so that
    every worker of one installation signs sessions with the same key."""
    env = os.environ.get("PARTNERHUB_SECRET_KEY")
    if env:
        return env
    path = home / "secret_key"
    if path.exists():
        return path.read_text().strip()
    home.mkdir(mode=0o700, parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    # O_EXCL: when two workers start together only one key wins
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(fd, "w") as f:
        f.write(key)
    return key


def load_settings(**overrides) -> Settings:
    home = Path(overrides.pop("home", None) or os.environ.get("PARTNERHUB_HOME") or "./var").resolve()
    # private when we create it; an existing folder is the operator's to set
    home.mkdir(mode=0o700, parents=True, exist_ok=True)
    state_url = os.environ.get("PARTNERHUB_STATE_URL") or f"sqlite:///{home / 'state.sqlite'}"
    values: dict[str, Any] = dict(
        home=home,
        state_url=state_url,
        secret_key=_secret_key(home),
        host=os.environ.get("HOST", "127.0.0.1"),
        port=_int("PORT", 8050),
        low_allocation_factor=_float("PARTNERHUB_LOW_ALLOCATION_FACTOR", 0.5),
        low_allocation_min_age_days=_int("PARTNERHUB_LOW_ALLOCATION_MIN_AGE_DAYS", 30),
        expiring_soon_days=_int("PARTNERHUB_EXPIRING_SOON_DAYS", 30),
        no_recent_activity_days=_int("PARTNERHUB_NO_RECENT_ACTIVITY_DAYS", 30),
        keep_snapshots=_int("PARTNERHUB_KEEP_SNAPSHOTS", 3),
        idle_timeout_minutes=_int("PARTNERHUB_IDLE_TIMEOUT_MINUTES", 8 * 60),
        login_max_failures=_int("PARTNERHUB_LOGIN_MAX_FAILURES", 5),
        login_lock_seconds=_int("PARTNERHUB_LOGIN_LOCK_SECONDS", 15 * 60),
        trusted_proxies=_int("PARTNERHUB_TRUSTED_PROXIES", 0),
        exports_per_user=_at_least_one("PARTNERHUB_EXPORTS_PER_USER", 1),
        exports_per_process=_at_least_one("PARTNERHUB_EXPORTS_PER_PROCESS", 2),
        export_cache_mb=_at_least_one("PARTNERHUB_EXPORT_CACHE_MB", 1024),
        customer_org_url_template=os.environ.get("PARTNERHUB_CUSTOMER_ORG_URL", Settings.customer_org_url_template),
        helpdesk_url=os.environ.get("PARTNERHUB_HELPDESK_URL", Settings.helpdesk_url),
    )
    values.update(overrides)
    if "secure_cookies" not in values:
        values["secure_cookies"] = _bool("PARTNERHUB_SECURE_COOKIES", not is_loopback(str(values["host"])))
    return Settings(**values)
