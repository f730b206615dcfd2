"""A shopper's review may carry photos (issue 20.5): their URL paths, as a JSON list.

Revision ID: 0019_review_photos
Revises: 0016_reviews
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0019_review_photos"
down_revision = "0016_reviews"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("reviews") as batch:
        batch.add_column(sa.Column("photos", sa.Text(), nullable=False, server_default="[]"))


def downgrade() -> None:
    with op.batch_alter_table("reviews") as batch:
        batch.drop_column("photos")
