"""Shoppers' personal fields hold envelope-encrypted values (issue 19.4): text columns.

Revision ID: 0010_shopper_pii
Revises: 0001_platform
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010_shopper_pii"
down_revision = "0001_platform"
branch_labels = None
depends_on = None

COLUMNS = {"receiver_name": 100, "phone": 32, "address": 500, "email": 200}


def upgrade() -> None:
    with op.batch_alter_table("shoppers") as batch:
        for name, length in COLUMNS.items():
            batch.alter_column(name, type_=sa.Text(), existing_type=sa.String(length), existing_nullable=True)


def downgrade() -> None:
    with op.batch_alter_table("shoppers") as batch:
        for name, length in COLUMNS.items():
            batch.alter_column(name, type_=sa.String(length), existing_type=sa.Text(), existing_nullable=True)
