"""Tables of the support console: staff accounts, their sessions, handoff requests and notes."""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, DateTime, ForeignKey, Index, Integer, String, Table, Text

from integrations.db.base import metadata

_tz = DateTime(timezone=True)

staff = Table(
    "staff",
    metadata,
    Column("username", String(64), primary_key=True),
    Column("role", String(32), nullable=False),
    Column("password_hash", String(200), nullable=False),
    Column("display_name", String(100), nullable=False),
    Column("created_at", _tz, nullable=False),
)

staff_teams = Table(  # migration 0019_staff_teams
    "staff_teams",
    metadata,
    Column("username", String(64), ForeignKey("staff.username", ondelete="CASCADE"), primary_key=True),
    Column("team", String(32), primary_key=True),
)

staff_sessions = Table(
    "staff_sessions",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("username", String(64), nullable=False, index=True),
    Column("csrf_token", String(64), nullable=False),
    Column("expires_at", _tz, nullable=False),
)

handoffs = Table(
    "handoffs",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("conversation_id", String(200), nullable=False),
    Column("channel", String(32), nullable=False),
    Column("recipient_id", String(200), nullable=False),
    Column("language", String(8), nullable=False),
    Column("reason", String(64), nullable=False),
    Column("requested_at", _tz, nullable=False),
    Column("agent_id", String(64)),
    Column("assigned_at", _tz),
    Column("closed_at", _tz),
    Column("outcome", String(16)),
    Column("team", String(32)),
    Column("first_response_at", _tz),
    Column("rating", Integer),
    Column("rating_comment", Text),
    Index("ix_handoffs_open", "closed_at", "requested_at"),
    Index("ix_handoffs_conversation", "conversation_id"),
)

handoff_notes = Table(
    "handoff_notes",
    metadata,
    Column("id", BigInteger().with_variant(Integer(), "sqlite"), primary_key=True, autoincrement=True),
    Column("handoff_id", String(32), nullable=False, index=True),
    Column("conversation_id", String(200), nullable=False, index=True),
    Column("author", String(64), nullable=False),
    Column("text", Text, nullable=False),
    Column("created_at", _tz, nullable=False),
)

staff_audit = Table(
    "staff_audit",
    metadata,
    Column("id", BigInteger().with_variant(Integer(), "sqlite"), primary_key=True, autoincrement=True),
    Column("at", _tz, nullable=False, index=True),
    Column("actor", String(64), nullable=False, index=True),
    Column("action", String(32), nullable=False),
    Column("subject", String(200), nullable=False),
    Column("detail", Text, nullable=False),
)
