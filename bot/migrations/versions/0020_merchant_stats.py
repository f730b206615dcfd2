"""Each merchant's record stored (`merchant_stats`): ratings, complaints, failed spot checks and
shipments counted as they happen, so reading the merchants' scores is one small query instead
of a scan of every order and shipment every few seconds. Filled here from the rows already kept.

Revision ID: 0020_merchant_stats
Revises: 0016_reviews
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from alembic import op

revision = "0020_merchant_stats"
down_revision = "0016_reviews"
branch_labels = None
depends_on = ("0002_orders", "0015_spot_checks")

COUNTS = ("ratings", "rating_stars", "complaints", "failed_checks", "shipped", "shipped_late")
SHIP_WITHIN = timedelta(hours=48)  # as integrations/db/merchant_stats.py


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def upgrade() -> None:
    stats = op.create_table(
        "merchant_stats",
        sa.Column("merchant", sa.String(128), nullable=False),
        *(sa.Column(name, sa.Integer(), nullable=False, server_default="0") for name in COUNTS),
        sa.PrimaryKeyConstraint("merchant", name="pk_merchant_stats"),
    )
    at = sa.DateTime(timezone=True)
    reviews = sa.table("reviews", sa.column("merchant", sa.String), sa.column("merchant_stars", sa.Integer))
    tickets = sa.table("aftersales_tickets", sa.column("merchant", sa.String), sa.column("service_type", sa.String))
    checks = sa.table("spot_checks", sa.column("merchant", sa.String), sa.column("status", sa.String))
    orders = sa.table("orders", sa.column("id", sa.String), sa.column("merchant", sa.String),
                      sa.column("created_at", at))
    shipments = sa.table("shipments", sa.column("order_id", sa.String), sa.column("kind", sa.String),
                         sa.column("created_at", at))
    bind = op.get_bind()
    rows: dict[str, dict[str, int]] = {}

    def add(merchant: str | None, **counts: int) -> None:
        if merchant:
            row = rows.setdefault(merchant, dict.fromkeys(COUNTS, 0))
            for name, n in counts.items():
                row[name] += int(n)

    for merchant, n, stars in bind.execute(sa.select(reviews.c.merchant, sa.func.count(),
                                                     sa.func.sum(reviews.c.merchant_stars))
                                           .group_by(reviews.c.merchant)):
        add(merchant, ratings=n, rating_stars=stars or 0)
    for merchant, n in bind.execute(sa.select(tickets.c.merchant, sa.func.count())
                                    .where(tickets.c.service_type == "complaint").group_by(tickets.c.merchant)):
        add(merchant, complaints=n)
    for merchant, n in bind.execute(sa.select(checks.c.merchant, sa.func.count())
                                    .where(checks.c.status == "failed").group_by(checks.c.merchant)):
        add(merchant, failed_checks=n)
    shipped = sa.select(orders.c.merchant, orders.c.created_at, sa.func.min(shipments.c.created_at)).join(
        shipments, shipments.c.order_id == orders.c.id).where(shipments.c.kind == "delivery").group_by(
        orders.c.id, orders.c.merchant, orders.c.created_at)
    for merchant, ordered, first in bind.execute(shipped):
        add(merchant, shipped=1, shipped_late=int(_utc(first) - _utc(ordered) > SHIP_WITHIN))
    if rows:
        op.bulk_insert(stats, [{"merchant": m, **counts} for m, counts in rows.items()])


def downgrade() -> None:
    op.drop_table("merchant_stats")
