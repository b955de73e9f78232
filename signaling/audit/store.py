"""Audit storage through SQLAlchemy: SQLite in the data directory by default (WAL), or any
database URL such as PostgreSQL. Calls are short and synchronous; the recorder runs them in
a worker thread so the event loop never waits on the disk.

Every write is one change to named columns (never read, modify, write back), applied to the
record and appended to the hash chain (``signaling.audit.chain``) in one transaction. Changes
are serialised by a lock, so the chain has one order and concurrent writers to the same
record cannot lose each other's facts. Replicas sharing one SQLite file are serialised by
SQLite itself: every transaction begins IMMEDIATE, so reading the chain's head and appending
to it happen under the database's write lock, and two processes never extend the same head.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import logging
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from sqlalchemy import Engine, create_engine, delete, event, func, inspect, select, update
from sqlalchemy.engine import make_url
from sqlalchemy.orm import InstrumentedAttribute, Session, sessionmaker

from signaling.audit import chain
from signaling.audit.models import (
    GRANTED_COLUMNS,
    USED_COLUMNS,
    AuditCheckpoint,
    AuditEvent,
    Base,
    Outcome,
    SessionRecord,
)
from signaling.rbac import ALL_SCOPES

EXPORTED_FIELDS = (
    "id", "helper_upn", "helper_oid", "sharer_upn", "sharer_oid", "device_name",
    "source_address", "started_at", "consent_at", "ended_at", "outcome", "end_reason",
    "attempts",
)  # fmt: skip
log = logging.getLogger(__name__)
CHECKPOINT_EVERY = 100
READ = "read"


@dataclass(frozen=True)
class AuditFilter:
    since: datetime | None = None
    until: datetime | None = None
    helper: str | None = None
    sharer: str | None = None
    outcome: Outcome | None = None
    limit: int = 500
    # Device groups the reader may see (None or "*": every record).
    scopes: frozenset[str] | None = None

    def describe(self) -> dict[str, Any]:
        """What was asked, for the record of who read the audit."""
        fields = {
            "since": self.since, "until": self.until, "helper": self.helper,
            "sharer": self.sharer, "outcome": self.outcome, "limit": self.limit,
            "scopes": sorted(self.scopes) if self.scopes is not None else None,
        }  # fmt: skip
        return {name: chain.plain(value) for name, value in fields.items() if value is not None}


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()
    # SQLAlchemy, not the sqlite3 module, starts transactions (below).
    dbapi_connection.isolation_level = None


def _sqlite_begin_immediate(connection: Any) -> None:
    """Take the write lock at the start: a deferred transaction that read the head first
    could not upgrade once another process had appended (SQLITE_BUSY, or a forked chain)."""
    connection.exec_driver_sql("BEGIN IMMEDIATE")


def _aware(value: datetime | None) -> datetime | None:
    # SQLite hands datetimes back naive; they were stored in UTC.
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value


def _plain_fields(fields: dict[str, Any]) -> dict[str, Any]:
    return {name: chain.plain(value) for name, value in fields.items()}


class AuditStore:
    def __init__(self, url: str, signing_key: Ed25519PrivateKey | None = None) -> None:
        sqlite = make_url(url).get_backend_name() == "sqlite"
        # Replicas on one SQLite file wait their turn for the write lock (seconds at most).
        options: dict[str, Any] = {"connect_args": {"timeout": 30}} if sqlite else {}
        self.engine: Engine = create_engine(url, pool_pre_ping=True, **options)
        if sqlite:
            event.listen(self.engine, "connect", _sqlite_pragmas)
            event.listen(self.engine, "begin", _sqlite_begin_immediate)
        self._set_aside_older_schema()
        Base.metadata.create_all(self.engine)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        self._signing_key = signing_key
        self._write_lock = threading.Lock()

    def _set_aside_older_schema(self) -> None:
        """A records table from before typed columns and the chain is kept, renamed, and a
        new one started: nothing is lost, and the server runs instead of failing each write."""
        table = SessionRecord.__tablename__
        inspector = inspect(self.engine)
        if not inspector.has_table(table):
            return
        have = {column["name"] for column in inspector.get_columns(table)}
        if {column.key for column in SessionRecord.__table__.columns} <= have:
            return
        kept = f"{table}_before_{datetime.now(UTC):%Y%m%d%H%M%S}"
        # Read before writing: on SQLite the writing transaction holds the database's lock.
        indexes = [index["name"] for index in inspector.get_indexes(table)]
        with self.engine.begin() as db:
            for name in indexes:
                db.exec_driver_sql(f'DROP INDEX IF EXISTS "{name}"')
            db.exec_driver_sql(f'ALTER TABLE "{table}" RENAME TO "{kept}"')
        log.warning("audit records of an older version were kept as table %s", kept)

    # ---- writing: every change is one event on the chain ---------------------------

    def open(self, started_at: datetime | None = None, **fields: Any) -> str:
        record_id = uuid.uuid4().hex
        values = {"started_at": started_at or datetime.now(UTC), **fields}
        with self._change() as db:
            record = SessionRecord(id=record_id, **values)
            db.add(record)
            db.flush()  # the defaults are filled in: the event holds the whole row
            row = {column: getattr(record, column) for column in chain.RECORD_COLUMNS}
            self._append(db, record_id, "opened", {"insert": _plain_fields(row)})
        return record_id

    def set(self, record_id: str, **fields: Any) -> None:
        """Set these columns, and only these, of one record."""
        with self._change() as db:
            db.execute(update(SessionRecord).where(SessionRecord.id == record_id).values(fields))
            self._append(db, record_id, "set", {"set": _plain_fields(fields)})

    def flag(self, record_id: str, *columns: InstrumentedAttribute[bool]) -> None:
        """Set boolean facts (a level granted, a feature used); never clears one."""
        names = sorted(column.key for column in columns)
        with self._change() as db:
            values = dict.fromkeys(names, True)
            db.execute(update(SessionRecord).where(SessionRecord.id == record_id).values(values))
            self._append(db, record_id, "flag", {"flags": names})

    def count_attempt(self, record_id: str, at: datetime) -> None:
        """One more refused attempt in a summary row, counted by the database itself."""
        with self._change() as db:
            db.execute(
                update(SessionRecord)
                .where(SessionRecord.id == record_id)
                .values(attempts=SessionRecord.attempts + 1, ended_at=at)
            )
            self._append(
                db, record_id, "attempt", {"count": True, "set": _plain_fields({"ended_at": at})}
            )

    def close_all_open(self, reason: str) -> int:
        """Records still running end now with ``reason`` (at shutdown, or after a crash)."""
        with self._change() as db:
            open_ids = db.scalars(
                select(SessionRecord.id).where(SessionRecord.ended_at.is_(None))
            ).all()
            for record_id in open_ids:
                fields = {"ended_at": datetime.now(UTC), "end_reason": reason}
                db.execute(
                    update(SessionRecord).where(SessionRecord.id == record_id).values(fields)
                )
                self._append(db, record_id, "closed", {"set": _plain_fields(fields)})
            self._checkpoint(db)
        return len(open_ids)

    def purge(self, older_than: datetime) -> int:
        """Records started before ``older_than`` go, with the chain's events before then."""
        with self._change() as db:
            result = db.execute(delete(SessionRecord).where(SessionRecord.started_at < older_than))
            db.execute(delete(AuditEvent).where(AuditEvent.at < older_than))
            first = db.scalar(select(func.min(AuditEvent.seq)))
            boundary = first if first is not None else self._head(db)[0] + 1
            marker = {"before_seq": boundary, "started_before": chain.plain(older_than)}
            self._append(db, "", chain.PURGED, marker)
        return int(getattr(result, "rowcount", 0) or 0)

    @contextlib.contextmanager
    def _change(self) -> Iterator[Session]:
        with self._write_lock, self._sessions.begin() as db:
            yield db

    def _head(self, db: Session) -> tuple[int, str]:
        last = db.scalars(select(AuditEvent).order_by(AuditEvent.seq.desc()).limit(1)).first()
        return (last.seq, last.hash) if last else (0, chain.GENESIS)

    def _append(self, db: Session, record_id: str, kind: str, change: dict[str, Any]) -> None:
        seq, prev = self._head(db)
        at = datetime.now(UTC)
        body = chain.canonical(change)
        digest = chain.event_hash(prev, seq + 1, record_id, chain.plain(at), kind, body)
        db.add(
            AuditEvent(
                seq=seq + 1,
                record_id=record_id,
                at=at,
                kind=kind,
                change=body,
                prev_hash=prev,
                hash=digest,
            )
        )
        db.flush()
        if (seq + 1) % CHECKPOINT_EVERY == 0:
            self._checkpoint(db)

    def _checkpoint(self, db: Session) -> None:
        if self._signing_key is None:
            return
        seq, head = self._head(db)
        if seq == 0 or db.get(AuditCheckpoint, seq) is not None:
            return
        signature = chain.sign_checkpoint(self._signing_key, seq, head)
        db.add(AuditCheckpoint(seq=seq, hash=head, at=datetime.now(UTC), signature=signature))

    # ---- reading -------------------------------------------------------------------

    def verify(self, public_key: Ed25519PublicKey | None) -> chain.Verdict:
        with Session(self.engine) as db:
            return chain.verify(
                db.scalars(select(AuditEvent).order_by(AuditEvent.seq)).all(),
                db.scalars(select(SessionRecord)).all(),
                db.scalars(select(AuditCheckpoint).order_by(AuditCheckpoint.seq)).all(),
                public_key,
            )

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
        scopes = where.scopes
        with Session(self.engine) as db:
            if scopes is None or ALL_SCOPES in scopes:
                rows = list(db.scalars(statement.limit(where.limit)))
            else:
                # Groups are a JSON list; checked here, the same way on every database.
                visible = (r for r in db.scalars(statement) if scopes & set(r.sharer_groups))
                rows = list(itertools.islice(visible, where.limit))
        return [self._export(row) for row in rows]

    def note_read(self, reader: str, where: AuditFilter, returned: int) -> None:
        """Who read the audit, asking what, and how many records they got: on the chain."""
        change = {"reader": reader, "filter": where.describe(), "returned": returned}
        with self._change() as db:
            self._append(db, "", READ, change)

    def reads(self, limit: int) -> list[dict[str, Any]]:
        with Session(self.engine) as db:
            events = db.scalars(
                select(AuditEvent)
                .where(AuditEvent.kind == READ)
                .order_by(AuditEvent.seq.desc())
                .limit(limit)
            ).all()
        return [{"at": chain.plain(e.at), **json.loads(e.change)} for e in events]

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
