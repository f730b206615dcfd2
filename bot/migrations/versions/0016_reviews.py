"""Shoppers' ratings and reviews of what they bought (issue 20.5).

Revision ID: 0016_reviews
Revises: 0001_platform
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016_reviews"
down_revision = "0001_platform"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "reviews",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("order_id", sa.String(20), nullable=False),
        sa.Column("line_no", sa.Integer(), nullable=False),
        sa.Column("product_id", sa.String(100), nullable=False),
        sa.Column("platform", sa.String(40), nullable=False),
        sa.Column("merchant", sa.String(128), nullable=False),
        sa.Column("shopper_id", sa.String(200), nullable=False),
        sa.Column("product_stars", sa.Integer(), nullable=False),
        sa.Column("merchant_stars", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("language", sa.String(8), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_reviews"),
        sa.UniqueConstraint("order_id", "line_no", name="uq_reviews_order_line"),
    )
    op.create_index("ix_reviews_product", "reviews", ["product_id", "at"])
    op.create_index("ix_reviews_merchant", "reviews", ["merchant"])


def downgrade() -> None:
    op.drop_table("reviews")
