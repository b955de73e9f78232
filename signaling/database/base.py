"""The declarative base of every table the server keeps, and how their enum columns look.

One ``MetaData`` for all of them, so the migrations are checked against every model at once
(``signaling.tables`` imports them all).
"""

from __future__ import annotations

from enum import StrEnum

from sqlalchemy import Enum
from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    pass


def enum_column(enum: type[StrEnum]) -> Enum:
    """An enum stored as its values in a short string column, checked on write: the same on
    SQLite and PostgreSQL, and a new member needs no ``ALTER TYPE``."""
    return Enum(
        enum,
        native_enum=False,
        validate_strings=True,
        length=32,
        values_callable=lambda members: [m.value for m in members],
    )
