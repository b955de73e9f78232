"""The organisation's time limits on one session: the longest session (with a warning to both
sides before it ends), a consent request nobody answers, and a session where nothing happens.

The server is the only party both sides trust to keep time, so the limits live here; each
ends the session with its own end reason, which both apps word and the audit records.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import partial

from common.protocol import EndReason

# The warning comes this long before the end, or halfway through a shorter session.
WARNING_SECONDS = 300.0


@dataclass(frozen=True)
class TimeLimits:
    """None: no limit of that kind."""

    max_session_seconds: float | None = None
    consent_timeout_seconds: float | None = None
    idle_timeout_seconds: float | None = None
    control_request_timeout_seconds: float | None = None

    @classmethod
    def from_settings(
        cls,
        *,
        max_session_minutes: float | None,
        consent_timeout_seconds: float | None,
        idle_timeout_minutes: float | None,
        control_request_timeout_seconds: float | None = None,
    ) -> TimeLimits:
        return cls(
            max_session_seconds=None if max_session_minutes is None else max_session_minutes * 60,
            consent_timeout_seconds=consent_timeout_seconds,
            idle_timeout_seconds=None
            if idle_timeout_minutes is None
            else idle_timeout_minutes * 60,
            control_request_timeout_seconds=control_request_timeout_seconds,
        )


@dataclass(frozen=True)
class SessionPolicy:
    """What the organisation sets on every session: its time limits, and whether a helper may
    save pictures of the sharer's screen (``HELPLINE_ALLOW_SNAPSHOTS``)."""

    limits: TimeLimits = TimeLimits()
    snapshots: bool = True


class SessionClock:
    """The timers of one session. ``end`` closes it with a reason; ``warn`` tells both sides
    how many seconds are left. Every timer stops with :meth:`stop`."""

    def __init__(
        self,
        limits: TimeLimits,
        *,
        end: Callable[[EndReason], Awaitable[None]],
        warn: Callable[[int], Awaitable[None]],
    ) -> None:
        self._limits = limits
        self._end = end
        self._warn = warn
        self._consent: asyncio.TimerHandle | None = None
        self._idle: asyncio.TimerHandle | None = None
        self._request: asyncio.TimerHandle | None = None
        self._session: list[asyncio.TimerHandle] = []
        self._tasks: set[asyncio.Task[None]] = set()

    def awaiting_consent(self) -> None:
        if self._limits.consent_timeout_seconds is not None:
            self._consent = self._later(
                self._limits.consent_timeout_seconds, partial(self._end, EndReason.CONSENT_TIMEOUT)
            )

    def consented(self) -> None:
        """The session is under way: the consent timer stops, the session and idle ones run."""
        self._cancel(self._consent)
        self._consent = None
        longest = self._limits.max_session_seconds
        if longest is not None:
            ahead = min(WARNING_SECONDS, longest / 2)
            self._session = [
                self._later(longest - ahead, partial(self._warn, round(ahead))),
                self._later(longest, partial(self._end, EndReason.TIME_LIMIT)),
            ]
        self.activity()

    def activity(self) -> None:
        """Someone did something: the idle timer starts again."""
        if self._limits.idle_timeout_seconds is None:
            return
        self._cancel(self._idle)
        idle = self._limits.idle_timeout_seconds
        self._idle = self._later(idle, partial(self._end, EndReason.IDLE_TIMEOUT))

    def control_requested(self, lapse: Callable[[], Awaitable[None]]) -> None:
        """A control request waits for the sharer: ``lapse`` answers it if nobody does."""
        timeout = self._limits.control_request_timeout_seconds
        if timeout is not None:
            self.control_answered()
            self._request = self._later(timeout, lapse)

    def control_answered(self) -> None:
        self._cancel(self._request)
        self._request = None

    def stop(self) -> None:
        for handle in (self._consent, self._idle, self._request, *self._session):
            self._cancel(handle)
        self._consent = self._idle = self._request = None
        self._session = []

    def _later(self, delay: float, job: Callable[[], Awaitable[None]]) -> asyncio.TimerHandle:
        return asyncio.get_running_loop().call_later(max(0.0, delay), self._run, job)

    def _run(self, job: Callable[[], Awaitable[None]]) -> None:
        task = asyncio.ensure_future(job())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    @staticmethod
    def _cancel(handle: asyncio.TimerHandle | None) -> None:
        if handle is not None:
            handle.cancel()
