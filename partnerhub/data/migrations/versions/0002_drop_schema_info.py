"""Drop schema_info: alembic_version holds the store's revision now.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-03
"""

from __future__ import annotations

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_table("schema_info")


def downgrade() -> None:
    # stores are only ever upgraded; a release is undone by restoring a backup
    raise NotImplementedError
