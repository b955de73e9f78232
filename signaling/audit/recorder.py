"""The audit's one writer of sessions: a method per thing that happens, from what the server
itself saw. (Device events have theirs, ``signaling.devices.audit_events``.)

The hub says what happened (a session opened, consent given, control granted, a refusal);
the recorder decides which columns that sets. Refused redeems are summarised: one row per
(outcome, account, source address, helper) per window, with a count. The first few refusals
of an account, and of a connection, in a window are counted on the chain at once; the rest
are summed in memory and written as one count per row when the window closes, on a timer
and at shutdown, so a guesser cannot grow the chain by an event a guess (one connection
wrote 5,388 events in 10 s before). A killed server loses at most the counts of one timer.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar

from sqlalchemy.exc import SQLAlchemyError

from common.permissions import ConsentLevel, Feature
from common.protocol import EndReason
from signaling.audit.disk_guard import DiskGuard, DiskState
from signaling.audit.models import (
    GRANTED_COLUMNS,
    USED_COLUMNS,
    Outcome,
    SessionRecord,
)
from signaling.audit.store import AuditFilter, AuditStore
from signaling.connection import Connection
from signaling.database.engine import one_line

T = TypeVar("T")
log = logging.getLogger(__name__)


class AuditUnavailable(Exception):
    """The audit cannot be written (disk full, read-only, database gone)."""


FIRST_FEW = 3  # refusals counted on the chain at once, per account and per connection


@dataclass
class _Summary:
    record_id: str
    closes_at: float
    pending: int = 0  # counted in memory, not on the chain yet
    last_at: datetime | None = None


@dataclass
class _Budget:
    written: int
    closes_at: float


def _now() -> datetime:
    return datetime.now(UTC)


class AuditRecorder:
    def __init__(
        self,
        store: AuditStore,
        *,
        summary_window_seconds: float = 300.0,
        clock: Callable[[], float] = time.monotonic,
        disk: DiskGuard | None = None,
    ) -> None:
        self.store = store
        self._window = summary_window_seconds
        self._clock = clock
        self.disk = disk or DiskGuard(None, warn_mib=0, refuse_mib=0)
        self._summaries: dict[tuple[str, ...], _Summary] = {}
        self._budgets: dict[tuple[str, ...], _Budget] = {}
        self._summary_lock = asyncio.Lock()
        # Whether the last write succeeded: /healthz says so.
        self.writable = True

    def require_room(self) -> None:
        """The guard of last resort: no new session on a disk about to be full."""
        if self.disk.reading().state is DiskState.FULL:
            raise AuditUnavailable("the audit's disk is nearly full")

    async def opened(self, helper: Connection, sharer: Connection) -> str:
        """A sharer redeemed a helper's code and is looking at the card."""
        self.require_room()
        return await self._write(
            self.store.open, outcome=Outcome.PENDING, **_parties(sharer, helper)
        )

    async def consented(
        self, record_id: str, level: ConsentLevel, *, elevation: bool = False
    ) -> None:
        """``elevation``: the sharer also consented to administrator rights."""
        facts = [GRANTED_COLUMNS[level], USED_COLUMNS[Feature.VIEW]]
        if level is ConsentLevel.CONTROL:
            facts.append(USED_COLUMNS[Feature.CONTROL])
        if elevation:
            facts.append(USED_COLUMNS[Feature.ELEVATION])
        await self._write(
            self.store.set,
            record_id,
            outcome=Outcome.ACCEPTED,
            consent_at=_now(),
            **{column.key: True for column in facts},
        )

    async def control_granted(self, record_id: str) -> None:
        await self._write(
            self.store.flag,
            record_id,
            GRANTED_COLUMNS[ConsentLevel.CONTROL],
            USED_COLUMNS[Feature.CONTROL],
        )

    async def feature_used(self, record_id: str, feature: Feature) -> None:
        """A column where the record has one, else an event on the chain; never content."""
        column = USED_COLUMNS.get(feature)
        if column is not None:
            await self._write(self.store.flag, record_id, column)
        else:
            await self._write(self.store.note_used, record_id, feature.value)

    async def file_transferred(self, record_id: str, transfer: dict[str, Any]) -> None:
        """A file transfer's name, size, SHA-256, direction and outcome, on the chain."""
        await self._write(self.store.note_file, record_id, transfer)

    async def feature_refused(self, record_id: str, feature: Feature) -> None:
        await self._write(self.store.note_refused, record_id, feature.value)

    async def ended(self, record_id: str, reason: EndReason, outcome: Outcome | None) -> None:
        fields: dict[str, Any] = {"ended_at": _now(), "end_reason": reason.value}
        if outcome is not None:
            fields["outcome"] = outcome
        await self._write(self.store.set, record_id, **fields)

    async def resumable(self, record_id: str) -> bool:
        """Whether this session may go on: still open, or closed only by a server restart."""
        return await self._write(self.store.resumable, record_id)

    async def resumed(self, record_id: str, *, held_by: str = "") -> None:
        """``held_by``: the replica that held the session before (replicas only)."""
        await self._write(self.store.reopen, record_id)

    async def interrupted(self, record_id: str) -> None:
        """The session's server died under it: closed as a restart closes it, so the two
        sides may still take it on elsewhere (``resumable``)."""
        await self._write(self.store.interrupt, record_id)

    async def is_open(self, record_id: str) -> bool:
        return await self._write(self.store.is_open, record_id)

    async def refused(
        self, outcome: Outcome, sharer: Connection, helper: Connection | None = None
    ) -> None:
        """Count a refused redeem in its summary row, opening one when the window is new."""
        key = (
            outcome.value,
            sharer.account.principal.tenant,
            sharer.account.principal.oid,
            sharer.address,
            helper.account.principal.oid if helper else "",
        )
        budgets = (
            ("account", sharer.account.principal.tenant, sharer.account.principal.oid),
            ("connection", sharer.id),
        )
        async with self._summary_lock:
            now = self._clock()
            await self._close_windows(now)
            summary = self._summaries.get(key)
            at = _now()
            if summary is None:
                record_id = await self._write(
                    self.store.open,
                    started_at=at,
                    outcome=outcome,
                    end_reason=outcome.value,
                    ended_at=at,
                    **_parties(sharer, helper),
                )
                self._summaries[key] = _Summary(record_id, now + self._window)
                self._spend(budgets, now)
            elif self._spend(budgets, now):
                await self._write(self.store.count_attempt, summary.record_id, at)
            else:
                summary.pending += 1
                summary.last_at = at

    def _spend(self, budgets: tuple[tuple[str, ...], ...], now: float) -> bool:
        """Whether every one of these budgets has room for one more write (and take it)."""
        found = [self._budgets.setdefault(b, _Budget(0, now + self._window)) for b in budgets]
        if any(budget.written >= FIRST_FEW for budget in found):
            return False
        for budget in found:
            budget.written += 1
        return True

    async def flush_summaries(self, *, final: bool = False) -> None:
        """Write what was summed in memory: one count per refusal summary row, and the
        repeated reads whose window closed (all of them when ``final``, at shutdown)."""
        async with self._summary_lock:
            await self._flush(list(self._summaries.values()))
        await self._write(self.store.flush_reads, final=final)

    async def _flush(self, summaries: list[_Summary]) -> None:
        for summary in summaries:
            if summary.pending and summary.last_at is not None:
                count = summary.pending
                await self._write(
                    self.store.count_attempt, summary.record_id, summary.last_at, count
                )
                summary.pending = 0

    async def _close_windows(self, now: float) -> None:
        closed = {k: s for k, s in self._summaries.items() if s.closes_at <= now}
        await self._flush(list(closed.values()))
        for key in closed:
            del self._summaries[key]
        for key, budget in list(self._budgets.items()):
            if budget.closes_at <= now:
                del self._budgets[key]

    async def _write(self, job: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run a store call on the store's thread; a storage failure becomes AuditUnavailable,
        logged in one line (the database's message, never a traceback or a record)."""
        try:
            result = await self.store.run(job, *args, **kwargs)
        except (SQLAlchemyError, OSError) as exc:
            reason = one_line(exc)
            log.error("audit storage failed: %s", reason)
            self.writable = False
            raise AuditUnavailable(reason) from exc
        self.writable = True
        return result

    async def read_by(self, reader: str, where: AuditFilter) -> list[dict[str, Any]]:
        """An auditor's query, and the record that they made it."""
        rows = await self._write(self.store.query, where)
        await self._write(self.store.note_read, reader, where, len(rows))
        return rows

    async def purge(self, older_than: datetime) -> int:
        return await self._write(self.store.purge, older_than)

    async def close_all_open(self, reason: str) -> int:
        return await self._write(self.store.close_all_open, reason)

    async def checkpoint(self) -> None:
        await self._write(self.store.checkpoint)


def _parties(sharer: Connection, helper: Connection | None) -> dict[str, Any]:
    return {
        SessionRecord.helper_upn.key: helper.account.upn.lower() if helper else "",
        SessionRecord.helper_oid.key: helper.account.principal.oid if helper else "",
        SessionRecord.sharer_upn.key: sharer.account.upn.lower(),
        SessionRecord.sharer_oid.key: sharer.account.principal.oid,
        SessionRecord.device_name.key: sharer.device_summary.name,
        SessionRecord.device_id.key: sharer.device_summary.id,
        SessionRecord.device_enrolled.key: sharer.device_summary.enrolled,
        SessionRecord.source_address.key: sharer.address,
        SessionRecord.sharer_groups.key: sorted(sharer.device_groups),
    }
