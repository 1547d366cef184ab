"""Two weekly imports for the alert tests (no tests here).

Generated data (60 customers, 12 weeks, as_of AS_OF) plus hand-built
"planted" customers PL-* whose every row is written here, so each
alert is worked out by hand. Week 1 (as_of P = AS_OF - 7) is the same data
without the latest week's usage rows (data-contract.md: as_of = the latest
license_usage week_start + 7) and with the planted customers as they were
then; week 2 (as_of AS_OF) has the planted changes.

Health by hand (metrics.md "Customer health"; weights allocation 25, usage
25, usage_trend 15, engagement 10, call_quality 15, renewal 10; the sign-in
of 2025-06-10 counts as recent at both dates):
- PL-DROP: 100 licenses, 100 assigned / 90 used every week; in week 2's
  latest week 10 assigned, 0 used. W1: 100 x 82.5/85 = 97.06 healthy; W2:
  allocation 0.1, usage 0, trend r = 270/360 -> 0.5: 100 x 30/85 = 35.29
  at_risk (reasons allocation;usage), a drop of 61.8 points; trend 0.5.
- PL-RECOVER: 10 assigned / 0 used of 100 (no earlier usage: no trend);
  W2's latest week 100 / 90. W1: 22.5/70 = 32.14 at_risk; W2: 67.5/70 = 96.43.
- PL-LOW: 10 / 0 of 100 at both: 32.14 at_risk at both.
- PL-TRIAL: an active trial (no auto-renew) ending AS_OF + 10: 17 days at
  W1, 10 at W2. 82.14 healthy at both.
- PL-EXP: paid, no auto-renew, ends AS_OF + 25 (32 days at W1, 25 at W2).
  91.18 -> 85.29.
- PL-OVER: 10 licenses, 12 assigned in W2's latest week (overage).
- PL-CALL: calling; latest week's call quality 100 calls, 2 poor at W1 and
  8 poor at W2 (8 %); its queue 25 offered, 2 abandoned at W1, 8 at W2 (32 %).
- PL-SUSP: its subscription active at W1, suspended at W2.
- PL-SETUP: a second subscription pending setup appears at W2.
- PL-QUIET: last admin sign-in AS_OF - 65 days: 58 days at W1, 65 at W2.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import polars as pl
from flask import Flask

from partnerhub.auth.scope import scope_for
from partnerhub.auth.users import add_or_update_user, assign_customers, get_user_by_email, unassign_customers
from partnerhub.cli.alerts import alerts_cli
from partnerhub.cli.data import data_cli
from partnerhub.data import alerts as store
from partnerhub.data import tags as tag_store
from partnerhub.data.generator import build
from partnerhub.data.preferences import set_preference
from partnerhub.data.runtime import EXTENSION, Services
from partnerhub.data.settings import Settings, load_settings, parse_smtp_url
from partnerhub.data.snapshots import Snapshot
from partnerhub.services import alert_rules, follow_ups
from partnerhub.services.caller import Caller
from tests.delivery_servers import SmtpServer, WebhookReceiver, free_port
from tests.test_metrics_support import AS_OF, LATEST, RECENT_SIGNIN, World, d

P = AS_OF - timedelta(days=7)
USAGE_TABLES = ("license_usage", "calling_usage", "call_quality", "calling_features", "call_queues")
GENERATED_CUSTOMERS, GENERATED_WEEKS, SEED = 60, 12, 11
BASE_URL = "https://hub.example"
QUIET_SIGNIN = datetime.combine(AS_OF - timedelta(days=65), datetime.min.time(), tzinfo=UTC) + timedelta(hours=9)

PLANTED = {
    "PL-DROP": "Drop Works",
    "PL-RECOVER": "Recover Trading",
    "PL-LOW": "Low Logistics",
    "PL-TRIAL": "Trial Foods",
    "PL-EXP": "Expiring Media",
    "PL-OVER": "Over Systems",
    "PL-CALL": "Call Center Co",
    "PL-SUSP": "Suspended Labs",
    "PL-SETUP": "Setup Partners",
    "PL-QUIET": "Quiet Holdings",
}


def planted(now: bool) -> World:
    """The planted customers at week 2 (now) or week 1."""
    w = World(guard=False)
    for cid, name in PLANTED.items():
        w.customer(cid, name, signin=QUIET_SIGNIN if cid == "PL-QUIET" else RECENT_SIGNIN)
    weeks = range(0, 9)

    def steady(sid: str, product: str, licenses: int, assigned: int, used: int, latest=None) -> None:
        usage = {n: (assigned, used) for n in weeks}
        if latest is not None:
            usage[0] = latest
        w.line(sid, product, licenses, usage)

    w.sub("PL-DROP-S", "PL-DROP", start=d(-400), end=d(365))
    steady("PL-DROP-S", "meetings", 100, 100, 90, latest=(10, 0))
    w.sub("PL-RECOVER-S", "PL-RECOVER", start=d(-400), end=d(365))
    steady("PL-RECOVER-S", "meetings", 100, 10, 0, latest=(100, 90))
    w.sub("PL-LOW-S", "PL-LOW", start=d(-400), end=d(365))
    steady("PL-LOW-S", "meetings", 100, 10, 0)
    w.sub("PL-TRIAL-S", "PL-TRIAL", kind="trial", start=d(-20), end=d(10))
    w.line("PL-TRIAL-S", "meetings", 20, {n: (20, 18) for n in range(0, 3)})
    w.sub("PL-EXP-S", "PL-EXP", start=d(-400), end=d(25), auto_renew=False)
    steady("PL-EXP-S", "meetings", 50, 50, 45)
    w.sub("PL-OVER-S", "PL-OVER", start=d(-400), end=d(365))
    steady("PL-OVER-S", "meetings", 10, 10, 9, latest=(12, 9))
    w.sub("PL-CALL-S", "PL-CALL", start=d(-400), end=d(365))
    steady("PL-CALL-S", "calling", 100, 100, 90)
    for n, poor, abandoned in ((1, 2, 2), (0, 8, 8)):
        w.quality("PL-CALL", n, "desk_phone", 100, poor)
        w.queue("PL-CALL", "PL-CALL-Q1", n, 25, 25 - abandoned, abandoned, 0, 20.0, 30.0)
    w.sub("PL-SUSP-S", "PL-SUSP", status="suspended" if now else "active", start=d(-400), end=d(365))
    steady("PL-SUSP-S", "meetings", 10, 10, 9)
    w.sub("PL-SETUP-S", "PL-SETUP", start=d(-400), end=d(365))
    steady("PL-SETUP-S", "meetings", 10, 10, 9)
    if now:
        w.sub("PL-SETUP-S2", "PL-SETUP", status="pending_setup", start=d(-1), end=d(365))
        w.line("PL-SETUP-S2", "meetings", 5)
    w.sub("PL-QUIET-S", "PL-QUIET", start=d(-400), end=d(365))
    steady("PL-QUIET-S", "meetings", 10, 10, 9)
    return w


def tables(now: bool) -> dict[str, pl.DataFrame]:
    """Generated plus planted tables of week 2 (now) or week 1."""
    generated = build(GENERATED_CUSTOMERS, GENERATED_WEEKS, SEED, AS_OF)
    world = planted(now)
    out = {}
    for name, frame in generated.items():
        rows = world.tables.get(name) or []
        if rows:
            frame = pl.concat([frame, pl.DataFrame(rows, schema=frame.schema, orient="row")])
        if not now and name in USAGE_TABLES:
            frame = frame.filter(pl.col("week_start") < LATEST)
        out[name] = frame
    return out


def write(folder: Path, now: bool) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, frame in tables(now).items():
        frame.write_parquet(folder / f"{name}.parquet")
    return folder


def settings_for(home: Path, smtp_url: str | None) -> Settings:
    return load_settings(
        home=home,
        smtp=parse_smtp_url(smtp_url) if smtp_url else None,
        base_url=BASE_URL,
        delivery_backoff_seconds=0.0,
        delivery_backoff_max_seconds=0.0,
        delivery_timeout_seconds=5.0,
    )


@dataclass
class Cli:
    """The commands run as an operator runs them, on a small Flask app
    holding the services (no pages: nothing a web worker would run)."""

    services: Services
    app: Flask

    @classmethod
    def on(cls, settings: Settings) -> Cli:
        svc = Services.build(settings)
        app = Flask("alert-tests")
        app.extensions[EXTENSION] = svc
        app.cli.add_command(data_cli)
        app.cli.add_command(alerts_cli)
        return cls(svc, app)

    def invoke(self, *args: str):
        result = self.app.test_cli_runner().invoke(args=list(args))
        assert result.exit_code == 0, result.output
        return result

    def close(self) -> None:
        self.services.snapshots.close()
        self.services.state.dispose()


# ---- the story ------------------------------------------------------------------------------

FA, SA = "fa@partner.example", "sa@partner.example"
SA_SECRET = "sales-secret-0123456789"
FA_SECRET = "full-secret-0123456789"
FA_RULES = {
    "health_at_risk": {},
    "health_drop": {"points": 15},
    "trial_ending": {},
    "subscription_expiring": {},
    "new_overage": {},
    "new_order_ready_for_setup": {},
    "new_suspended": {},
    "usage_trend_low": {"below": 0.6},
    "poor_call_quality": {},
    "queue_abandonment": {},
    "no_admin_activity": {},
}


class Weeks:
    """What the story left, for the tests to read."""

    def __init__(self, cli: Cli, smtp: SmtpServer, hooks: WebhookReceiver):
        self.cli, self.smtp, self.hooks = cli, smtp, hooks
        self.svc: Services = cli.services
        self.snapshots: dict[int, str] = {}
        self.mails: dict[str, int] = {}  # stage -> messages received by then
        self.posts: dict[str, int] = {}
        self.lines: dict[str, str] = {}
        self.users: dict[str, int] = {}
        self.rules: dict[tuple[str, str], int] = {}

    def stage(self, name: str, line: str = "") -> None:
        self.mails[name] = len(self.smtp.received())
        self.posts[name] = len(self.hooks.received())
        self.lines[name] = line


def _current(svc: Services) -> Snapshot:
    snap = svc.snapshots.current()
    assert snap is not None
    return snap


def caller(svc: Services, email: str, role: str, user_id: int) -> Caller:
    return Caller(email, role, None, svc.state, None, user_id)


def run_story(home: Path) -> Iterator[Weeks]:
    """The story of tests/test_alert_evaluation.py's docstring, told once;
    yields what it left, then stops the servers."""
    smtp = SmtpServer(free_port())
    smtp.start()
    hooks = WebhookReceiver()
    hooks.start()
    cli = Cli.on(settings_for(home, smtp.url()))
    w = Weeks(cli, smtp, hooks)
    svc, state = w.svc, w.svc.state
    try:
        add_or_update_user(state, "tests", FA, "Full Admin", "partner_full_admin")
        add_or_update_user(state, "tests", SA, "Sales Admin", "sales_admin")
        for email in (FA, SA):
            user = get_user_by_email(state, email)
            assert user is not None
            w.users[email] = user.id
        set_preference(state, w.users[SA], "language", "ja")
        assign_customers(state, "tests", SA, ["PL-DROP", "PL-TRIAL", "PL-RECOVER", "PL-LOW", "PL-QUIET"])
        tag = tag_store.create_tag(state, "tests", "Watched")
        tag_store.add_tag(state, "tests", tag["id"], list(PLANTED))

        fa = caller(svc, FA, "partner_full_admin", w.users[FA])
        for condition, params in FA_RULES.items():
            channels = ["inbox", "email", "webhook"] if condition == "health_at_risk" else ["inbox"]
            extra = {"webhook_url": hooks.url + "/fa", "webhook_secret": FA_SECRET} if "webhook" in channels else {}
            made = alert_rules.create(fa, condition, params, {"tag": ["watched"]}, channels, **extra).value
            assert made is not None
            w.rules[(FA, condition)] = made["id"]
        sa = caller(svc, SA, "sales_admin", w.users[SA])
        for condition, channels, extra in (
            ("health_at_risk", ["inbox", "email"], {}),
            ("trial_ending", ["webhook"], {"webhook_url": hooks.url + "/sa", "webhook_secret": SA_SECRET}),
            ("new_overage", ["inbox"], {}),
            ("no_admin_activity", ["inbox"], {}),
        ):
            made = alert_rules.create(sa, condition, None, None, channels, **extra).value
            assert made is not None
            w.rules[(SA, condition)] = made["id"]
        # a rule her role may not have (made when she had another role, say)
        w.rules[(SA, "queue_abandonment")] = store.create_rule(
            state, "tests", w.users[SA], "queue_abandonment", {"ratio": 0.2, "min_offered": 20}, {}, ["inbox"]
        )["id"]
        for email in (FA, SA):
            store.set_weekly_digest(state, "tests", w.users[email], True)
        first = cli.invoke("data", "import", str(write(home / "week1", now=False)))
        w.snapshots[1] = _current(svc).id
        w.stage("week1", first.stdout.strip().splitlines()[-1])

        # sa's follow-ups (the digest lists those due within 7 days of today, in her scope)
        today = datetime.now(UTC).date()
        scope = scope_for(state, SA, "sales_admin")
        sa_now = Caller(SA, "sales_admin", scope, state, _current(svc), w.users[SA])
        for cid, days, text in (
            ("PL-DROP", 3, "Call about the unused licenses"),
            ("PL-TRIAL", 30, "Ask about the trial"),
            ("PL-LOW", 1, "Check the rollout"),
        ):
            follow_ups.set(sa_now, cid, today + timedelta(days=days), text, today=today)

        unassign_customers(state, "tests", SA, ["PL-LOW", "PL-QUIET"])
        smtp.stop()
        second = cli.invoke("data", "import", str(write(home / "week2", now=True)))
        w.snapshots[2] = _current(svc).id
        w.stage("week2", second.stdout.strip().splitlines()[-1])

        smtp.start()
        w.stage("run1", cli.invoke("alerts", "run").stdout.strip())
        w.stage("run2", cli.invoke("alerts", "run").stdout.strip())
        yield w
    finally:
        smtp.stop()
        hooks.stop()
        cli.close()
