"""Alembic's environment for the app-state store.

At run time partnerhub.data.migrations.upgrade() hands over its connection,
which already holds the write lock and the transaction. From the alembic
command line, for writing a new revision
(`alembic -c partnerhub/data/migrations/alembic.ini revision --autogenerate -m "..."`),
it connects to the store of the settings (PARTNERHUB_STATE_URL or PARTNERHUB_HOME).
"""

from __future__ import annotations

from alembic import context
from sqlalchemy.engine import Connection

from partnerhub.data.state import metadata


def run(conn: Connection) -> None:
    # batch mode: SQLite can alter a table only by copying it
    context.configure(connection=conn, target_metadata=metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


def run_from_command_line() -> None:
    from partnerhub.data.settings import load_settings
    from partnerhub.data.state import StateStore

    store = StateStore(load_settings().state_url)
    try:
        with store.write() as conn:
            run(conn)
    finally:
        store.dispose()


if context.is_offline_mode():
    raise SystemExit("offline (--sql) migrations are not supported for the app-state store")
connection = context.config.attributes.get("connection")
if connection is not None:
    run(connection)
else:
    run_from_command_line()
