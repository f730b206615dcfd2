"""The SQLAlchemy metadata every business table of shopbot is declared on.

Tables live beside their repositories in integrations/db/*; Alembic migrations in
bot/migrations/versions/ create them (one migration per area, all children of the platform's
first revision, applied with `upgrade heads`).
"""

from __future__ import annotations

from sqlalchemy import MetaData, Numeric
from sqlalchemy.orm import DeclarativeBase

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = MetaData(naming_convention=NAMING_CONVENTION)

# Money columns: yuan with two decimals, returned as Decimal by every driver.
Money = Numeric(14, 2, asdecimal=True)


class Base(DeclarativeBase):
    metadata = metadata
