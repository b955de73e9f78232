"""Audit retention: records older than the retention period are purged, daily, for ever."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta

from signaling.audit.recorder import AuditRecorder, AuditUnavailable

log = logging.getLogger(__name__)


def _now() -> datetime:
    return datetime.now(UTC)


async def purge_periodically(
    recorder: AuditRecorder,
    retention: timedelta,
    interval_seconds: float,
    *,
    sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
    clock: Callable[[], datetime] = _now,
) -> None:
    """Sleep, purge, repeat; the start-up purge is done before the server says it is ready."""
    while True:
        await sleep(interval_seconds)
        with contextlib.suppress(AuditUnavailable):  # logged by the recorder; try next time
            purged = await recorder.purge(clock() - retention)
            log.info("audit purge removed=%d", purged)
