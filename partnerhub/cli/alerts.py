"""`flask --app app alerts ...`: alerts from the command line.

`alerts test EMAIL` sends a test message through the configured SMTP server
(through the outbox, so the delivery log shows it). Exit status 0 when the
server took it, 1 with a one-line reason on stderr otherwise (no server
configured, a bad address, the server refusing or unreachable).

`alerts run` evaluates every rule on the current snapshot, queues the weekly
digests, then delivers what is pending (partnerhub/alerts/evaluate.py), and
prints one line of counts; exit 0 even when something could not be
delivered: it stays pending for the next run.
"""

from __future__ import annotations

import sys
from typing import NoReturn

import click
from flask.cli import AppGroup

alerts_cli = AppGroup("alerts", help="Alert rules: evaluate them, deliver what is pending, send a test e-mail.")


def _fail(message: str) -> NoReturn:
    click.echo(f"error: {message}", err=True)
    sys.exit(1)


@alerts_cli.command("test")
@click.argument("email")
def test_cmd(email: str):
    """Sends a test e-mail to EMAIL through the configured SMTP server."""
    from partnerhub.alerts.outbox import send_test_email
    from partnerhub.auth.users import normalize_email
    from partnerhub.data.runtime import services

    svc = services()
    server = svc.settings.smtp
    if server is None:
        _fail("no SMTP server is configured: set PARTNERHUB_SMTP_URL (smtp://user:password@host:port)")
    try:
        to = normalize_email(email)
    except ValueError as err:
        _fail(str(err))
    run = send_test_email(svc.state, svc.settings, to)
    if not run.sent:
        reason = next(iter(run.errors.values()), "not sent")
        _fail(f"sending to {to} through {server.location()} failed: {reason}")
    click.echo(f"sent a test message to {to} through {server.location()}")


# ---- alerts run: the evaluation's command goes here ----------------------------------------------


@alerts_cli.command("run")
def run_cmd():
    """Evaluates every alert rule on the current snapshot, queues the weekly
    digests, and delivers what is pending. Idempotent: a second run on the
    same snapshot sends nothing new. Exit 0; what could not be delivered
    stays pending for the next run."""
    from partnerhub.alerts.evaluate import run
    from partnerhub.data.runtime import services

    svc = services()
    summary = run(svc)
    if summary.snapshot_id is None:
        click.echo("no data imported yet: nothing to evaluate", err=True)
    click.echo(summary.line())
