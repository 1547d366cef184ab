"""`flask --app app users ...`: partner administrators from the command line.

Exit status 0 on success, 1 on a user error with a one-line reason on stderr
(unknown role, bad e-mail, unknown user, bad customer id) - never a traceback.
The CLI acts as the operator: the audit log records the actor "cli".
"""

from __future__ import annotations

import sys
from datetime import date

import click
from flask.cli import AppGroup

from partnerhub.data.runtime import services

from .roles import ROLES

users_cli = AppGroup("users", help="Partner administrators, assignments and API tokens.")

ACTOR = "cli"


def _fail(message: str) -> None:
    click.echo(f"error: {message}", err=True)
    sys.exit(1)


@users_cli.command("add")
@click.argument("email")
@click.option("--name", default=None, help="Full name (needed for a new user).")
@click.option("--role", default=None, help="One of: " + ", ".join(ROLES) + " (needed for a new user).")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
def add_cmd(email: str, name: str | None, role: str | None, password_stdin: bool):
    """Creates the user EMAIL, or updates an existing one (one an import created, say)."""
    from .users import add_or_update_user, get_user_by_email

    password = None
    if password_stdin:
        password = sys.stdin.read().rstrip("\r\n")
        if not password:
            _fail("no password on standard input")
    try:
        result = add_or_update_user(services().state, ACTOR, email, name, role, password=password, source="cli")
    except ValueError as err:
        _fail(str(err))
    if result["created"]:
        click.echo(f"created {result['email']}")
    elif result["changed"]:
        click.echo(f"updated {result['email']}: {', '.join(result['changed'])}")
    else:
        click.echo(f"{result['email']} is unchanged")
    user = get_user_by_email(services().state, result["email"])
    if user is not None and not user.password_hash:
        click.echo(
            f"note: {result['email']} cannot sign in until a password is set "
            "(--password-stdin, or a reset on the administration page)",
            err=True,
        )


@users_cli.command("assign")
@click.argument("email")
@click.argument("customer_ids", nargs=-1, metavar="CUSTOMER_ID...")
def assign_cmd(email: str, customer_ids: tuple[str, ...]):
    """Assigns customers to a partner administrator or sales administrator."""
    from .users import assign_customers, check_customer_id

    if not customer_ids:
        _fail("name at least one CUSTOMER_ID")
    try:
        ids = list(dict.fromkeys(check_customer_id(c) for c in customer_ids))
    except ValueError as err:
        _fail(str(err))
    snap = services().snapshots.current()
    if snap is not None:
        known = {
            r[0] for r in snap.rows("SELECT customer_id FROM customers WHERE customer_id IN (SELECT unnest(?))", [ids])
        }
        unknown = [c for c in ids if c not in known]
        if unknown:
            _fail(f"unknown customer id{'s' if len(unknown) > 1 else ''}: {', '.join(unknown)}")
    try:
        added = assign_customers(services().state, ACTOR, email, ids, source="cli")
    except ValueError as err:
        _fail(str(err))
    click.echo(
        f"assigned {len(added)} customer{'s' if len(added) != 1 else ''} to {email.strip().lower()}"
        + (f" ({len(ids) - len(added)} already assigned)" if len(added) < len(ids) else "")
    )


@users_cli.command("token")
@click.argument("email")
@click.option("--name", default=None, help="What the token is for (default: 'cli YYYY-MM-DD').")
def token_cmd(email: str, name: str | None):
    """Creates an API token for EMAIL and prints it alone on stdout (shown once, stored hashed)."""
    from .tokens import create_token
    from .users import get_user_by_email, normalize_email

    try:
        normalize_email(email)
    except ValueError as err:
        _fail(str(err))
    user = get_user_by_email(services().state, email)
    if user is None:
        _fail(f"no user {email.strip().lower()!r}")
    if user.disabled:
        _fail(f"{user.email} is disabled")
    try:
        secret = create_token(services().state, user.id, name or f"cli {date.today().isoformat()}", actor=ACTOR)
    except ValueError as err:
        _fail(str(err))
    click.echo(secret)
