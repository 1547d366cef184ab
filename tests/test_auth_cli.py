"""`flask users ...`: exit 0 on success, 1 with a one-line reason on stderr for
bad input, never a traceback; `users token` prints the token alone."""

from __future__ import annotations

import re
import uuid

import pytest
from sqlalchemy import select

from partnerhub.auth.scope import customer_scope
from partnerhub.auth.session import Identity
from partnerhub.auth.tokens import authenticate_token
from partnerhub.auth.users import get_user_by_email
from partnerhub.data.state import audit_log
from tests.auth_client import sign_in
from tests.conftest import PASSWORD


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


def _email():
    return f"cli-{uuid.uuid4().hex[:10]}@tests.example"


def _fails(result, pattern):
    assert result.exit_code == 1, result.output
    assert ("Traceback" not in result.output and result.exception is None) or isinstance(result.exception, SystemExit)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and re.search(pattern, lines[0]), result.stderr
    assert result.stdout == ""


def test_add_without_password_then_with(app, runner, services):
    email = _email()
    result = runner.invoke(args=["users", "add", email, "--name", "Cli Person", "--role", "partner_admin"])
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == f"created {email}"
    assert "cannot sign in until a password is set" in result.stderr
    row = get_user_by_email(services.state, email)
    assert (row.name, row.role, row.password_hash, row.source) == ("Cli Person", "partner_admin", None, "cli")
    assert sign_in(app.test_client(), email).status_code == 200  # no password yet
    # an update: role and password from stdin; the name is kept
    result = runner.invoke(
        args=["users", "add", email.upper(), "--role", "sales_admin", "--password-stdin"], input=PASSWORD + "\n"
    )
    assert result.exit_code == 0, result.output
    assert "updated" in result.stdout and result.stderr == ""
    row = get_user_by_email(services.state, email)
    assert (row.name, row.role) == ("Cli Person", "sales_admin")
    assert sign_in(app.test_client(), email).status_code == 302
    with services.state.read() as conn:
        actions = conn.execute(
            select(audit_log.c.actor, audit_log.c.action).where(audit_log.c.target == email).order_by(audit_log.c.id)
        ).all()
    assert actions == [("cli", "user.add"), ("cli", "user.update")]


@pytest.mark.parametrize(
    "args, pattern",
    [
        (["users", "add", "not-an-email", "--name", "X", "--role", "partner_admin"], "not an e-mail address"),
        (["users", "add", "x@tests.example", "--name", "X", "--role", "emperor"], "unknown role 'emperor'"),
        (["users", "add", "new-x@tests.example"], "needs a name and a role"),
        (["users", "add", "x@tests.example", "--name", "", "--role", "partner_admin"], "name needs"),
        (["users", "assign", "nobody@tests.example", "CUST-000001"], "no user"),
        (["users", "assign", "admin@demo.example", "NO-SUCH-CUSTOMER"], "unknown customer id"),
        (["users", "assign", "admin@demo.example", "bad id!"], "not a customer id"),
        (["users", "assign", "admin@demo.example"], "at least one CUSTOMER_ID"),
        (["users", "assign", "readonly@demo.example", "CUST-000001"], "sees every customer"),
        (["users", "token", "nobody@tests.example"], "no user"),
        (["users", "token", "bad email"], "not an e-mail address"),
    ],
)
def test_bad_input_exits_1_with_one_line(runner, args, pattern):
    _fails(runner.invoke(args=args), pattern)


def test_short_password_on_stdin_is_refused(runner, services):
    email = _email()
    _fails(
        runner.invoke(
            args=["users", "add", email, "--name", "X", "--role", "partner_admin", "--password-stdin"], input="short\n"
        ),
        "at least 10 characters",
    )
    assert get_user_by_email(services.state, email) is None


def test_assign(app, runner, services):
    email = _email()
    runner.invoke(args=["users", "add", email, "--name", "A", "--role", "partner_admin"])
    result = runner.invoke(args=["users", "assign", email, "CUST-000003", "CUST-000004", "CUST-000003"])
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == f"assigned 2 customers to {email}"
    row = get_user_by_email(services.state, email)
    with app.app_context():
        assert customer_scope(Identity(row.id, row.email, row.name, row.role)) == {"CUST-000003", "CUST-000004"}


def test_token_is_printed_alone(app, runner, services):
    email = _email()
    runner.invoke(args=["users", "add", email, "--name", "T", "--role", "partner_readonly_admin"])
    result = runner.invoke(args=["users", "token", email, "--name", "nightly export"])
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    assert re.fullmatch(r"phk_[A-Za-z0-9_-]{40,}\n", result.stdout)
    secret = result.stdout.strip()
    assert authenticate_token(services.state, secret).email == email
    response = app.test_client().get("/api/v1/datasets", headers={"Authorization": f"Bearer {secret}"})
    assert response.status_code != 401
