"""Shared fixtures: a real PARTNERHUB_HOME with imported demo data, a real
app-state SQLite file, and the app built on them. Nothing of ours is mocked."""

from __future__ import annotations

from pathlib import Path

import pytest

from partnerhub.auth.passwords import configure as configure_passwords

ROOT = Path(__file__).resolve().parents[1]
# Argon2's production cost is ~100 ms a hash; the suite creates many users.
# Chosen in code: no environment variable can choose it (test_security_headers)
configure_passwords("cheap")

DEMO_CUSTOMERS = 300
DEMO_WEEKS = 14
DEMO_SEED = 7
PASSWORD = "correct horse battery"


@pytest.fixture(scope="session")
def demo_data(tmp_path_factory) -> Path:
    from partnerhub.data.generator import generate

    folder = tmp_path_factory.mktemp("demo-data")
    generate(folder, customers=DEMO_CUSTOMERS, weeks=DEMO_WEEKS, seed=DEMO_SEED)
    return folder


@pytest.fixture(scope="session")
def app_home(tmp_path_factory, demo_data) -> Path:
    """A home with the demo data imported and every demo user's password set to PASSWORD."""
    from sqlalchemy import update

    from partnerhub.auth.passwords import hash_password
    from partnerhub.data.importer import import_folder
    from partnerhub.data.settings import load_settings
    from partnerhub.data.snapshots import SnapshotStore
    from partnerhub.data.state import StateStore, users

    home = tmp_path_factory.mktemp("home")
    settings = load_settings(home=home)
    state = StateStore(settings.state_url)
    state.init_schema()
    result = import_folder(demo_data, SnapshotStore(settings.snapshots_dir), state)
    assert result.ok, result.report.lines()
    with state.write() as conn:
        conn.execute(update(users).values(password_hash=hash_password(PASSWORD, "cheap")))
    state.dispose()
    return home


@pytest.fixture(scope="session")
def app(app_home):
    """One app for the whole session: Dash keeps its page registry and
    callbacks per process, so tests share this app and its home."""
    from app import create_app
    from partnerhub.data.settings import load_settings

    server = create_app(load_settings(home=app_home, argon2_profile="cheap"))
    server.config.update(TESTING=True)
    return server


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def services(app):
    from partnerhub.data.runtime import EXTENSION

    return app.extensions[EXTENSION]


@pytest.fixture
def state(tmp_path):
    """A fresh, empty app-state store of its own (not the session app's)."""
    from partnerhub.data.state import StateStore

    s = StateStore(f"sqlite:///{tmp_path}/state.sqlite")
    s.init_schema()
    yield s
    s.dispose()
