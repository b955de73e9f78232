"""Refusals counted and reported in batches: at most once a second, with a count each.

Shared by the sharer's gates (input, peer messages), so a flood of refused input or refused
chat cannot flood the sharer's event stream as well.
"""

from __future__ import annotations

import time
from collections.abc import Callable

Reporter = Callable[[str, int], None]


class RefusalReports:
    """Counts refusals by reason and hands them to ``report`` no more than once an interval."""

    INTERVAL = 1.0

    def __init__(self, report: Reporter, clock: Callable[[], float] = time.monotonic) -> None:
        self._report = report
        self._clock = clock
        self.count = 0
        self._pending: dict[str, int] = {}
        self._last = float("-inf")

    def refuse(self, reason: str) -> None:
        self.count += 1
        self._pending[reason] = self._pending.get(reason, 0) + 1
        self.flush()

    def flush(self, *, force: bool = False) -> None:
        now = self._clock()
        if not self._pending or (not force and now - self._last < self.INTERVAL):
            return
        self._last = now
        pending, self._pending = self._pending, {}
        for reason, count in pending.items():
            self._report(reason, count)
