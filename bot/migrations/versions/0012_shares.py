"""Shares of products and the orders they led to (issue 18.5).

Revision ID: 0012_shares
Revises: 0001_platform
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012_shares"
down_revision = "0001_platform"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "shares",
        sa.Column("share_id", sa.String(48), nullable=False),
        sa.Column("product_id", sa.String(100), nullable=False),
        sa.Column("shopper_id", sa.String(200), nullable=False),
        sa.Column("channel", sa.String(40), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("opens", sa.Integer(), nullable=False, server_default="0"),
        sa.PrimaryKeyConstraint("share_id", name="pk_shares"),
    )
    op.create_index("ix_shares_shopper_id", "shares", ["shopper_id"])
    op.create_table(
        "share_orders",
        sa.Column("share_id", sa.String(48), nullable=False),
        sa.Column("order_id", sa.String(20), nullable=False),
        sa.ForeignKeyConstraint(["share_id"], ["shares.share_id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("share_id", "order_id", name="pk_share_orders"),
    )


def downgrade() -> None:
    op.drop_table("share_orders")
    op.drop_index("ix_shares_shopper_id", table_name="shares")
    op.drop_table("shares")
