"""The audit's own timers: what the recorder does on a schedule besides the daily purge
(signing the chain's head, writing the refusals it summarised)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable

from signaling.audit.recorder import AuditUnavailable


async def repeat(interval_seconds: float, job: Callable[[], Awaitable[object]]) -> None:
    """Sleep, run ``job``, for ever; a write that fails is logged by the recorder and tried
    again next time."""
    while True:
        await asyncio.sleep(interval_seconds)
        with contextlib.suppress(AuditUnavailable):
            await job()
