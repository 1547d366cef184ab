"""Every setting of the product, read from the environment in this one place.

The names and defaults are those of spec/interfaces.md and spec/metrics.md;
anything else is an extension documented in README.
"""

from __future__ import annotations

import ipaddress
import os
import secrets
from dataclasses import dataclass, field, replace
from email.utils import parseaddr
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit


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


def _not_negative(name: str, default: float) -> float:
    value = _float(name, default)
    if value < 0:
        raise SystemExit(f"setting {name}={value} is below 0")
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
class SmtpServer:
    """PARTNERHUB_SMTP_URL, parsed: smtp://[user:password@]host[:port] with
    ?starttls=true for STARTTLS, smtps:// for TLS from the first byte. The
    password never appears in a repr or a message."""

    host: str
    port: int
    security: str = "none"  # none | starttls | tls
    user: str | None = None
    password: str | None = field(default=None, repr=False)

    def location(self) -> str:
        """For messages: the server without the password."""
        scheme = "smtps" if self.security == "tls" else "smtp"
        user = f"{self.user}@" if self.user else ""
        query = "?starttls=true" if self.security == "starttls" else ""
        return f"{scheme}://{user}{self.host}:{self.port}{query}"


_SMTP_PORTS = {"none": 25, "starttls": 587, "tls": 465}


def _hide_password(url: str) -> str:
    """The URL as given, its password (if any) replaced, for error messages."""
    scheme, sep, rest = url.partition("://")
    if not sep:
        return url
    userinfo, at, hostpart = rest.rpartition("@")
    if not at or ":" not in userinfo:
        return url
    return f"{scheme}://{userinfo.split(':', 1)[0]}:***@{hostpart}"


def parse_smtp_url(url: str, name: str = "PARTNERHUB_SMTP_URL") -> SmtpServer:
    """The SMTP server of a URL; SystemExit naming what is wrong otherwise."""
    shown = _hide_password(url)

    def bad(reason: str) -> SystemExit:
        return SystemExit(f"setting {name}={shown!r}: {reason}")

    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError as err:
        raise bad(f"not a URL ({err})") from None
    if parts.scheme not in ("smtp", "smtps"):
        raise bad("use smtp://host:port (add ?starttls=true for STARTTLS) or smtps://host:port for TLS")
    if not parts.hostname:
        raise bad("no host")
    if parts.path not in ("", "/") or parts.fragment:
        raise bad("a path has no meaning here; only ?starttls=true|false")
    query = parse_qs(parts.query, keep_blank_values=True)
    unknown = sorted(set(query) - {"starttls"})
    if unknown:
        raise bad(f"unknown parameter {unknown[0]!r}; only ?starttls=true|false")
    starttls = query.get("starttls", ["false"])[-1].strip().lower()
    if starttls not in ("true", "false", "1", "0", "yes", "no"):
        raise bad("starttls must be true or false")
    security = "tls" if parts.scheme == "smtps" else ("starttls" if starttls in ("true", "1", "yes") else "none")
    if parts.scheme == "smtps" and starttls in ("true", "1", "yes"):
        raise bad("smtps:// is TLS already; STARTTLS is for smtp://")
    user = unquote(parts.username) if parts.username else None
    password = unquote(parts.password) if parts.password is not None else None
    if password and not user:
        raise bad("a password without a user")
    return SmtpServer(parts.hostname, port or _SMTP_PORTS[security], security, user, password)


def _smtp(name: str) -> SmtpServer | None:
    raw = os.environ.get(name, "").strip()
    return parse_smtp_url(raw, name) if raw else None


DEFAULT_MAIL_FROM = "Partner Hub Analytics <partnerhub@localhost>"


def _mail_from(name: str) -> str:
    raw = os.environ.get(name, "").strip() or DEFAULT_MAIL_FROM
    address = parseaddr(raw)[1]
    if "@" not in address or any(ch in raw for ch in "\r\n"):
        raise SystemExit(f"setting {name}={raw!r} is not a sender like 'Partner Hub <partnerhub@example.com>'")
    return raw


def _base_url(name: str, default: str) -> str:
    raw = os.environ.get(name, "").strip() or default
    parts = urlsplit(raw)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise SystemExit(f"setting {name}={raw!r} is not an http(s) address like https://partnerhub.example.com")
    return raw.rstrip("/")


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
    # alerts and digests (interfaces.md "Alerts and digests"); no SMTP server: no e-mail
    smtp: SmtpServer | None = None
    mail_from: str = DEFAULT_MAIL_FROM
    base_url: str = "http://127.0.0.1:8050"  # where links in messages point
    # delivery (partnerhub/alerts/outbox.py): attempts within one run, waiting
    # backoff * 2**n seconds (at most backoff_max) between them; a delivery
    # still failing waits backoff_max for the next run, and is given up
    # (failed) after max_attempts in all
    delivery_attempts_per_run: int = 3
    delivery_backoff_seconds: float = 2.0
    delivery_backoff_max_seconds: float = 60.0
    delivery_max_attempts: int = 10
    delivery_timeout_seconds: float = 20.0

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
        smtp=_smtp("PARTNERHUB_SMTP_URL"),
        mail_from=_mail_from("PARTNERHUB_MAIL_FROM"),
        base_url=_base_url("PARTNERHUB_BASE_URL", Settings.base_url),
        delivery_attempts_per_run=_at_least_one("PARTNERHUB_DELIVERY_ATTEMPTS_PER_RUN", 3),
        delivery_backoff_seconds=_not_negative("PARTNERHUB_DELIVERY_BACKOFF_SECONDS", 2.0),
        delivery_backoff_max_seconds=_not_negative("PARTNERHUB_DELIVERY_BACKOFF_MAX_SECONDS", 60.0),
        delivery_max_attempts=_at_least_one("PARTNERHUB_DELIVERY_MAX_ATTEMPTS", 10),
        delivery_timeout_seconds=_not_negative("PARTNERHUB_DELIVERY_TIMEOUT_SECONDS", 20.0) or 20.0,
    )
    values.update(overrides)
    if "secure_cookies" not in values:
        values["secure_cookies"] = _bool("PARTNERHUB_SECURE_COOKIES", not is_loopback(str(values["host"])))
    return Settings(**values)
