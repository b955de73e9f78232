"""Failed code redeems, counted per account and per address to stop guessing."""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable


class RedeemLimiter:
    def __init__(
        self, max_failures: int, window_seconds: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._max = max_failures
        self._window = window_seconds
        self._clock = clock
        self._failures: dict[str, deque[float]] = {}

    def retry_after(self, *keys: str) -> int | None:
        """Seconds until any of ``keys`` may try again, or None if all may try now."""
        now = self._clock()
        worst = 0.0
        for key in keys:
            failures = self._prune(key, now)
            if len(failures) >= self._max:
                worst = max(worst, failures[0] + self._window - now)
        return max(1, math.ceil(worst)) if worst > 0 else None

    def record_failure(self, *keys: str) -> None:
        now = self._clock()
        for key in keys:
            self._failures.setdefault(key, deque()).append(now)

    def _prune(self, key: str, now: float) -> deque[float]:
        failures = self._failures.get(key, deque())
        while failures and failures[0] <= now - self._window:
            failures.popleft()
        if not failures:
            self._failures.pop(key, None)
        return failures
