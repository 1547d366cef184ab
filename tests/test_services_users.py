"""The user and token actions of the application layer (services/users.py,
services/tokens.py), the policy tables they read (auth/roles.py), the CLI as
the operator "cli", and the one callback wrapper that shows a refusal."""

from __future__ import annotations

import uuid

import pytest
from dash import no_update

from partnerhub.auth import roles
from partnerhub.auth.guard import Refused
from partnerhub.auth.tokens import list_tokens
from partnerhub.auth.users import get_user_by_email
from partnerhub.pages._feedback import shows_refusal
from partnerhub.services import tokens as token_actions
from partnerhub.services import users as user_actions
from partnerhub.services.caller import CLI_ACTOR, cli_caller
from tests.auth_client import new_user
from tests.customer_pages import ADMIN, FULL, READONLY, SALES
from tests.services_support import caller, counted


def test_the_policy_tables_agree():
    assert "export" not in roles.ACTIONS
    for action, scoped in roles.SCOPED_ACTIONS.items():
        assert scoped <= roles.ACTIONS[action]
        # a role that sees only its assigned customers acts only on them
        assert roles.ACTIONS[action] & roles.ASSIGNED_SCOPE <= scoped


def test_a_role_without_the_right_is_refused(services):
    email = new_user(services, "partner_admin")
    with counted(services.state) as writes:
        for who in (ADMIN, READONLY, SALES):
            for action in (
                lambda c: user_actions.add(c, "new-one@tests.example", "New", "partner_admin"),
                lambda c: user_actions.change_role(c, email, "sales_admin"),
                lambda c: user_actions.reset_password(c, email),
                lambda c: user_actions.set_disabled(c, email, True),
                lambda c: token_actions.revoke_all(c, email),
            ):
                with pytest.raises(Refused) as refused:
                    action(caller(services, who))
                assert refused.value.status == 403
    assert (writes.transactions, writes.audit) == (0, [])
    assert get_user_by_email(services.state, email).role == "partner_admin"


def test_a_missing_user_is_named(services):
    full = caller(services, FULL)
    with counted(services.state) as writes:
        for action in (
            lambda email: user_actions.change_role(full, email, "sales_admin"),
            lambda email: user_actions.reset_password(full, email),
            lambda email: user_actions.set_disabled(full, email, True),
            lambda email: token_actions.revoke_all(full, email),
        ):
            with pytest.raises(ValueError, match="No such user"):
                action("nobody@tests.example")
            with pytest.raises(ValueError, match="Pick a user first"):
                action(None)
    assert (writes.transactions, writes.audit) == (0, [])


def test_each_action_is_one_transaction_with_its_audit_row(services):
    full = caller(services, FULL)
    email = new_user(services, "partner_admin")
    expected = [
        (lambda: user_actions.change_role(full, email, "sales_admin"), "user.role", "is now: Sales administrator"),
        (lambda: user_actions.reset_password(full, email), "user.password_reset", "shown only now"),
        (lambda: user_actions.set_disabled(full, email, True), "user.disable", "is disabled"),
        (lambda: user_actions.set_disabled(full, email, False), "user.enable", "is enabled"),
        (lambda: token_actions.revoke_all(full, email), "token.revoke_all", "Revoked 0 API tokens"),
    ]
    for action, audited, message in expected:
        with counted(services.state) as writes:
            outcome = action()
        assert message in outcome.message
        assert writes.transactions == 1
        assert writes.audit == ([(FULL, audited, None, email)] if audited != "token.revoke_all" else [])


def test_own_tokens_and_password(services):
    email = new_user(services, "sales_admin")
    own = caller(services, email)
    with counted(services.state) as writes:
        created = token_actions.create(own, "notebook")
    assert created.value.startswith("phk_") and "shown only once" in created.message
    assert (writes.transactions, writes.audit) == (1, [(email, "token.create", None, email)])
    [token] = list_tokens(services.state, own.user_id)
    with pytest.raises(ValueError, match="no such token"):
        token_actions.revoke_own(caller(services, READONLY), token["id"])
    with counted(services.state) as writes:
        token_actions.revoke_own(own, token["id"])
    assert (writes.transactions, writes.audit) == (1, [(email, "token.revoke", None, email)])
    with pytest.raises(ValueError, match="differ"):
        user_actions.change_own_password(own, "correct horse battery", "a new password", "another one")


def test_the_cli_acts_as_the_operator(app, services):
    email = f"operator-{uuid.uuid4().hex[:8]}@tests.example"
    with app.app_context():
        cli = cli_caller()
        assert (cli.actor, cli.scope, cli.source) == (CLI_ACTOR, None, "cli")
        with counted(services.state) as writes:
            outcome = user_actions.add_or_update(cli, email, "Made By Cli", "partner_admin")
    assert outcome.value["created"] and get_user_by_email(services.state, email).source == "cli"
    assert (writes.transactions, writes.audit) == (1, [("cli", "user.add", None, email)])


def test_the_callback_wrapper_shows_a_refusal_in_its_output():
    @shows_refusal(3, at=1, also={2: ""})
    def callback(error):
        raise error

    def feedback_of(answer):
        return answer[1].children.children  # the live region's dbc.Alert's text

    refused = callback(Refused("Customer not found.", 404))
    assert refused[0] is no_update and refused[2] == "" and feedback_of(refused) == "Customer not found."
    assert feedback_of(callback(ValueError("A tag name cannot be empty."))) == "A tag name cannot be empty."
    with pytest.raises(KeyError):  # anything else is a bug, not a message
        callback(KeyError("x"))

    @shows_refusal()
    def single():
        raise ValueError("bad")

    assert single().children.children == "bad"  # one output: the alert itself, not a tuple
