"""The durable outbox of pushes (issue 14.11).

Revision ID: 0005_push_outbox
Revises: 0001_platform
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005_push_outbox"
down_revision = "0001_platform"
branch_labels = None
depends_on = None

_tz = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "push_outbox",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("channel", sa.String(32), nullable=False),
        sa.Column("recipient_id", sa.String(200), nullable=False),
        sa.Column("event_key", sa.String(200), nullable=False),
        sa.Column("replies", sa.Text(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("claimed_until", _tz, nullable=True),
        sa.Column("created_at", _tz, nullable=False),
        sa.Column("sent_at", _tz, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_push_outbox"),
        sa.UniqueConstraint("channel", "recipient_id", "event_key", name="uq_push_outbox_event"),
    )
    op.create_index("ix_push_outbox_status_id", "push_outbox", ["status", "id"])


def downgrade() -> None:
    op.drop_index("ix_push_outbox_status_id", table_name="push_outbox")
    op.drop_table("push_outbox")
