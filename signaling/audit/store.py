"""Audit storage through SQLAlchemy, on the engine ``signaling.database`` opened (SQLite in
the data directory by default, or PostgreSQL). Calls are short and synchronous; the recorder
runs them in a worker thread so the event loop never waits on the disk.

Every write is one change to named columns (never read, modify, write back), applied to the
record and appended to the hash chain (``signaling.audit.chain``) atomically. Calls run on
the store's one thread; those queued while one runs are committed together (group commit):
one transaction, one chain lock and one commit for the lot, each call in a savepoint of its
own, so that one that fails changes nothing and the others still commit. Changes are
serialised, so the chain has one order and concurrent writers to the same record cannot
lose each other's facts: within a process by a lock; between processes sharing a
PostgreSQL database by an advisory lock held until the commit; between replicas sharing
one SQLite file by SQLite's write lock, taken when the transaction begins
(``signaling.database.engine``). No two servers ever read the same head and link to it.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import json
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TypeVar

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from sqlalchemy import ColumnElement, Engine, delete, exists, func, or_, select, update
from sqlalchemy.orm import InstrumentedAttribute, Session, sessionmaker

from common.permissions import Feature
from signaling.audit import chain
from signaling.audit.anchor import Anchor, AnchorFile
from signaling.audit.models import (
    GRANTED_COLUMNS,
    SERVER_RESTART,
    USED_COLUMNS,
    AuditCheckpoint,
    AuditEvent,
    Outcome,
    SessionRecord,
)
from signaling.audit.verify import STANDARD_CHECKS, ChainView, Check, Verdict, run_checks
from signaling.database.locks import hold_for_transaction
from signaling.identity.rbac import ALL_SCOPES

EXPORTED_FIELDS = (
    "id", "helper_upn", "helper_oid", "sharer_upn", "sharer_oid", "device_name", "device_id",
    "device_enrolled",
    "source_address", "started_at", "consent_at", "ended_at", "outcome", "end_reason",
    "attempts", "sharer_groups",
)  # fmt: skip
T = TypeVar("T")
Note = Callable[[str, dict[str, Any]], None]
Purger = Callable[[Session, datetime], dict[str, int]]
CHECKPOINT_EVERY = 100  # events; also on a timer, at start-up and at shutdown
READ = "read"
SESSIONS = "sessions"  # what an audit read is of (older read events do not say)
READ_WINDOW_SECONDS = 60.0
READS_AT_ONCE = 3  # the same read, by the same reader, written at once per window
# A feature the helper tried without the permission, refused: on the chain, not in the row.
REFUSED = "refused"
# A feature without a column of its own (clipboard, snapshot, files): on the chain too.
USED = "used"
# A file transfer (name, size, SHA-256, direction, outcome; never content): on the chain.
FILE = "file"
CHAIN_LOCK = "helpline-audit-chain"
HEAD = "audit_chain_head"  # the transaction's own note of the chain's last link (db.info)
# Calls committed together at most: a long queue is worked through in groups of this size.
GROUP_MAX = 64


@dataclass
class _Call:
    loop: asyncio.AbstractEventLoop
    future: asyncio.Future[Any]
    work: Callable[[], Any]
    result: Any = None
    error: BaseException | None = None


def _settle(calls: list[_Call]) -> None:
    """On the caller's loop: every answer of a group, one wake-up for all of them."""
    for call in calls:
        if call.future.done():  # the caller stopped waiting
            continue
        if call.error is not None:
            call.future.set_exception(call.error)
        else:
            call.future.set_result(call.result)


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
    # The console's further filters and paging (records skipped, newest first).
    device: str | None = None
    feature: Feature | None = None
    record_id: str | None = None
    offset: int = 0
    oldest_first: bool = False

    def describe(self) -> dict[str, Any]:
        """What was asked, for the record of who read the audit."""
        fields = {
            "since": self.since, "until": self.until, "helper": self.helper,
            "sharer": self.sharer, "outcome": self.outcome, "limit": self.limit,
            "scopes": sorted(self.scopes) if self.scopes is not None else None,
            "device": self.device, "feature": self.feature, "record_id": self.record_id,
            "offset": self.offset or None, "oldest_first": self.oldest_first or None,
        }  # fmt: skip
        return {name: chain.plain(value) for name, value in fields.items() if value is not None}


@dataclass
class _RepeatedRead:
    closes_at: float
    written: int = 0
    pending: int = 0  # asked again past the first few: counted, written at the window's end
    change: dict[str, Any] = field(default_factory=dict)


