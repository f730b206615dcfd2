"""Platform: conversation events, shoppers and their channel identities.

Revision ID: 0001_platform
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001_platform"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "tracker_events",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True, autoincrement=True),
        sa.Column("conversation_id", sa.String(200), nullable=False),
        sa.Column("type", sa.String(40), nullable=False),
        sa.Column("timestamp", sa.Float, nullable=False),
        sa.Column("data", sa.Text, nullable=False),
    )
    op.create_index("ix_tracker_events_conversation", "tracker_events", ["conversation_id", "id"])
    op.create_table(
        "shoppers",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("display_name", sa.String(200)),
        sa.Column("language", sa.String(8)),
        sa.Column("receiver_name", sa.String(100)),
        sa.Column("phone", sa.String(32)),
        sa.Column("address", sa.String(500)),
        sa.Column("email", sa.String(200)),
    )
    op.create_table(
        "shopper_identities",
        sa.Column("channel", sa.String(32), primary_key=True),
        sa.Column("sender_id", sa.String(200), primary_key=True),
        sa.Column("shopper_id", sa.String(40), sa.ForeignKey("shoppers.id", name="fk_shopper_identities_shopper_id_shoppers"), nullable=False),
    )
    op.create_index("ix_shopper_identities_shopper_id", "shopper_identities", ["shopper_id"])


def downgrade() -> None:
    op.drop_table("shopper_identities")
    op.drop_table("shoppers")
    op.drop_index("ix_tracker_events_conversation", table_name="tracker_events")
    op.drop_table("tracker_events")
