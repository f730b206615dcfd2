"""After-sales tickets record how many of the line's items they are about (issue 17.6).

Revision ID: 0008_ticket_quantity
Revises: 0002_orders
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008_ticket_quantity"
down_revision = "0002_orders"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("aftersales_tickets") as batch:
        batch.add_column(sa.Column("quantity", sa.Integer(), nullable=False, server_default="1"))


def downgrade() -> None:
    with op.batch_alter_table("aftersales_tickets") as batch:
        batch.drop_column("quantity")
