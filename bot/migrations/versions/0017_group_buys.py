"""Group buys (拼团) and their members (issue 18.6).

Revision ID: 0017_group_buys
Revises: 0001_platform
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0017_group_buys"
down_revision = "0001_platform"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "group_buys",
        sa.Column("group_id", sa.String(48), nullable=False),
        sa.Column("product_id", sa.String(100), nullable=False),
        sa.Column("platform", sa.String(20), nullable=False),
        sa.Column("platform_product_id", sa.String(64), nullable=False),
        sa.Column("title", sa.String(300), nullable=False),
        sa.Column("group_price", sa.Numeric(12, 2), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("starter_id", sa.String(200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("reason", sa.String(40), nullable=False, server_default=""),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("group_id", name="pk_group_buys"),
    )
    op.create_index("ix_group_buys_product_id", "group_buys", ["product_id"])
    op.create_index("ix_group_buys_status", "group_buys", ["status"])
    op.create_table(
        "group_buy_members",
        sa.Column("group_id", sa.String(48), nullable=False),
        sa.Column("shopper_id", sa.String(200), nullable=False),
        sa.Column("order_id", sa.String(20), nullable=False),
        sa.Column("channel", sa.String(40), nullable=False),
        sa.Column("recipient_id", sa.String(200), nullable=False),
        sa.Column("language", sa.String(8), nullable=False),
        sa.Column("joined_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.ForeignKeyConstraint(["group_id"], ["group_buys.group_id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("group_id", "shopper_id", name="pk_group_buy_members"),
        sa.UniqueConstraint("order_id", name="uq_group_buy_members_order_id"),
    )


def downgrade() -> None:
    op.drop_table("group_buy_members")
    op.drop_index("ix_group_buys_status", table_name="group_buys")
    op.drop_index("ix_group_buys_product_id", table_name="group_buys")
    op.drop_table("group_buys")
