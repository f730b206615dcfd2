"""Return parcels (issue 17.6): merchants' return addresses; an approved return, exchange or repair
keeps the address it was given and the shopper's parcel (carrier, tracking number).

Revision ID: 0019_return_parcels
Revises: 0008_ticket_quantity
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0019_return_parcels"
down_revision = "0008_ticket_quantity"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("aftersales_tickets") as batch:
        batch.add_column(sa.Column("return_address", sa.Text(), nullable=False, server_default=""))
        batch.add_column(sa.Column("return_carrier", sa.String(8), nullable=False, server_default=""))
        batch.add_column(sa.Column("return_tracking_number", sa.String(40), nullable=False, server_default=""))
    op.create_table(
        "merchant_return_addresses",
        sa.Column("merchant", sa.String(128), nullable=False),
        sa.Column("address", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("merchant"),
    )


def downgrade() -> None:
    op.drop_table("merchant_return_addresses")
    with op.batch_alter_table("aftersales_tickets") as batch:
        batch.drop_column("return_tracking_number")
        batch.drop_column("return_carrier")
        batch.drop_column("return_address")
