"""Spot checks of merchants' products, delistings with appeals, merchant standing (issue 20.3, 20.4).

Revision ID: 0015_spot_checks
Revises: 0001_platform
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015_spot_checks"
down_revision = "0001_platform"
branch_labels = None
depends_on = None

_tz = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "spot_checks",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("merchant", sa.String(128), nullable=False),
        sa.Column("platform", sa.String(32), nullable=False),
        sa.Column("product_id", sa.String(64), nullable=False),
        sa.Column("platform_product_id", sa.String(128), nullable=False),
        sa.Column("title", sa.String(300), nullable=False),
        sa.Column("category", sa.String(64), nullable=False),
        sa.Column("risk", sa.Float(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created_at", _tz, nullable=False),
        sa.Column("reviewer", sa.String(64)),
        sa.Column("reason", sa.Text()),
        sa.Column("decided_at", _tz),
        sa.PrimaryKeyConstraint("id", name="pk_spot_checks"),
    )
    op.create_index("ix_spot_checks_status", "spot_checks", ["status", "created_at"])
    op.create_index("ix_spot_checks_merchant", "spot_checks", ["merchant"])
    op.create_table(
        "delistings",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("merchant", sa.String(128), nullable=False),
        sa.Column("platform", sa.String(32), nullable=False),
        sa.Column("product_id", sa.String(64), nullable=False),
        sa.Column("platform_product_id", sa.String(128), nullable=False),
        sa.Column("title", sa.String(300), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("by", sa.String(64), nullable=False),
        sa.Column("at", _tz, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("check_id", sa.String(32)),
        sa.Column("appeal", sa.Text()),
        sa.Column("appealed_at", _tz),
        sa.Column("decision_note", sa.Text()),
        sa.Column("decided_by", sa.String(64)),
        sa.PrimaryKeyConstraint("id", name="pk_delistings"),
    )
    op.create_index("ix_delistings_merchant", "delistings", ["merchant"])
    op.create_index("ix_delistings_status", "delistings", ["status"])
    op.create_table(
        "merchant_standing",
        sa.Column("merchant", sa.String(128), nullable=False),
        sa.Column("suspended", sa.Boolean(), nullable=False),
        sa.Column("reason", sa.Text()),
        sa.PrimaryKeyConstraint("merchant", name="pk_merchant_standing"),
    )


def downgrade() -> None:
    op.drop_table("merchant_standing")
    op.drop_table("delistings")
    op.drop_table("spot_checks")
