"""Console sessions, kept on the server: the cookie holds only a random id, so signing out
(or a restart) ends a session for good, and nothing about the person travels in the cookie.

A session starts anonymous (it carries the CSRF token of the sign-in form) and a new one, with
a new id, replaces it at sign-in, so an id planted before sign-in is worth nothing after.
"""

from __future__ import annotations

import secrets
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field

from signaling.identity.rbac import Account

# Anonymous sessions exist only to carry the sign-in form's CSRF token.
ANONYMOUS_SECONDS = 600.0
MAX_SESSIONS = 10_000


@dataclass
class ConsoleSession:
    id: str
    csrf: str
    account: Account | None
    created: float
    seen: float
    flash: list[str] = field(default_factory=list)


class ConsoleSessions:
    def __init__(
        self,
        *,
        idle_seconds: float,
        absolute_seconds: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._idle = idle_seconds
        self._absolute = absolute_seconds
        self._clock = clock
        self._sessions: OrderedDict[str, ConsoleSession] = OrderedDict()

    def start(self, account: Account | None = None) -> ConsoleSession:
        now = self._clock()
        self._forget_expired(now)
        while len(self._sessions) >= MAX_SESSIONS:
            # A flood of sign-in pages makes anonymous sessions: they go first, oldest first,
            # so nobody signed in is pushed out by someone loading the sign-in page.
            anonymous = next((k for k, v in self._sessions.items() if v.account is None), None)
            if anonymous is None:
                self._sessions.popitem(last=False)
            else:
                del self._sessions[anonymous]
        session = ConsoleSession(
            id=secrets.token_urlsafe(32),
            csrf=secrets.token_urlsafe(32),
            account=account,
            created=now,
            seen=now,
        )
        self._sessions[session.id] = session
        return session

    def get(self, session_id: str | None) -> ConsoleSession | None:
        """The live session with this id, now seen again; None when it ended or expired."""
        if not session_id:
            return None
        session = self._sessions.get(session_id)
        if session is None:
            return None
        now = self._clock()
        if self._expired(session, now):
            del self._sessions[session_id]
            return None
        session.seen = now
        return session

    def end(self, session_id: str) -> None:
        self._sessions.pop(session_id, None)

    def _expired(self, session: ConsoleSession, now: float) -> bool:
        if session.account is None:
            return now - session.created > ANONYMOUS_SECONDS
        return now - session.seen > self._idle or now - session.created > self._absolute

    def _forget_expired(self, now: float) -> None:
        for session_id, session in list(self._sessions.items()):
            if self._expired(session, now):
                del self._sessions[session_id]
