"""Price alerts and price history (issue 9).

Revision ID: 0003_alerts
Revises: 0001_platform
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_alerts"
down_revision = "0001_platform"
branch_labels = None
depends_on = None

_money = sa.Numeric(14, 2, asdecimal=True)
_tz = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "price_history",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True, autoincrement=True
        ),
        sa.Column("product_id", sa.String(64), nullable=False),
        sa.Column("platform", sa.String(32), nullable=False),
        sa.Column("price", _money, nullable=False),
        sa.Column("seen_at", _tz, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_price_history"),
    )
    op.create_index(
        "ix_price_history_product_platform_seen", "price_history", ["product_id", "platform", "seen_at"]
    )
    op.create_table(
        "product_prices",
        sa.Column("product_id", sa.String(64), nullable=False),
        sa.Column("platform", sa.String(32), nullable=False),
        sa.Column("platform_product_id", sa.String(128), nullable=False),
        sa.Column("price", _money, nullable=False),
        sa.Column("seen_at", _tz, nullable=False),
        sa.Column("available", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("product_id", "platform", name="pk_product_prices"),
    )
    op.create_table(
        "price_alerts",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("shopper_id", sa.String(128), nullable=False),
        sa.Column("channel", sa.String(32), nullable=False),
        sa.Column("recipient_id", sa.String(128), nullable=False),
        sa.Column("language", sa.String(8), nullable=False),
        sa.Column("product_id", sa.String(64), nullable=False),
        sa.Column("product_title", sa.String(256), nullable=False),
        sa.Column("platform", sa.String(32), nullable=False),
        sa.Column("target_price", _money, nullable=False),
        sa.Column("percent_drop", sa.Numeric(5, 2), nullable=True),
        sa.Column("base_price", _money, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created_at", _tz, nullable=False),
        sa.Column("expires_at", _tz, nullable=False),
        sa.Column("last_notified_at", _tz, nullable=True),
        sa.Column("triggered_price", _money, nullable=True),
        sa.Column("notify_count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_price_alerts"),
    )
    op.create_index(
        "ix_price_alerts_product_platform_status", "price_alerts", ["product_id", "platform", "status"]
    )
    op.create_index("ix_price_alerts_shopper_status", "price_alerts", ["shopper_id", "status"])
    op.create_index("ix_price_alerts_status_expires", "price_alerts", ["status", "expires_at"])


def downgrade() -> None:
    op.drop_table("price_alerts")
    op.drop_table("product_prices")
    op.drop_table("price_history")
