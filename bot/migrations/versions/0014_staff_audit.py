"""The staff audit trail: every sensitive console action, who and when (issue 17.7).

Revision ID: 0014_staff_audit
Revises: 0004_console
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014_staff_audit"
down_revision = "0004_console"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "staff_audit",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(64), nullable=False),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("subject", sa.String(200), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_staff_audit"),
    )
    op.create_index("ix_staff_audit_at", "staff_audit", ["at"])
    op.create_index("ix_staff_audit_actor", "staff_audit", ["actor"])


def downgrade() -> None:
    op.drop_table("staff_audit")
