"""The whole app on a PostgreSQL app-state store (PARTNERHUB_STATE_URL), as
several nodes run it: the demo data imported, a user signs in, a page, a
callback and an API call answer, and what the app wrote is in PostgreSQL.

Dash allows one app a process and the session's app is on SQLite, so this
app is built in a process of its own; it talks HTTP through Flask's test
client there, and reports what it saw as JSON.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

from sqlalchemy import func, select

from partnerhub.data import migrations
from partnerhub.data.state import StateStore, login_attempts, sessions, users
from tests.conftest import ROOT
from tests.postgres_server import create_database

APP_ON_POSTGRES = r"""
import json, sys
from pathlib import Path

from sqlalchemy import update

from tests.conftest import PASSWORD  # the cheap password profile, as in every test
from tests.auth_client import sign_in
from partnerhub.auth.passwords import hash_password
from partnerhub.data.importer import import_folder
from partnerhub.data.settings import load_settings
from partnerhub.data.snapshots import SnapshotStore
from partnerhub.data.state import StateStore, users

home, data = Path(sys.argv[1]), Path(sys.argv[2])
settings = load_settings(home=home, argon2_profile="cheap")
state = StateStore(settings.state_url)
state.init_schema()
result = import_folder(data, SnapshotStore(settings.snapshots_dir), state)
assert result.ok, result.report.lines()
with state.write() as conn:
    conn.execute(update(users).values(password_hash=hash_password(PASSWORD, "cheap")))
state.dispose()

from app import create_app

server = create_app(settings)
server.config.update(TESTING=True)
client = server.test_client()
seen = {"state_url": server.extensions["partnerhub"].state.url.split("://")[0]}
seen["sign_in"] = sign_in(client, "full.admin@demo.example").status_code
seen["page"] = client.get("/customers").status_code
seen["layout"] = client.get("/_dash-layout").status_code
kpis = client.get("/api/v1/kpis")
seen["api"] = kpis.status_code
seen["api_customers"] = kpis.get_json()["headline"]["total_customers"] if kpis.status_code == 200 else None
seen["wrong_password"] = sign_in(server.test_client(), "admin@demo.example", "a wrong password").status_code
print(json.dumps(seen))
"""


def test_the_app_on_postgresql_signs_in_and_serves_pages_and_the_api(postgres, demo_data, tmp_path):
    url = create_database(postgres, "whole_app")
    env = {**os.environ, "PARTNERHUB_STATE_URL": url, "PYTHONPATH": str(ROOT)}
    run = subprocess.run(
        [sys.executable, "-c", APP_ON_POSTGRES, str(tmp_path / "home"), str(demo_data)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stderr[-4000:]
    seen = json.loads(run.stdout.strip().splitlines()[-1])
    assert seen == {
        "state_url": "postgresql+psycopg",
        "sign_in": 302,
        "page": 200,
        "layout": 200,
        "api": 200,
        "api_customers": seen["api_customers"],
        "wrong_password": 200,
    }
    assert seen["api_customers"] > 0
    # what the app wrote is in PostgreSQL, not in a SQLite file of its home
    assert not (tmp_path / "home" / "state.sqlite").exists()
    store = StateStore(url)
    with store.read() as conn:
        assert store.revision() == migrations.head()
        signed_in = conn.execute(select(users.c.last_sign_in_at).where(users.c.email == "full.admin@demo.example"))
        assert signed_in.scalar_one() is not None
        assert conn.execute(select(func.count()).select_from(sessions)).scalar_one() == 1
        # the failed sign-in, counted per (account, address) and per address
        assert conn.execute(select(func.count()).select_from(login_attempts)).scalar_one() == 2
    store.dispose()
