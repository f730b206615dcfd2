"""Tables of spot checks, delistings and merchant standing (issue 20.3, 20.4).

Created by the Alembic migration bot/migrations/versions/0015_spot_checks.py.
"""

from __future__ import annotations

from sqlalchemy import Boolean, Column, DateTime, Float, Index, String, Table, Text

from integrations.db.base import metadata

_tz = DateTime(timezone=True)

spot_checks = Table(
    "spot_checks",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("merchant", String(128), nullable=False),
    Column("platform", String(32), nullable=False),
    Column("product_id", String(64), nullable=False),
    Column("platform_product_id", String(128), nullable=False),
    Column("title", String(300), nullable=False),
    Column("category", String(64), nullable=False),
    Column("risk", Float, nullable=False),
    Column("status", String(16), nullable=False),
    Column("created_at", _tz, nullable=False),
    Column("reviewer", String(64)),
    Column("reason", Text),
    Column("decided_at", _tz),
    Index("ix_spot_checks_status", "status", "created_at"),
    Index("ix_spot_checks_merchant", "merchant"),
)

delistings = Table(
    "delistings",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("merchant", String(128), nullable=False),
    Column("platform", String(32), nullable=False),
    Column("product_id", String(64), nullable=False),
    Column("platform_product_id", String(128), nullable=False),
    Column("title", String(300), nullable=False),
    Column("reason", Text, nullable=False),
    Column("by", String(64), nullable=False),
    Column("at", _tz, nullable=False),
    Column("status", String(16), nullable=False),
    Column("check_id", String(32)),
    Column("appeal", Text),
    Column("appealed_at", _tz),
    Column("decision_note", Text),
    Column("decided_by", String(64)),
    Index("ix_delistings_merchant", "merchant"),
    Index("ix_delistings_status", "status"),
)

merchant_standing = Table(
    "merchant_standing",
    metadata,
    Column("merchant", String(128), primary_key=True),
    Column("suspended", Boolean, nullable=False),
    Column("reason", Text),
)
