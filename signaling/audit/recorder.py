"""The audit's one writer: a method per thing that happens, from what the server itself saw.

The hub says what happened (a session opened, consent given, control granted, a refusal);
the recorder decides which columns that sets. Refused redeems are summarised: one row per
(outcome, account, source address, helper) per window, with a count, so a guesser cannot grow
the database faster than one row per window.
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


@dataclass
class _Summary:
    record_id: str
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
    ) -> None:
        self.store = store
        self._window = summary_window_seconds
        self._clock = clock
        self._summaries: dict[tuple[str, ...], _Summary] = {}
        self._summary_lock = asyncio.Lock()
        # Whether the last write succeeded: /healthz says so.
        self.writable = True

    async def opened(self, helper: Connection, sharer: Connection) -> str:
        """A sharer redeemed a helper's code and is looking at the card."""
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

    async def resumed(self, record_id: str) -> None:
        await self._write(self.store.reopen, record_id)

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
        async with self._summary_lock:
            now = self._clock()
            self._forget_closed(now)
            summary = self._summaries.get(key)
            if summary is not None:
                await self._write(self.store.count_attempt, summary.record_id, _now())
                return
            at = _now()
            record_id = await self._write(
                self.store.open,
                started_at=at,
                outcome=outcome,
                end_reason=outcome.value,
                ended_at=at,
                **_parties(sharer, helper),
            )
            self._summaries[key] = _Summary(record_id, now + self._window)

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

    def _forget_closed(self, now: float) -> None:
        for key, summary in list(self._summaries.items()):
            if summary.closes_at <= now:
                del self._summaries[key]


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
