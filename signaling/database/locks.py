"""Locks that hold across processes, for work that must not interleave (the audit chain's
next link, a schema upgrade) when several servers share one PostgreSQL database.

PostgreSQL: a transaction-scoped advisory lock, released by the commit or rollback. SQLite
has one writer at a time already, and each server process serialises its own writers.
"""

from __future__ import annotations

import hashlib

from sqlalchemy import Connection, text
from sqlalchemy.orm import Session


def _key(name: str) -> int:
    """A stable 64-bit lock number for a name, the same in every process and version."""
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)


def hold_for_transaction(db: Connection | Session, name: str) -> None:
    """Wait for, then hold until the end of ``db``'s transaction, the lock called ``name``."""
    bind = db.get_bind() if isinstance(db, Session) else db
    if bind.dialect.name == "postgresql":
        db.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _key(name)})
