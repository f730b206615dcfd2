"""Merchant onboarding: applications and their audit trail; staff roles up to 32 characters
(the merchant_reviewer role) (issue 20).

Revision ID: 0006_merchants
Revises: 0001_platform
Depends on: 0004_console (widens staff.role)
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_merchants"
down_revision = "0001_platform"
branch_labels = None
depends_on = "0004_console"

_tz = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "merchant_applications",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("company_name", sa.String(200), nullable=False),
        sa.Column("credit_code", sa.String(18), nullable=False),
        sa.Column("licence_number", sa.String(32), nullable=False),
        sa.Column("phone", sa.String(32), nullable=False),
        sa.Column("email", sa.String(254), nullable=False),
        sa.Column("categories", sa.Text(), nullable=False),
        sa.Column("documents", sa.Text(), nullable=False),
        sa.Column("language", sa.String(8), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("submitted_at", _tz, nullable=False),
        sa.Column("updated_at", _tz, nullable=False),
        sa.Column("status_token_hash", sa.String(64), nullable=False),
        sa.Column("reviewer", sa.String(64)),
        sa.Column("reason", sa.Text()),
        sa.Column("merchant_id", sa.String(64)),
        sa.Column("api_key_hash", sa.String(64)),
        sa.Column("pending_api_key", sa.String(100)),
        sa.PrimaryKeyConstraint("id", name="pk_merchant_applications"),
        sa.UniqueConstraint("status_token_hash", name="uq_merchant_applications_status_token_hash"),
        sa.UniqueConstraint("api_key_hash", name="uq_merchant_applications_api_key_hash"),
    )
    op.create_index("ix_merchant_applications_credit_code", "merchant_applications", ["credit_code"])
    op.create_index("ix_merchant_applications_status", "merchant_applications", ["status", "submitted_at"])
    op.create_table(
        "merchant_application_events",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("application_id", sa.String(32), nullable=False),
        sa.Column("at", _tz, nullable=False),
        sa.Column("actor", sa.String(64), nullable=False),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_merchant_application_events"),
    )
    op.create_index("ix_merchant_application_events_application_id", "merchant_application_events",
                    ["application_id"])
    if op.get_bind().dialect.name != "sqlite":  # SQLite does not enforce VARCHAR lengths
        op.alter_column("staff", "role", type_=sa.String(32), existing_type=sa.String(16), existing_nullable=False)


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        op.alter_column("staff", "role", type_=sa.String(16), existing_type=sa.String(32), existing_nullable=False)
    op.drop_table("merchant_application_events")
    op.drop_table("merchant_applications")
