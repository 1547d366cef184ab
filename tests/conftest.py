"""Shared fixtures: a real PARTNERHUB_HOME with imported demo data, a real
app-state SQLite file, and the app built on them; app-state stores of their
own on SQLite and on a real PostgreSQL server. Nothing of ours is mocked."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
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


# ---- the app-state store on each backend ------------------------------------------------------
# A test that takes `state` (or `state_url`) runs once on SQLite and once on
# PostgreSQL: one throwaway server for the whole session (tests/postgres_server.py),
# a database of its own for each test.

BACKENDS = ("sqlite", "postgresql")
_PG_TEMPLATE = "partnerhub_head"
_pg_databases = itertools.count(1)


@pytest.fixture(scope="session")
def postgres():
    """The libpq URL of the session's PostgreSQL server, started on first use."""
    from tests.postgres_server import postgres_server

    with postgres_server() as url:
        yield url


@pytest.fixture(scope="session")
def postgres_head(postgres) -> str:
    """A database migrated to head that each test's store is copied from:
    copying is faster than migrating."""
    from partnerhub.data.state import StateStore
    from tests.postgres_server import create_database

    store = StateStore(create_database(postgres, _PG_TEMPLATE))
    store.init_schema()
    store.dispose()  # a template must have no connections
    return _PG_TEMPLATE


@pytest.fixture
def new_store_url(request, tmp_path) -> Iterator[Callable[..., str]]:
    """new_store_url(backend, template=None) -> the URL of a new store of
    this test: empty, or (PostgreSQL) a copy of the `template` database.
    Dropped after the test."""
    made: list[str] = []
    files = itertools.count(1)

    def make(backend: str, template: str | None = None) -> str:
        if backend == "sqlite":
            return f"sqlite:///{tmp_path}/state-{next(files)}.sqlite"
        from tests.postgres_server import create_database

        name = f"t{next(_pg_databases)}"
        made.append(name)
        return create_database(request.getfixturevalue("postgres"), name, template)

    yield make
    if made:
        from tests.postgres_server import drop_database

        for name in made:
            drop_database(request.getfixturevalue("postgres"), name)


@pytest.fixture(params=BACKENDS)
def backend(request) -> str:
    return request.param


@pytest.fixture
def state_url(backend, new_store_url) -> str:
    """The URL of a new, empty (not migrated) store on the test's backend."""
    return new_store_url(backend)


@pytest.fixture
def state(backend, new_store_url, request):
    """A fresh app-state store at head of its own (not the session app's), on each backend."""
    from partnerhub.data.state import StateStore

    if backend == "sqlite":
        s = StateStore(new_store_url(backend))
        s.init_schema()
    else:
        s = StateStore(new_store_url(backend, request.getfixturevalue("postgres_head")))
    yield s
    s.dispose()
