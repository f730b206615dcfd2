"""Shoppers are found by a keyed hash of their phone number (issue 19.4): the console's search by
a full phone number works on the encrypted table. Rows written before are given their hash by
`shopbot keys rotate` (the hash key is the application's, not the migration's).

Revision ID: 0018_pii_lookup
Revises: 0010_shopper_pii
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0018_pii_lookup"
down_revision = "0010_shopper_pii"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("shoppers") as batch:
        batch.add_column(sa.Column("phone_key", sa.String(64), nullable=True))
    op.create_index("ix_shoppers_phone_key", "shoppers", ["phone_key"])


def downgrade() -> None:
    op.drop_index("ix_shoppers_phone_key", table_name="shoppers")
    with op.batch_alter_table("shoppers") as batch:
        batch.drop_column("phone_key")
