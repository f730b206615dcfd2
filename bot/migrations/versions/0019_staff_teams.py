"""Staff belong to teams (issue 17.4): pre-sales, after-sales; the queue's "team" filter and
transfers to a team use them.

Revision ID: 0019_staff_teams
Revises: 0004_console
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0019_staff_teams"
down_revision = "0004_console"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "staff_teams",
        sa.Column("username", sa.String(64), sa.ForeignKey("staff.username", ondelete="CASCADE"), nullable=False),
        sa.Column("team", sa.String(32), nullable=False),
        sa.PrimaryKeyConstraint("username", "team"),
    )


def downgrade() -> None:
    op.drop_table("staff_teams")
