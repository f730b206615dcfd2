"""Tables of merchant onboarding: applications and their audit trail (issue 20)."""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, DateTime, Index, Integer, String, Table, Text

from integrations.db.base import metadata

_tz = DateTime(timezone=True)

merchant_applications = Table(
    "merchant_applications",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("company_name", String(200), nullable=False),
    Column("credit_code", String(18), nullable=False, index=True),
    Column("licence_number", String(32), nullable=False),
    Column("phone", String(32), nullable=False),
    Column("email", String(254), nullable=False),
    Column("categories", Text, nullable=False),  # JSON list
    Column("documents", Text, nullable=False),  # JSON list of {kind, number, url}
    Column("language", String(8), nullable=False),
    Column("status", String(16), nullable=False),
    Column("submitted_at", _tz, nullable=False),
    Column("updated_at", _tz, nullable=False),
    Column("status_token_hash", String(64), nullable=False, unique=True),
    Column("reviewer", String(64)),
    Column("reason", Text),
    Column("merchant_id", String(64)),
    Column("api_key_hash", String(64), unique=True),
    Column("pending_api_key", String(100)),
    Index("ix_merchant_applications_status", "status", "submitted_at"),
)

merchant_application_events = Table(
    "merchant_application_events",
    metadata,
    Column("id", BigInteger().with_variant(Integer(), "sqlite"), primary_key=True, autoincrement=True),
    Column("application_id", String(32), nullable=False, index=True),
    Column("at", _tz, nullable=False),
    Column("actor", String(64), nullable=False),
    Column("action", String(32), nullable=False),
    Column("note", Text, nullable=False),
)
