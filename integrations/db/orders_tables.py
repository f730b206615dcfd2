"""Tables of orders, payments, shipments and after-sales tickets (migration 0002_orders).

Money columns are `ExactMoney` (NUMERIC(14, 2) on PostgreSQL, text on SQLite; Decimal both ways). Unique constraints carry the
idempotency: the order's key, one inbox row per (provider, payment, transaction), one push per
(shipment, status), one refund per refund id.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.types import Numeric, TypeDecorator, TypeEngine

from integrations.db.base import metadata

TS = DateTime(timezone=True)
CENT = Decimal("0.01")


class ExactMoney(TypeDecorator[Decimal]):
    """Yuan as Decimal that never passes through float.

    PostgreSQL: NUMERIC(14, 2). SQLite has no decimal type (its NUMERIC turns text into a
    REAL, and the driver binds Decimal as float), so there the amount is kept as text.
    Binding a float raises TypeError.
    """

    impl = Numeric(14, 2, asdecimal=True)
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "sqlite":
            return dialect.type_descriptor(String(32))
        return dialect.type_descriptor(Numeric(14, 2, asdecimal=True))

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        if value is None:
            return None
        if not isinstance(value, (Decimal, int)) or isinstance(value, bool):
            raise TypeError(f"money must be Decimal, not {type(value).__name__}")
        exact = Decimal(value).quantize(CENT)
        return str(exact) if dialect.name == "sqlite" else exact

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        if value is None:
            return None
        return (value if isinstance(value, Decimal) else Decimal(str(value))).quantize(CENT)


Money = ExactMoney()

orders = Table(
    "orders",
    metadata,
    Column("id", String(20), primary_key=True),
    Column("idempotency_key", String(200), nullable=False, unique=True),
    Column("shopper_id", String(200), nullable=False),
    Column("channel", String(40), nullable=False),
    Column("recipient_id", String(200), nullable=False),
    Column("language", String(8), nullable=False),
    Column("platform", String(40), nullable=False),
    Column("merchant", String(100), nullable=False),
    Column("total", Money, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("savings", Text, nullable=False, default=""),
    Column("receiver_name", Text, nullable=False),  # envelope-encrypted (migration 0018_pii_lookup)
    Column("phone", Text, nullable=False),
    Column("address", Text, nullable=False),
    Column("status", String(20), nullable=False),
    Column("payment_id", String(64)),
    Column("platform_order_id", String(100)),
    Column("accepted_at", TS),
    Column("created_at", TS, nullable=False),
    Column("updated_at", TS, nullable=False),
    Column("checkout_id", String(40)),  # migration 0011_checkout: the orders one cart checkout made
    Index("ix_orders_shopper_created", "shopper_id", "created_at"),
    Index("ix_orders_checkout", "checkout_id"),
    Index("ix_orders_status", "status"),
    Index("ix_orders_merchant", "merchant"),
)

order_lines = Table(
    "order_lines",
    metadata,
    Column("order_id", String(20), ForeignKey("orders.id", ondelete="CASCADE"), primary_key=True),
    Column("line_no", Integer, primary_key=True),
    Column("product_id", String(100), nullable=False),
    Column("platform_product_id", String(100), nullable=False),
    Column("title", Text, nullable=False),
    Column("variant", Text, nullable=False, default="{}"),  # JSON object
    Column("quantity", Integer, nullable=False),
    Column("unit_price", Money, nullable=False),
)

order_events = Table(
    "order_events",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("order_id", String(20), ForeignKey("orders.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("at", TS, nullable=False),
    Column("from_status", String(20)),
    Column("to_status", String(20), nullable=False),
    Column("actor", String(200), nullable=False),
    Column("note", Text, nullable=False, default=""),
)

payments = Table(
    "payments",
    metadata,
    Column("payment_id", String(64), primary_key=True),
    Column("order_id", String(20), ForeignKey("orders.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("provider", String(40), nullable=False),
    Column("amount", Money, nullable=False),
    Column("status", String(20), nullable=False),
    Column("pay_url", Text),
    Column("method", String(20)),
    Column("provider_txn_id", String(100)),
    Column("paid_at", TS),
    Column("created_at", TS, nullable=False),
    Index("ix_payments_status", "status"),
)

payment_callbacks = Table(
    "payment_callbacks",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("provider", String(40), nullable=False),
    Column("payment_id", String(64), nullable=False),
    Column("provider_txn_id", String(100), nullable=False),
    Column("amount", Money, nullable=False),
    Column("paid", Boolean, nullable=False),
    Column("method", String(20)),
    Column("paid_at", TS),
    Column("status", String(20), nullable=False),  # received, applied, ignored, amount_mismatch
    Column("received_at", TS, nullable=False),
    UniqueConstraint("provider", "payment_id", "provider_txn_id", name="uq_payment_callbacks_delivery"),
    Index("ix_payment_callbacks_status", "status"),
)

refunds = Table(
    "refunds",
    metadata,
    Column("refund_id", String(64), primary_key=True),
    Column("payment_id", String(64), ForeignKey("payments.payment_id"), nullable=False, index=True),
    Column("amount", Money, nullable=False),
    Column("status", String(20), nullable=False),  # requested, processing, success, failed
    Column("reason", Text, nullable=False, default=""),
    Column("created_at", TS, nullable=False),
    Column("order_id", String(20)),  # migration 0011_checkout: the order of a payment several orders share
)

shipments = Table(
    "shipments",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("order_id", String(20), ForeignKey("orders.id", ondelete="CASCADE"), nullable=False),
    Column("kind", String(20), nullable=False),  # delivery, return
    Column("ticket_id", String(20)),
    Column("carrier_code", String(40), nullable=False),
    Column("tracking_number", String(100), nullable=False),
    Column("status", String(20), nullable=False),
    Column("open", Boolean, nullable=False),
    Column("created_at", TS, nullable=False),
    Column("updated_at", TS, nullable=False),
    UniqueConstraint("carrier_code", "tracking_number", name="uq_shipments_parcel"),
    Index("ix_shipments_order", "order_id"),
    Index("ix_shipments_open", "open"),
)

shipment_events = Table(
    "shipment_events",
    metadata,
    Column("shipment_id", String(40), ForeignKey("shipments.id", ondelete="CASCADE"), primary_key=True),
    Column("seq", Integer, primary_key=True),
    Column("time", TS, nullable=False),
    Column("status", String(20), nullable=False),
    Column("location", Text, nullable=False),
    Column("description", Text, nullable=False),
)

shipment_pushes = Table(
    "shipment_pushes",
    metadata,
    Column("shipment_id", String(40), ForeignKey("shipments.id", ondelete="CASCADE"), primary_key=True),
    Column("status", String(20), primary_key=True),
    Column("pushed_at", TS, nullable=False),
)

tickets = Table(
    "aftersales_tickets",
    metadata,
    Column("id", String(20), primary_key=True),
    Column("idempotency_key", String(200), unique=True),
    Column("order_id", String(20), ForeignKey("orders.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("line_no", Integer, nullable=False),
    Column("quantity", Integer, nullable=False, server_default="1"),  # migration 0008_ticket_quantity
    Column("service_type", String(20), nullable=False),
    Column("reason", Text, nullable=False),
    Column("photos", Text, nullable=False, default="[]"),  # JSON list of URLs
    Column("status", String(30), nullable=False),
    Column("merchant", String(100), nullable=False),
    Column("shopper_id", String(200), nullable=False, index=True),
    Column("resolution", Text, nullable=False, default=""),
    Column("refund_amount", Money),
    Column("return_address", Text, nullable=False, server_default=""),  # migration 0019_return_parcels
    Column("return_carrier", String(8), nullable=False, server_default=""),
    Column("return_tracking_number", String(40), nullable=False, server_default=""),
    Column("deadline_at", TS, nullable=False),
    Column("created_at", TS, nullable=False),
    Column("updated_at", TS, nullable=False),
    Index("ix_aftersales_tickets_status_deadline", "status", "deadline_at"),
)

merchant_return_addresses = Table(  # migration 0019_return_parcels
    "merchant_return_addresses",
    metadata,
    Column("merchant", String(128), primary_key=True),
    Column("address", Text, nullable=False),
    Column("updated_at", TS, nullable=False),
)

ticket_events = Table(
    "aftersales_ticket_events",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column(
        "ticket_id",
        String(20),
        ForeignKey("aftersales_tickets.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    Column("at", TS, nullable=False),
    Column("from_status", String(30)),
    Column("to_status", String(30), nullable=False),
    Column("actor", String(200), nullable=False),
    Column("note", Text, nullable=False, default=""),
)
