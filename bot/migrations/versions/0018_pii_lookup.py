"""Personal data at rest (issue 19.4): shoppers are found by a keyed hash of their phone number
(`shoppers.phone_key`: the console's search by a full phone number on the encrypted table);
the orders' receiver name, phone and address hold envelope-encrypted values (text columns).

Data migration: given the application's cipher (`bot.db.upgrade(engine, cipher)`, as the app
does at start), the orders' personal fields and the stored transcript events written before
are encrypted here; without one (`shopbot db upgrade`) `shopbot keys rotate` does it, and
also gives saved phones their hash (the hash key is the application's).

Revision ID: 0018_pii_lookup
Revises: 0010_shopper_pii
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0018_pii_lookup"
down_revision = "0010_shopper_pii"
branch_labels = None
depends_on = "0011_checkout"  # the orders table as it is now

ORDER_COLUMNS = {"receiver_name": 100, "phone": 40}
BATCH = 500


def _encrypt_orders(conn: Any, cipher: Any) -> None:
    orders = sa.table("orders", sa.column("id"), sa.column("receiver_name"), sa.column("phone"), sa.column("address"))
    fields = ("receiver_name", "phone", "address")
    after = ""
    while True:
        rows = conn.execute(sa.select(orders).where(orders.c.id > after).order_by(orders.c.id).limit(BATCH)).mappings().all()
        for row in rows:
            values = {f: cipher.encrypt(row[f]) for f in fields if row[f] and not row[f].startswith("v1.")}
            if values:
                conn.execute(orders.update().where(orders.c.id == row["id"]).values(**values))
        if len(rows) < BATCH:
            return
        after = rows[-1]["id"]


def _encrypt_transcripts(conn: Any, cipher: Any) -> None:
    events = sa.table("tracker_events", sa.column("id"), sa.column("data"))
    after = -1
    while True:
        rows = conn.execute(sa.select(events).where(events.c.id > after).order_by(events.c.id).limit(BATCH)).all()
        for row_id, data in rows:
            if data.startswith("{"):
                conn.execute(events.update().where(events.c.id == row_id).values(data=cipher.encrypt(data)))
        if len(rows) < BATCH:
            return
        after = rows[-1][0]


def upgrade() -> None:
    with op.batch_alter_table("shoppers") as batch:
        batch.add_column(sa.Column("phone_key", sa.String(64), nullable=True))
    op.create_index("ix_shoppers_phone_key", "shoppers", ["phone_key"])
    with op.batch_alter_table("orders") as batch:
        for name, length in ORDER_COLUMNS.items():
            batch.alter_column(name, type_=sa.Text(), existing_type=sa.String(length), existing_nullable=False)
    cipher = op.get_context().config.attributes.get("cipher")
    if cipher is not None:
        conn = op.get_bind()
        _encrypt_orders(conn, cipher)
        _encrypt_transcripts(conn, cipher)


def downgrade() -> None:
    with op.batch_alter_table("orders") as batch:
        for name, length in ORDER_COLUMNS.items():
            batch.alter_column(name, type_=sa.String(length), existing_type=sa.Text(), existing_nullable=False)
    op.drop_index("ix_shoppers_phone_key", table_name="shoppers")
    with op.batch_alter_table("shoppers") as batch:
        batch.drop_column("phone_key")
