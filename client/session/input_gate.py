"""The sharer's gate for remote input: validated, permitted and rate-limited, or not at all.

The sharer is the authority over its own machine, so this check runs on every event, on the
sharer, whatever the helper or the server believe.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Protocol

from client.rate_limit import RateLimiter
from client.session.refusal_reports import RefusalReports, Reporter
from common.input_events import InputError, InputEvent, parse_input


class Injector(Protocol):
    def inject(self, event: InputEvent) -> None: ...

    def release_all(self) -> None: ...

    def close(self) -> None: ...


BlockedReporter = Reporter


class InputGate:
    """Injects only while control is granted and not paused; reports what it blocks, in
    batches (``refusal_reports``)."""

    REPORT_INTERVAL = RefusalReports.INTERVAL

    def __init__(
        self,
        injector: Injector,
        limiter: RateLimiter,
        report: BlockedReporter,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._injector = injector
        self._limiter = limiter
        self._refusals = RefusalReports(report, clock)
        self._granted = False
        self._paused = False
        self.injected = 0

    @property
    def granted(self) -> bool:
        return self._granted

    @property
    def blocked(self) -> int:
        return self._refusals.count

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
        self._refusals.refuse(reason)
        return False

    def flush(self, *, force: bool = False) -> None:
        self._refusals.flush(force=force)
