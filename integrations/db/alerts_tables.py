"""Tables of the price alerts and the price history (issue 9), declared on the shared metadata.

* `price_history`: append-only log of every price seen, indexed by (product_id, platform, seen_at).
  An unchanged price is re-logged at most once per `min_interval` (see `SqlPriceHistory`),
  so the log grows with price changes, not with searches.
* `product_prices`: the latest price of each (product, platform) and whether the platform still
  lists it; the set-based alert evaluation joins alerts with this snapshot.
* `price_alerts`: one subscription; `platform` is "any" when the shopper does not care where.

Created by the Alembic migration bot/migrations/versions/0003_alerts.py.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Index,
    Integer,
    Numeric,
    String,
    Table,
)

from integrations.db.base import Money, metadata

# SQLite only autoincrements an INTEGER PRIMARY KEY.
_BigId = BigInteger().with_variant(Integer(), "sqlite")

price_history = Table(
    "price_history",
    metadata,
    Column("id", _BigId, primary_key=True, autoincrement=True),
    Column("product_id", String(64), nullable=False),
    Column("platform", String(32), nullable=False),
    Column("price", Money, nullable=False),
    Column("seen_at", DateTime(timezone=True), nullable=False),
    Index("ix_price_history_product_platform_seen", "product_id", "platform", "seen_at"),
)

product_prices = Table(
    "product_prices",
    metadata,
    Column("product_id", String(64), primary_key=True),
    Column("platform", String(32), primary_key=True),
    Column("platform_product_id", String(128), nullable=False),
    Column("price", Money, nullable=False),
    Column("seen_at", DateTime(timezone=True), nullable=False),
    Column("available", Boolean, nullable=False, default=True),
)

price_alerts = Table(
    "price_alerts",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("shopper_id", String(128), nullable=False),
    Column("channel", String(32), nullable=False),
    Column("recipient_id", String(128), nullable=False),
    Column("language", String(8), nullable=False),
    Column("product_id", String(64), nullable=False),
    Column("product_title", String(256), nullable=False, default=""),
    Column("platform", String(32), nullable=False),  # a platform, or "any"
    Column("target_price", Money, nullable=False),
    Column("percent_drop", Numeric(5, 2), nullable=True),
    Column("base_price", Money, nullable=False),  # the current price when the alert was set
    Column("status", String(16), nullable=False),  # active, triggered, expired, cancelled
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Column("last_notified_at", DateTime(timezone=True), nullable=True),
    Column("triggered_price", Money, nullable=True),
    Column("notify_count", Integer, nullable=False, default=0),
    # evaluation walks product ids in keyset batches and joins on (product_id, platform)
    Index("ix_price_alerts_product_platform_status", "product_id", "platform", "status"),
    Index("ix_price_alerts_shopper_status", "shopper_id", "status"),
    Index("ix_price_alerts_status_expires", "status", "expires_at"),
)
