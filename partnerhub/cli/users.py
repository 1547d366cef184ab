"""`flask --app app users ...`: partner administrators from the command line.

Exit status 0 on success, 1 on a user error with a one-line reason on stderr
(unknown role, bad e-mail, unknown user, bad customer id) - never a traceback.
Like a page, the CLI changes nothing itself: it calls the application layer
(partnerhub/services/) as the operator, whom the audit log names "cli".
"""

from __future__ import annotations

import sys
from datetime import date
from typing import NoReturn

import click
from flask.cli import AppGroup

from partnerhub.auth.roles import ROLES

users_cli = AppGroup("users", help="Partner administrators, assignments and API tokens.")


def _fail(message: str) -> NoReturn:
    click.echo(f"error: {message}", err=True)
    sys.exit(1)


@users_cli.command("add")
@click.argument("email")
@click.option("--name", default=None, help="Full name (needed for a new user).")
@click.option("--role", default=None, help="One of: " + ", ".join(ROLES) + " (needed for a new user).")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
def add_cmd(email: str, name: str | None, role: str | None, password_stdin: bool):
    """Creates the user EMAIL, or updates an existing one (one an import created, say)."""
    from partnerhub.auth.users import get_user_by_email
    from partnerhub.services import users as user_actions
    from partnerhub.services.caller import cli_caller

    password = None
    if password_stdin:
        password = sys.stdin.read().rstrip("\r\n")
        if not password:
            _fail("no password on standard input")
    caller = cli_caller()
    try:
        result = user_actions.add_or_update(caller, email, name, role, password).value or {}
    except ValueError as err:
        _fail(str(err))
    if result["created"]:
        click.echo(f"created {result['email']}")
    elif result["changed"]:
        click.echo(f"updated {result['email']}: {', '.join(result['changed'])}")
    else:
        click.echo(f"{result['email']} is unchanged")
    user = get_user_by_email(caller.state, result["email"])
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
    from partnerhub.services import assignments as assignment_actions
    from partnerhub.services.caller import cli_caller

    if not customer_ids:
        _fail("name at least one CUSTOMER_ID")
    ids = list(dict.fromkeys(customer_ids))
    try:
        added = assignment_actions.assign_customers(cli_caller(), email, ids).value or []
    except assignment_actions.UnknownCustomers as err:
        _fail(f"unknown customer id{'s' if len(err.ids) > 1 else ''}: {', '.join(err.ids)}")
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
    from partnerhub.services import tokens as token_actions
    from partnerhub.services.caller import cli_caller

    try:
        secret = token_actions.create(cli_caller(), name or f"cli {date.today().isoformat()}", owner_email=email).value
    except ValueError as err:
        _fail(str(err))
    click.echo(secret)
