"""One checkout of a cart across stores: its orders share one payment (issue 18.2).

Orders record the checkout they belong to; refunds record which order of a shared payment
they give back for.

Revision ID: 0011_checkout
Revises: 0002_orders
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011_checkout"
down_revision = "0002_orders"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("orders") as batch:
        batch.add_column(sa.Column("checkout_id", sa.String(40), nullable=True))
        batch.create_index("ix_orders_checkout", ["checkout_id"])
    with op.batch_alter_table("refunds") as batch:
        batch.add_column(sa.Column("order_id", sa.String(20), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("refunds") as batch:
        batch.drop_column("order_id")
    with op.batch_alter_table("orders") as batch:
        batch.drop_index("ix_orders_checkout")
        batch.drop_column("checkout_id")
