"""A user's own preferences through the application layer
(services/preferences.py), on SQLite and PostgreSQL: the language and the
time zone are validated, each accepted change is one transaction with its
audit row, the value already chosen writes nothing, and the CLI operator
(no users row) is refused."""

from __future__ import annotations

import pytest

from partnerhub.auth.roles import ROLES
from partnerhub.auth.users import add_or_update_user, get_user_by_email
from partnerhub.data.preferences import get_preferences
from partnerhub.services import preferences
from partnerhub.services.caller import CLI_ACTOR, Caller
from tests.services_support import counted


def _caller(state, role: str = "partner_readonly_admin") -> Caller:
    email = f"prefs-{role}@tests.example"
    add_or_update_user(state, "tests", email, "Prefs", role)
    user = get_user_by_email(state, email)
    return Caller(user.email, user.role, None, state, None, user.id)


def test_a_new_user_has_no_preferences(state):
    c = _caller(state)
    assert get_preferences(state, c.user_id) == {"language": None, "time_zone": None}


def test_setting_the_language_is_one_transaction_with_its_audit_row(state):
    c = _caller(state)
    with counted(state) as writes:
        outcome = preferences.set_language(c, "ja")
    assert (outcome.changed, outcome.value) == (1, "ja")
    assert writes.transactions == 1
    assert writes.audit == [(c.actor, "user.language", None, c.actor)]
    assert get_preferences(state, c.user_id)["language"] == "ja"
    # the same choice again changes nothing and records nothing
    with counted(state) as writes:
        again = preferences.set_language(c, "ja")
    assert again.changed == 0 and writes.audit == []
    preferences.set_language(c, "en")
    assert get_preferences(state, c.user_id)["language"] == "en"


@pytest.mark.parametrize("role", sorted(ROLES))
def test_every_role_may_choose_its_language(state, role):
    c = _caller(state, role)
    assert preferences.set_language(c, "ja").value == "ja"


@pytest.mark.parametrize("bad", ["xx", "", "japanese", "ja-JP", None, 3, "e" * 500])
def test_a_bad_language_is_refused_and_nothing_is_written(state, bad):
    c = _caller(state)
    with counted(state) as writes, pytest.raises(ValueError) as refused:
        preferences.set_language(c, bad)
    assert "Unknown language" in str(refused.value) and "en / ja" in str(refused.value)
    assert (writes.transactions, writes.audit) == (0, [])
    assert get_preferences(state, c.user_id)["language"] is None


def test_setting_the_time_zone_is_one_transaction_with_its_audit_row(state):
    c = _caller(state)
    with counted(state) as writes:
        outcome = preferences.set_time_zone(c, " Asia/Tokyo ")
    assert (outcome.changed, outcome.value) == (1, "Asia/Tokyo")
    assert writes.transactions == 1
    assert writes.audit == [(c.actor, "user.time_zone", None, c.actor)]
    assert get_preferences(state, c.user_id)["time_zone"] == "Asia/Tokyo"
    assert preferences.set_time_zone(c, "Asia/Tokyo").changed == 0


@pytest.mark.parametrize(
    "bad", ["Mars/Olympus", "asia/tokyo", "", "../../etc/passwd", "/etc/localtime", None, "x" * 100]
)
def test_a_bad_time_zone_is_refused_and_nothing_is_written(state, bad):
    c = _caller(state)
    with counted(state) as writes, pytest.raises(ValueError) as refused:
        preferences.set_time_zone(c, bad)
    assert "Asia/Tokyo" in str(refused.value)
    assert (writes.transactions, writes.audit) == (0, [])
    assert get_preferences(state, c.user_id)["time_zone"] is None


def test_the_cli_operator_has_no_preferences(state):
    cli = Caller(CLI_ACTOR, "partner_full_admin", None, state, None, source="cli")
    with counted(state) as writes:
        for action in (lambda: preferences.set_language(cli, "ja"), lambda: preferences.set_time_zone(cli, "UTC")):
            with pytest.raises(ValueError, match="signed-in user"):
                action()
    assert (writes.transactions, writes.audit) == (0, [])


def test_a_user_deleted_meanwhile_is_named(state):
    c = _caller(state)
    gone = Caller(c.actor, c.role, None, state, None, c.user_id + 10_000)
    with pytest.raises(ValueError, match="no longer exists"):
        preferences.set_language(gone, "ja")
