"""The sharer's gate for remote input: validated, permitted and rate-limited, or not at all.

The sharer is the authority over its own machine, so this check runs on every event, on the
sharer, whatever the helper or the server believe.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Protocol

from client.rate_limit import RateLimiter
from common.input_events import InputError, InputEvent, parse_input


class Injector(Protocol):
    def inject(self, event: InputEvent) -> None: ...

    def release_all(self) -> None: ...

    def close(self) -> None: ...


BlockedReporter = Callable[[str, int], None]


class InputGate:
    """Injects only while control is granted and not paused; reports what it blocks.

    Blocked events are reported at most once a second with a count, so a flood of refused
    input cannot flood the sharer's event stream as well.
    """

    REPORT_INTERVAL = 1.0

    def __init__(
        self,
        injector: Injector,
        limiter: RateLimiter,
        report: BlockedReporter,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._injector = injector
        self._limiter = limiter
        self._report = report
        self._clock = clock
        self._granted = False
        self._paused = False
        self.injected = 0
        self.blocked = 0
        self._pending: dict[str, int] = {}
        self._last_report = float("-inf")

    @property
    def granted(self) -> bool:
        return self._granted

    @property
    def paused(self) -> bool:
        return self._paused

    def set_granted(self, granted: bool) -> None:
        self._granted = granted
        if not granted:
            self._injector.release_all()

    def set_paused(self, paused: bool) -> None:
        self._paused = paused
        if paused:
            self._injector.release_all()

    def stop(self) -> None:
        """The session is over: nothing more gets through, nothing stays held down."""
        self._granted = False
        self._injector.close()

    def handle(self, raw: str | bytes) -> bool:
        try:
            event = parse_input(raw)
        except InputError as exc:
            return self._block(f"invalid: {exc.reason}")
        if not self._granted:
            return self._block("view_only")
        if self._paused:
            return self._block("paused")
        if not self._limiter.allow():
            return self._block("rate_limited")
        self._injector.inject(event)
        self.injected += 1
        return True

    def _block(self, reason: str) -> bool:
        self.blocked += 1
        self._pending[reason] = self._pending.get(reason, 0) + 1
        self.flush()
        return False

    def flush(self, *, force: bool = False) -> None:
        now = self._clock()
        if not self._pending or (not force and now - self._last_report < self.REPORT_INTERVAL):
            return
        self._last_report = now
        pending, self._pending = self._pending, {}
        for reason, count in pending.items():
            self._report(reason, count)
