"""Shoppers' personal fields hold envelope-encrypted values (issue 19.4): text columns; web
sessions of shopper accounts (issue 19.5).

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
    op.create_table(
        "account_sessions",
        sa.Column("id_hash", sa.String(64), nullable=False),
        sa.Column("account_id", sa.String(40), nullable=False),
        sa.Column("csrf_token", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id_hash", name="pk_account_sessions"),
    )
    op.create_index("ix_account_sessions_account_id", "account_sessions", ["account_id"])


def downgrade() -> None:
    op.drop_index("ix_account_sessions_account_id", table_name="account_sessions")
    op.drop_table("account_sessions")
    with op.batch_alter_table("shoppers") as batch:
        for name, length in COLUMNS.items():
            batch.alter_column(name, type_=sa.String(length), existing_type=sa.Text(), existing_nullable=True)
