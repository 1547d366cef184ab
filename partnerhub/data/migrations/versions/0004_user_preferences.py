"""User preferences: the interface language each user chose (ja | en) and
their time zone (an IANA name, for the Account page). Both null until the
user chooses: the browser's Accept-Language and time zone decide meanwhile.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-17
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # batch: SQLite adds the columns in place (no copy needed for nullable ones)
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("language", sa.String(length=8), nullable=True))
        batch.add_column(sa.Column("time_zone", sa.String(length=64), nullable=True))


def downgrade() -> None:
    # stores are only ever upgraded; a release is undone by restoring a backup
    raise NotImplementedError
