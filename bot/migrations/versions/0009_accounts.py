"""Shopper accounts (issue 19): accounts (address encrypted, found by its keyed hash),
verification codes (keyed hashes only) and code requests (rate limits).

Revision ID: 0009_accounts
Revises: 0001_platform
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009_accounts"
down_revision = "0001_platform"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "accounts",
        sa.Column("id", sa.String(40), nullable=False),
        sa.Column("shopper_id", sa.String(40), nullable=False),
        sa.Column("address_kind", sa.String(8), nullable=False),
        sa.Column("address_key", sa.String(64), nullable=False),
        sa.Column("address_enc", sa.Text(), nullable=False),
        sa.Column("password_hash", sa.String(200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_accounts"),
        sa.UniqueConstraint("shopper_id", name="uq_accounts_shopper_id"),
        sa.UniqueConstraint("address_key", name="uq_accounts_address_key"),
    )
    op.create_table(
        "verification_codes",
        sa.Column("id", sa.String(40), nullable=False),
        sa.Column("address_key", sa.String(64), nullable=False),
        sa.Column("purpose", sa.String(16), nullable=False),
        sa.Column("code_hash", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("used", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.PrimaryKeyConstraint("id", name="pk_verification_codes"),
    )
    op.create_index("ix_verification_codes_address_key", "verification_codes", ["address_key"])
    op.create_table(
        "code_requests",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("counter", sa.String(100), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_code_requests"),
    )
    op.create_index("ix_code_requests_counter", "code_requests", ["counter"])


def downgrade() -> None:
    op.drop_index("ix_code_requests_counter", table_name="code_requests")
    op.drop_table("code_requests")
    op.drop_index("ix_verification_codes_address_key", table_name="verification_codes")
    op.drop_table("verification_codes")
    op.drop_table("accounts")
