"""Audit storage through SQLAlchemy: SQLite in the data directory by default (WAL), or any
database URL such as PostgreSQL. Calls are short and synchronous; the server runs them in a
worker thread so the event loop never waits on the disk.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, create_engine, delete, event, select
from sqlalchemy.orm import Session, sessionmaker

from signaling.audit.models import Base, SessionRecord

EXPORTED_FIELDS = (
    "id", "helper_upn", "helper_oid", "sharer_upn", "sharer_oid", "device_name",
    "source_address", "started_at", "consent_at", "ended_at", "levels_granted",
    "features_used", "outcome", "end_reason",
)  # fmt: skip


@dataclass(frozen=True)
class AuditFilter:
    since: datetime | None = None
    until: datetime | None = None
    helper: str | None = None
    sharer: str | None = None
    outcome: str | None = None
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

    def open(self, **fields: Any) -> str:
        record_id = uuid.uuid4().hex
        with self._sessions.begin() as db:
            db.add(SessionRecord(id=record_id, started_at=datetime.now(UTC), **fields))
        return record_id

    def update(self, record_id: str, **fields: Any) -> None:
        with self._sessions.begin() as db:
            record = db.get(SessionRecord, record_id)
            if record is None:
                return
            for name, value in fields.items():
                setattr(record, name, value)

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

    def close_all_open(self, reason: str) -> None:
        """At shutdown, nothing stays open: records still running end with ``reason``."""
        with self._sessions.begin() as db:
            for record in db.scalars(select(SessionRecord).where(SessionRecord.ended_at.is_(None))):
                record.ended_at = datetime.now(UTC)
                record.end_reason = reason

    @staticmethod
    def _export(row: SessionRecord) -> dict[str, Any]:
        data = {name: getattr(row, name) for name in EXPORTED_FIELDS}
        for name in ("started_at", "consent_at", "ended_at"):
            value = _aware(data[name])
            data[name] = value.isoformat() if value else None
        for name in ("levels_granted", "features_used"):
            data[name] = [item for item in data[name].split(",") if item]
        return data
