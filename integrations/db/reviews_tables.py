"""Shoppers' reviews of order lines (issue 20.5); created by bot/migrations/versions/0016_reviews.py."""

from __future__ import annotations

from sqlalchemy import Column, DateTime, Index, Integer, String, Table, Text, UniqueConstraint

from integrations.db.base import metadata

reviews = Table(
    "reviews",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("order_id", String(20), nullable=False),
    Column("line_no", Integer, nullable=False),
    Column("product_id", String(100), nullable=False),
    Column("platform", String(40), nullable=False),
    Column("merchant", String(128), nullable=False),
    Column("shopper_id", String(200), nullable=False),
    Column("product_stars", Integer, nullable=False),
    Column("merchant_stars", Integer, nullable=False),
    Column("text", Text, nullable=False),
    Column("language", String(8), nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("photos", Text, nullable=False, server_default="[]"),  # migration 0019_review_photos: JSON list
    UniqueConstraint("order_id", "line_no", name="uq_reviews_order_line"),
    Index("ix_reviews_product", "product_id", "at"),
    Index("ix_reviews_merchant", "merchant"),
)
