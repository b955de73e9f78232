"""The declarative base of every table the server keeps.

One ``MetaData`` for all of them, so the migrations are checked against every model at once
(``signaling.database.tables`` imports them all).
"""

from __future__ import annotations

from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    pass
