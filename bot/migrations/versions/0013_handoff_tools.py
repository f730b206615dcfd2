"""Handoffs record their team, the agent's first response and the shopper's rating (issue 17).

Revision ID: 0013_handoff_tools
Revises: 0004_console
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013_handoff_tools"
down_revision = "0004_console"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("handoffs") as batch:
        batch.add_column(sa.Column("team", sa.String(32)))
        batch.add_column(sa.Column("first_response_at", sa.DateTime(timezone=True)))
        batch.add_column(sa.Column("rating", sa.Integer()))
        batch.add_column(sa.Column("rating_comment", sa.Text()))


def downgrade() -> None:
    with op.batch_alter_table("handoffs") as batch:
        batch.drop_column("rating_comment")
        batch.drop_column("rating")
        batch.drop_column("first_response_at")
        batch.drop_column("team")
