"""Cart lines per shopper (issue 18.1).

Revision ID: 0007_cart
Revises: 0001_platform
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007_cart"
down_revision = "0001_platform"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "cart_lines",
        sa.Column("line_id", sa.String(40), nullable=False),
        sa.Column("shopper_id", sa.String(40), nullable=False),
        sa.Column("product_id", sa.String(100), nullable=False),
        sa.Column("platform", sa.String(32), nullable=False),
        sa.Column("title", sa.String(300), nullable=False),
        sa.Column("variant", sa.String(300), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("line_id", name="pk_cart_lines"),
        sa.UniqueConstraint("shopper_id", "product_id", "platform", "variant", name="uq_cart_lines_offer"),
    )
    op.create_index("ix_cart_lines_shopper_id", "cart_lines", ["shopper_id"])


def downgrade() -> None:
    op.drop_index("ix_cart_lines_shopper_id", table_name="cart_lines")
    op.drop_table("cart_lines")
