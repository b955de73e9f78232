"""Audit storage through SQLAlchemy: SQLite in the data directory by default (WAL), or any
database URL such as PostgreSQL. Calls are short and synchronous; the recorder runs them in
a worker thread so the event loop never waits on the disk.

Every write is one statement on named columns (never read, modify, write back), so writes
from different threads to the same record cannot lose each other's changes.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, create_engine, delete, event, select, update
from sqlalchemy.orm import InstrumentedAttribute, Session, sessionmaker

from signaling.audit.models import GRANTED_COLUMNS, USED_COLUMNS, Base, Outcome, SessionRecord

EXPORTED_FIELDS = (
    "id", "helper_upn", "helper_oid", "sharer_upn", "sharer_oid", "device_name",
    "source_address", "started_at", "consent_at", "ended_at", "outcome", "end_reason",
    "attempts",
)  # fmt: skip


@dataclass(frozen=True)
class AuditFilter:
    since: datetime | None = None
    until: datetime | None = None
    helper: str | None = None
    sharer: str | None = None
    outcome: Outcome | None = None
    limit: int = 500


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _aware(value: datetime | None) -> datetime | None:
    # SQLite hands datetimes back naive; they were stored in UTC.
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value


class AuditStore:
    def __init__(self, url: str) -> None:
        self.engine: Engine = create_engine(url, pool_pre_ping=True)
        if self.engine.dialect.name == "sqlite":
            event.listen(self.engine, "connect", _sqlite_pragmas)
        Base.metadata.create_all(self.engine)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    def open(self, started_at: datetime | None = None, **fields: Any) -> str:
        record_id = uuid.uuid4().hex
        with self._sessions.begin() as db:
            started = started_at or datetime.now(UTC)
            db.add(SessionRecord(id=record_id, started_at=started, **fields))
        return record_id

    def set(self, record_id: str, **fields: Any) -> None:
        """Set these columns, and only these, of one record."""
        self._update(record_id, fields)

    def flag(self, record_id: str, *columns: InstrumentedAttribute[bool]) -> None:
        """Set boolean facts (a level granted, a feature used); never clears one."""
        self._update(record_id, {column.key: True for column in columns})

    def count_attempt(self, record_id: str, at: datetime) -> None:
        """One more refused attempt in a summary row, counted by the database itself."""
        self._update(record_id, {"attempts": SessionRecord.attempts + 1, "ended_at": at})

    def _update(self, record_id: str, values: dict[str, Any]) -> None:
        with self._sessions.begin() as db:
            db.execute(update(SessionRecord).where(SessionRecord.id == record_id).values(values))

    def query(self, where: AuditFilter) -> list[dict[str, Any]]:
        statement = select(SessionRecord).order_by(SessionRecord.started_at.desc())
        if where.since is not None:
            statement = statement.where(SessionRecord.started_at >= where.since)
        if where.until is not None:
            statement = statement.where(SessionRecord.started_at < where.until)
        if where.helper:
            statement = statement.where(SessionRecord.helper_upn == where.helper.lower())
        if where.sharer:
            statement = statement.where(SessionRecord.sharer_upn == where.sharer.lower())
        if where.outcome:
            statement = statement.where(SessionRecord.outcome == where.outcome)
        with Session(self.engine) as db:
            rows = db.scalars(statement.limit(where.limit)).all()
        return [self._export(row) for row in rows]

    def purge(self, older_than: datetime) -> int:
        with self._sessions.begin() as db:
            result = db.execute(delete(SessionRecord).where(SessionRecord.started_at < older_than))
        return int(getattr(result, "rowcount", 0) or 0)

    def close_all_open(self, reason: str) -> int:
        """Records still running end now with ``reason`` (at shutdown, or after a crash)."""
        with self._sessions.begin() as db:
            result = db.execute(
                update(SessionRecord)
                .where(SessionRecord.ended_at.is_(None))
                .values(ended_at=datetime.now(UTC), end_reason=reason)
            )
        return int(getattr(result, "rowcount", 0) or 0)

    @staticmethod
    def _export(row: SessionRecord) -> dict[str, Any]:
        data = {name: getattr(row, name) for name in EXPORTED_FIELDS}
        for name in ("started_at", "consent_at", "ended_at"):
            value = _aware(data[name])
            data[name] = value.isoformat() if value else None
        data["outcome"] = row.outcome.value
        data["levels_granted"] = [
            level.value for level, column in GRANTED_COLUMNS.items() if getattr(row, column.key)
        ]
        data["features_used"] = [
            feature.value for feature, column in USED_COLUMNS.items() if getattr(row, column.key)
        ]
        return data