def _aware(value: datetime | None) -> datetime | None:
    # SQLite hands datetimes back naive; they were stored in UTC.
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value


def _plain_fields(fields: dict[str, Any]) -> dict[str, Any]:
    return {name: chain.plain(value) for name, value in fields.items()}


# Each database's table-valued function over a JSON list's elements, as text.
JSON_ELEMENTS = {"sqlite": func.json_each, "postgresql": func.json_array_elements_text}


def _in_scopes(dialect: str, scopes: frozenset[str]) -> ColumnElement[bool]:
    """True for a record whose ``sharer_groups`` holds one of ``scopes``, exactly: the
    database reads the JSON list (no text match, no wildcard)."""
    groups = JSON_ELEMENTS[dialect](SessionRecord.sharer_groups).table_valued("value")
    return exists(select(1).select_from(groups).where(groups.c.value.in_(sorted(scopes))))


class AuditStore:
    def __init__(
        self,
        engine: Engine,
        signing_key: Ed25519PrivateKey | None = None,
        *,
        anchor: AnchorFile | None = None,
        checkpoint_every: int = CHECKPOINT_EVERY,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """``engine`` is on a database at the schema's head (``signaling.database.schema``).
        With ``signing_key`` events are keyed and checkpoints signed (without: tests of the
        records alone); ``anchor`` is the data folder's record of the newest checkpoint."""
        self.engine = engine
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        self._signing_key = signing_key
        self._mac_key = chain.chain_key(signing_key) if signing_key is not None else None
        self._anchor = anchor
        self._every = checkpoint_every
        self._signed: Anchor | None = None  # written to the anchor once its commit is done
        self._written: tuple[int, str] | None = None  # the newest event, likewise
        self._purgers: list[Purger] = []
        self._clock = clock
        self._reads: dict[str, _RepeatedRead] = {}
        self._reads_lock = threading.Lock()
        self._write_lock = threading.Lock()
        self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="audit-store")
        # Calls waiting for the store's thread, and whether it is working through them.
        self._pending: list[_Call] = []
        self._pending_lock = threading.Lock()
        self._draining = False
        # The transaction a group of calls shares, and the thread working it.
        self._group: Session | None = None
        self._group_thread: int | None = None

    async def run(self, job: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run a store call off the event loop, on the store's one thread. Changes are
        serialised anyway (one chain); queued for one thread they wait their turn in order,
        where a pool of threads would contend for the write lock (half of all samples under
        load), and those that queued meanwhile share one commit."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[T] = loop.create_future()
        with self._pending_lock:
            self._pending.append(_Call(loop, future, functools.partial(job, *args, **kwargs)))
            start, self._draining = not self._draining, True
        if start:
            self._worker.submit(self._drain)
        return await future

    def _drain(self) -> None:
        """On the store's thread: what queued, a group at a time, until nothing is left."""
        while True:
            with self._pending_lock:
                group, self._pending = self._pending[:GROUP_MAX], self._pending[GROUP_MAX:]
                if not group:
                    self._draining = False
                    return
            self._work(group)
            loops: dict[asyncio.AbstractEventLoop, list[_Call]] = {}
            for call in group:
                loops.setdefault(call.loop, []).append(call)
            for loop, calls in loops.items():
                with contextlib.suppress(RuntimeError):  # that loop is closed: nobody waits
                    loop.call_soon_threadsafe(_settle, calls)

    def _work(self, group: list[_Call]) -> None:
        if len(group) == 1:
            self._alone(group[0])
            return
        try:
            with self._change() as db:
                self._group, self._group_thread = db, threading.get_ident()
                try:
                    for call in group:
                        self._in_savepoint(db, call)
                finally:
                    self._group, self._group_thread = None, None
        except Exception as exc:  # the commit failed: none of them happened
            for call in group:
                call.result, call.error = None, call.error or exc

    @staticmethod
    def _alone(call: _Call) -> None:
        try:
            call.result = call.work()
        except Exception as exc:
            call.error = exc

    def _in_savepoint(self, db: Session, call: _Call) -> None:
        signed, written, head = self._signed, self._written, db.info.get(HEAD)
        try:
            with db.begin_nested():
                call.result = call.work()
        except Exception as exc:
            call.error = exc
            # What it appended or signed went with its savepoint.
            self._signed, self._written = signed, written
            db.info[HEAD] = head

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

    def note_refused(self, record_id: str, feature: str) -> None:
        """A feature refused in this session: an event of its own, which changes no column."""
        with self._change() as db:
            self._append(db, record_id, REFUSED, {"refused": feature})

    def note_used(self, record_id: str, feature: str) -> None:
        """A feature used in this session that has no column: an event of its own."""
        with self._change() as db:
            self._append(db, record_id, USED, {"used": feature})

    def note_file(self, record_id: str, transfer: dict[str, Any]) -> None:
        with self._change() as db:
            self._append(db, record_id, FILE, {FILE: transfer})

    def count_attempt(self, record_id: str, at: datetime, count: int = 1) -> None:
        """``count`` more refused attempts in a summary row, the last at ``at``, counted by
        the database itself."""
        with self._change() as db:
            db.execute(
                update(SessionRecord)
                .where(SessionRecord.id == record_id)
                .values(attempts=SessionRecord.attempts + count, ended_at=at)
            )
            change = {"count": count, "set": _plain_fields({"ended_at": at})}
            self._append(db, record_id, "attempt", change)

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

    def resumable(self, record_id: str) -> bool:
        """Still open, or closed at start-up because the previous run died under it."""
        with Session(self.engine) as db:
            record = db.get(SessionRecord, record_id)
        return record is not None and (
            record.ended_at is None or record.end_reason == SERVER_RESTART
        )

    def interrupt(self, record_id: str) -> None:
        """Closed as a restart closes it, unless it was closed already (by its own server,
        which knew why)."""
        with self._change() as db:
            record = db.get(SessionRecord, record_id)
            if record is None or record.ended_at is not None:
                return
            fields = {"ended_at": datetime.now(UTC), "end_reason": SERVER_RESTART}
            db.execute(update(SessionRecord).where(SessionRecord.id == record_id).values(fields))
            self._append(db, record_id, "closed", {"set": _plain_fields(fields)})

    def is_open(self, record_id: str) -> bool:
        with Session(self.engine) as db:
            record = db.get(SessionRecord, record_id)
        return record is not None and record.ended_at is None

    def reopen(self, record_id: str) -> None:
        """A session closed as interrupted by a restart goes on. Its record is open again; the
        chain keeps both the ``closed`` event and this ``resumed`` one, so the gap shows."""
        fields = {"ended_at": None, "end_reason": ""}
        with self._change() as db:
            db.execute(update(SessionRecord).where(SessionRecord.id == record_id).values(fields))
            self._append(db, record_id, "resumed", {"set": _plain_fields(fields)})

    def retain(self, purger: Purger) -> None:
        """Another part's rows go with the audit's, in the same purge: ``purger(db,
        older_than)`` deletes its old rows and says how many of each, for the purge's event."""
        self._purgers.append(purger)

    def purge(self, older_than: datetime) -> int:
        """Records started before ``older_than`` go, with the chain's events before then and
        the rows of every part that asked to be ``retain``ed alike, in one transaction."""
        with self._change() as db:
            result = db.execute(delete(SessionRecord).where(SessionRecord.started_at < older_than))
            also: dict[str, int] = {}
            for purger in self._purgers:
                also.update(purger(db, older_than))
            # The head stays, however old: the chain goes on from it, never from the start.
            head = self._head(db)[0]
            db.execute(delete(AuditEvent).where(AuditEvent.at < older_than, AuditEvent.seq < head))
            boundary = db.scalar(select(func.min(AuditEvent.seq))) or head + 1
            # Checkpoints over purged events go, but the last one before what is left: the
            # schedule goes on from it.
            kept = db.scalar(
                select(func.max(AuditCheckpoint.seq)).where(AuditCheckpoint.seq <= boundary)
            )
            if kept is not None:
                db.execute(delete(AuditCheckpoint).where(AuditCheckpoint.seq < kept))
            marker = {"before_seq": boundary, "started_before": chain.plain(older_than), **also}
            self._append(db, "", chain.PURGED, marker)
        return int(getattr(result, "rowcount", 0) or 0)

    def transact(self, work: Callable[[Session, Note], T]) -> T:
        """Run ``work`` in one transaction with the chain, under the write lock. Each
        ``note(kind, change)`` it makes is an event that concerns no session record (device
        enrolments and actions): a change and its audit event commit together or not at all."""
        with self._change() as db:
            return work(db, lambda kind, change: self._append(db, "", kind, change))

    def checkpoint(self) -> None:
        """Sign the head now, if it moved since the last checkpoint (the timer's)."""
        with self._change() as db:
            self._checkpoint(db)

    @contextlib.contextmanager
    def _change(self) -> Iterator[Session]:
        if self._group is not None and self._group_thread == threading.get_ident():
            # A call of a group: in the group's transaction, in its own savepoint.
            yield self._group
            return
        with self._write_lock:
            self._signed, self._written = None, None
            try:
                with self._sessions.begin() as db:
                    hold_for_transaction(db, CHAIN_LOCK)
                    yield db
                if self._anchor is not None and (self._signed or self._written):
                    self._anchor.advance(self._signed, self._written)
            finally:
                self._signed, self._written = None, None

    def _head(self, db: Session) -> tuple[int, str]:
        """The chain's last link. Read once a transaction: it holds the chain's lock, so
        the head moves only by its own appends (a group's calls share it)."""
        head: tuple[int, str] | None = db.info.get(HEAD)
        if head is None:
            last = db.scalars(select(AuditEvent).order_by(AuditEvent.seq.desc()).limit(1)).first()
            head = (last.seq, last.hash) if last else (0, chain.GENESIS)
            db.info[HEAD] = head
        return head

    def _append(self, db: Session, record_id: str, kind: str, change: dict[str, Any]) -> None:
        seq, prev = self._head(db)
        at = datetime.now(UTC)
        body = chain.canonical(change)
        digest = chain.event_hash(
            prev, seq + 1, record_id, chain.plain(at), kind, body, self._mac_key
        )
        db.add(
            AuditEvent(
                seq=seq + 1,
                record_id=record_id,
                at=at,
                kind=kind,
                change=body,
                prev_hash=prev,
                hash=digest,
                keyed=self._mac_key is not None,
            )
        )
        db.flush()
        db.info[HEAD] = (seq + 1, digest)
        self._written = (seq + 1, digest)
        if self._checkpoint_due(db, seq + 1):
            self._checkpoint(db)

    @staticmethod
    def _checkpoint_due(db: Session, seq: int) -> bool:
        """Due by the last checkpoint's own schedule (another replica may have another)."""
        last = db.scalars(
            select(AuditCheckpoint).order_by(AuditCheckpoint.seq.desc()).limit(1)
        ).first()
        return last is None or seq >= last.seq + (last.every or chain.LEGACY_EVERY)

    def _checkpoint(self, db: Session) -> None:
        if self._signing_key is None:
            return
        seq, head = self._head(db)
        if seq == 0 or db.get(AuditCheckpoint, seq) is not None:
            return
        at = datetime.now(UTC)
        signature = chain.sign_checkpoint(self._signing_key, seq, head, self._every)
        db.add(AuditCheckpoint(seq=seq, hash=head, at=at, signature=signature, every=self._every))
        keyed_from = db.scalar(select(func.min(AuditEvent.seq)).where(AuditEvent.keyed))
        self._signed = Anchor(seq, head, chain.plain(at), keyed_from)

    # ---- reading -------------------------------------------------------------------

    def verify(
        self,
        key: Ed25519PrivateKey | Ed25519PublicKey | None,
        anchor: Anchor | None = None,
        checks: Sequence[Check] = STANDARD_CHECKS,
    ) -> Verdict:
        """Run ``checks`` over events, records and checkpoints read as of one moment: on
        PostgreSQL other servers write meanwhile, and a record read after its newest event
        would look edited. The private key checks the MACs and the signatures; the public
        key only the signatures. Read ``anchor`` before calling: the database is then at
        least as far on as it says."""
        public_key = key.public_key() if isinstance(key, Ed25519PrivateKey) else key
        mac_key = chain.chain_key(key) if isinstance(key, Ed25519PrivateKey) else None
        engine = self.engine
        if engine.dialect.name == "postgresql":
            engine = engine.execution_options(isolation_level="REPEATABLE READ")
        with Session(engine) as db, db.begin():
            view = ChainView(
                db=db,
                events=db.scalars(select(AuditEvent).order_by(AuditEvent.seq)).all(),
                records=db.scalars(select(SessionRecord)).all(),
                checkpoints=db.scalars(select(AuditCheckpoint).order_by(AuditCheckpoint.seq)).all(),
                public_key=public_key,
                mac_key=mac_key,
                anchor=anchor,
            )
            return run_checks(view, checks)

    def query(self, where: AuditFilter) -> list[dict[str, Any]]:
        started = SessionRecord.started_at
        statement = select(SessionRecord).order_by(
            started.asc() if where.oldest_first else started.desc()
        )
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
        if where.device:
            statement = statement.where(
                or_(
                    SessionRecord.device_id == where.device,
                    func.lower(SessionRecord.device_name) == where.device.lower(),
                )
            )
        if where.feature is not None:
            statement = statement.where(USED_COLUMNS[where.feature].is_(True))
        if where.record_id is not None:
            statement = statement.where(SessionRecord.id == where.record_id)
        scopes = where.scopes
        with Session(self.engine) as db:
            if scopes is None or ALL_SCOPES in scopes:
                rows = list(db.scalars(statement.offset(where.offset).limit(where.limit)))
            elif not scopes:
                rows = []
            else:
                # Groups are a JSON list: the database reads it, so the scope check, the
                # order and the paging are all SQL's (a deep page skips rows in the database).
                in_scopes = _in_scopes(self.engine.dialect.name, scopes)
                page = statement.where(in_scopes).offset(where.offset).limit(where.limit)
                rows = list(db.scalars(page))
            ids = [row.id for row in rows]
            refused = self._noted(db, ids, REFUSED)
            used = self._noted(db, ids, USED)
            files = self._noted(db, ids, FILE)
        return [
            {
                **self._export(row, used.get(row.id, [])),
                "features_refused": refused.get(row.id, []),
                "files": files.get(row.id, []),
            }
            for row in rows
        ]

    @staticmethod
    def _noted(db: Session, record_ids: list[str], kind: str) -> dict[str, list[Any]]:
        """What the chain noted for these records, by ``kind``: features used or refused, or
        file transfers."""
        found: dict[str, list[Any]] = {}
        events = db.scalars(
            select(AuditEvent)
            .where(AuditEvent.kind == kind, AuditEvent.record_id.in_(record_ids))
            .order_by(AuditEvent.seq)
        )
        for event in events:
            found.setdefault(event.record_id, []).append(json.loads(event.change)[kind])
        return found

    def groups_of(self, record_id: str) -> list[str] | None:
        """A record's device groups, or None when there is no such record (to tell "not in
        your scope" from "not there"; not a read of the record itself)."""
        with Session(self.engine) as db:
            record = db.get(SessionRecord, record_id)
            return list(record.sharer_groups) if record is not None else None

    def events_of(self, record_id: str) -> list[dict[str, Any]]:
        """One record's events on the chain, in order."""
        with Session(self.engine) as db:
            events = db.scalars(
                select(AuditEvent).where(AuditEvent.record_id == record_id).order_by(AuditEvent.seq)
            ).all()
        return [
            {"seq": e.seq, "at": chain.plain(e.at), "kind": e.kind, "change": json.loads(e.change)}
            for e in events
        ]

    def last_checkpoint(self) -> dict[str, Any] | None:
        with Session(self.engine) as db:
            last = db.scalars(
                select(AuditCheckpoint).order_by(AuditCheckpoint.seq.desc()).limit(1)
            ).first()
        if last is None:
            return None
        return {"seq": last.seq, "hash": last.hash, "at": chain.plain(last.at)}

    def note_read(self, reader: str, where: AuditFilter, returned: int) -> None:
        """Who read the audit, asking what, and how many records they got: on the chain."""
        self.note_access(reader, SESSIONS, where.describe(), returned)

    def note_access(self, reader: str, what: str, asked: dict[str, Any], returned: int) -> None:
        """Who read ``what`` (sessions, devices, a diagnostics report), asking what, and how
        many rows they got: on the chain, as every read is. The same read asked again within
        a window (a window that refreshes, a script that polls) is written the first few
        times, then counted and written once when the window closes (``flush_reads``)."""
        now = self._clock()
        self._flush_reads(now)
        change = {"reader": reader, "what": what, "filter": asked, "returned": returned}
        key = chain.canonical([reader, what, asked])
        with self._reads_lock:
            repeat = self._reads.setdefault(key, _RepeatedRead(now + READ_WINDOW_SECONDS))
            counted_later = repeat.written >= READS_AT_ONCE
            if counted_later:
                repeat.pending += 1
                repeat.change = change
            else:
                repeat.written += 1
        if not counted_later:
            with self._change() as db:
                self._append(db, "", READ, change)

    def flush_reads(self, *, final: bool = False) -> None:
        """Write the counted repeats of the reads whose window has closed (all of them when
        ``final``, at shutdown), one event each with ``times``."""
        self._flush_reads(None if final else self._clock())

    def _flush_reads(self, now: float | None) -> None:
        with self._reads_lock:
            closed = {
                key: repeat
                for key, repeat in self._reads.items()
                if now is None or repeat.closes_at <= now
            }
            for key in closed:
                del self._reads[key]
        for repeat in closed.values():
            if repeat.pending:
                with self._change() as db:
                    self._append(db, "", READ, {**repeat.change, "times": repeat.pending})

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
    def _export(row: SessionRecord, noted: list[str]) -> dict[str, Any]:
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
        ] + list(dict.fromkeys(noted))
        return data
