"""Orders, payments, payment callbacks, refunds, shipments and after-sales tickets (issue 6).

Revision ID: 0002_orders
Revises: 0001_platform
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_orders"
down_revision = "0001_platform"
branch_labels = None
depends_on = None

# Money: NUMERIC(14, 2) on PostgreSQL; text on SQLite, whose NUMERIC would store a float
# (integrations/db/orders_tables.ExactMoney reads and writes both as Decimal).
_money = sa.Numeric(14, 2, asdecimal=True).with_variant(sa.String(32), "sqlite")


def upgrade() -> None:
    op.create_table(
        "orders",
        sa.Column("id", sa.String(length=20), nullable=False),
        sa.Column("idempotency_key", sa.String(length=200), nullable=False),
        sa.Column("shopper_id", sa.String(length=200), nullable=False),
        sa.Column("channel", sa.String(length=40), nullable=False),
        sa.Column("recipient_id", sa.String(length=200), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("platform", sa.String(length=40), nullable=False),
        sa.Column("merchant", sa.String(length=100), nullable=False),
        sa.Column("total", _money, nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("savings", sa.Text(), nullable=False),
        sa.Column("receiver_name", sa.String(length=100), nullable=False),
        sa.Column("phone", sa.String(length=40), nullable=False),
        sa.Column("address", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("payment_id", sa.String(length=64), nullable=True),
        sa.Column("platform_order_id", sa.String(length=100), nullable=True),
        sa.Column("accepted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_orders")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_orders_idempotency_key")),
    )
    op.create_index("ix_orders_merchant", "orders", ["merchant"], unique=False)
    op.create_index("ix_orders_shopper_created", "orders", ["shopper_id", "created_at"], unique=False)
    op.create_index("ix_orders_status", "orders", ["status"], unique=False)
    op.create_table(
        "payment_callbacks",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("provider", sa.String(length=40), nullable=False),
        sa.Column("payment_id", sa.String(length=64), nullable=False),
        sa.Column("provider_txn_id", sa.String(length=100), nullable=False),
        sa.Column("amount", _money, nullable=False),
        sa.Column("paid", sa.Boolean(), nullable=False),
        sa.Column("method", sa.String(length=20), nullable=True),
        sa.Column("paid_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payment_callbacks")),
        sa.UniqueConstraint(
            "provider", "payment_id", "provider_txn_id", name="uq_payment_callbacks_delivery"
        ),
    )
    op.create_index("ix_payment_callbacks_status", "payment_callbacks", ["status"], unique=False)
    op.create_table(
        "aftersales_tickets",
        sa.Column("id", sa.String(length=20), nullable=False),
        sa.Column("idempotency_key", sa.String(length=200), nullable=True),
        sa.Column("order_id", sa.String(length=20), nullable=False),
        sa.Column("line_no", sa.Integer(), nullable=False),
        sa.Column("service_type", sa.String(length=20), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("photos", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=30), nullable=False),
        sa.Column("merchant", sa.String(length=100), nullable=False),
        sa.Column("shopper_id", sa.String(length=200), nullable=False),
        sa.Column("resolution", sa.Text(), nullable=False),
        sa.Column("refund_amount", _money, nullable=True),
        sa.Column("deadline_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["orders.id"],
            name=op.f("fk_aftersales_tickets_order_id_orders"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_aftersales_tickets")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_aftersales_tickets_idempotency_key")),
    )
    op.create_index(op.f("ix_aftersales_tickets_order_id"), "aftersales_tickets", ["order_id"], unique=False)
    op.create_index(
        op.f("ix_aftersales_tickets_shopper_id"), "aftersales_tickets", ["shopper_id"], unique=False
    )
    op.create_index(
        "ix_aftersales_tickets_status_deadline", "aftersales_tickets", ["status", "deadline_at"], unique=False
    )
    op.create_table(
        "order_events",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("order_id", sa.String(length=20), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("from_status", sa.String(length=20), nullable=True),
        sa.Column("to_status", sa.String(length=20), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["order_id"], ["orders.id"], name=op.f("fk_order_events_order_id_orders"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_order_events")),
    )
    op.create_index(op.f("ix_order_events_order_id"), "order_events", ["order_id"], unique=False)
    op.create_table(
        "order_lines",
        sa.Column("order_id", sa.String(length=20), nullable=False),
        sa.Column("line_no", sa.Integer(), nullable=False),
        sa.Column("product_id", sa.String(length=100), nullable=False),
        sa.Column("platform_product_id", sa.String(length=100), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("variant", sa.Text(), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("unit_price", _money, nullable=False),
        sa.ForeignKeyConstraint(
            ["order_id"], ["orders.id"], name=op.f("fk_order_lines_order_id_orders"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("order_id", "line_no", name=op.f("pk_order_lines")),
    )
    op.create_table(
        "payments",
        sa.Column("payment_id", sa.String(length=64), nullable=False),
        sa.Column("order_id", sa.String(length=20), nullable=False),
        sa.Column("provider", sa.String(length=40), nullable=False),
        sa.Column("amount", _money, nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("pay_url", sa.Text(), nullable=True),
        sa.Column("method", sa.String(length=20), nullable=True),
        sa.Column("provider_txn_id", sa.String(length=100), nullable=True),
        sa.Column("paid_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["order_id"], ["orders.id"], name=op.f("fk_payments_order_id_orders"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("payment_id", name=op.f("pk_payments")),
    )
    op.create_index(op.f("ix_payments_order_id"), "payments", ["order_id"], unique=False)
    op.create_index("ix_payments_status", "payments", ["status"], unique=False)
    op.create_table(
        "shipments",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("order_id", sa.String(length=20), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("ticket_id", sa.String(length=20), nullable=True),
        sa.Column("carrier_code", sa.String(length=40), nullable=False),
        sa.Column("tracking_number", sa.String(length=100), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("open", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["order_id"], ["orders.id"], name=op.f("fk_shipments_order_id_orders"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shipments")),
        sa.UniqueConstraint("carrier_code", "tracking_number", name="uq_shipments_parcel"),
    )
    op.create_index("ix_shipments_open", "shipments", ["open"], unique=False)
    op.create_index("ix_shipments_order", "shipments", ["order_id"], unique=False)
    op.create_table(
        "aftersales_ticket_events",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("ticket_id", sa.String(length=20), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("from_status", sa.String(length=30), nullable=True),
        sa.Column("to_status", sa.String(length=30), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["ticket_id"],
            ["aftersales_tickets.id"],
            name=op.f("fk_aftersales_ticket_events_ticket_id_aftersales_tickets"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_aftersales_ticket_events")),
    )
    op.create_index(
        op.f("ix_aftersales_ticket_events_ticket_id"), "aftersales_ticket_events", ["ticket_id"], unique=False
    )
    op.create_table(
        "refunds",
        sa.Column("refund_id", sa.String(length=64), nullable=False),
        sa.Column("payment_id", sa.String(length=64), nullable=False),
        sa.Column("amount", _money, nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["payment_id"], ["payments.payment_id"], name=op.f("fk_refunds_payment_id_payments")
        ),
        sa.PrimaryKeyConstraint("refund_id", name=op.f("pk_refunds")),
    )
    op.create_index(op.f("ix_refunds_payment_id"), "refunds", ["payment_id"], unique=False)
    op.create_table(
        "shipment_events",
        sa.Column("shipment_id", sa.String(length=40), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("time", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("location", sa.Text(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["shipment_id"],
            ["shipments.id"],
            name=op.f("fk_shipment_events_shipment_id_shipments"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("shipment_id", "seq", name=op.f("pk_shipment_events")),
    )
    op.create_table(
        "shipment_pushes",
        sa.Column("shipment_id", sa.String(length=40), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("pushed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["shipment_id"],
            ["shipments.id"],
            name=op.f("fk_shipment_pushes_shipment_id_shipments"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("shipment_id", "status", name=op.f("pk_shipment_pushes")),
    )


def downgrade() -> None:
    op.drop_table("shipment_pushes")
    op.drop_table("shipment_events")
    op.drop_index(op.f("ix_refunds_payment_id"), table_name="refunds")
    op.drop_table("refunds")
    op.drop_index(op.f("ix_aftersales_ticket_events_ticket_id"), table_name="aftersales_ticket_events")
    op.drop_table("aftersales_ticket_events")
    op.drop_index("ix_shipments_order", table_name="shipments")
    op.drop_index("ix_shipments_open", table_name="shipments")
    op.drop_table("shipments")
    op.drop_index("ix_payments_status", table_name="payments")
    op.drop_index(op.f("ix_payments_order_id"), table_name="payments")
    op.drop_table("payments")
    op.drop_table("order_lines")
    op.drop_index(op.f("ix_order_events_order_id"), table_name="order_events")
    op.drop_table("order_events")
    op.drop_index("ix_aftersales_tickets_status_deadline", table_name="aftersales_tickets")
    op.drop_index(op.f("ix_aftersales_tickets_shopper_id"), table_name="aftersales_tickets")
    op.drop_index(op.f("ix_aftersales_tickets_order_id"), table_name="aftersales_tickets")
    op.drop_table("aftersales_tickets")
    op.drop_index("ix_payment_callbacks_status", table_name="payment_callbacks")
    op.drop_table("payment_callbacks")
    op.drop_index("ix_orders_status", table_name="orders")
    op.drop_index("ix_orders_shopper_created", table_name="orders")
    op.drop_index("ix_orders_merchant", table_name="orders")
    op.drop_table("orders")
