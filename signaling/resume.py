"""Carrying a session on after the server restarted: the waiting room and the rebuild.

Each side comes back on a new connection with its resume token (``resume_tokens``). The
first one waits, for a bounded time, for the other; when both are back the session is made
active again with the helper's permissions as they are now, its audit record is reopened (the
chain keeps the close at start-up and the ``resumed`` change), and both are told.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field

from common.permissions import offered_levels
from common.protocol import Ended, EndReason, Error, ErrorCode, PeerRole, Resumed, ResumeToken
from common.state_machine import StateMachine
from signaling.audit.recorder import AuditRecorder
from signaling.connection import Connection
from signaling.directory import Directory
from signaling.rbac import permissions_over
from signaling.resume_tokens import ResumeClaims, ResumeRefused, ResumeTokens
from signaling.session_limits import SessionClock
from signaling.sessions import SERVER_TRANSITIONS, PairingSession, ServerSessionState


@dataclass(eq=False)
class _Waiting:
    claims: ResumeClaims
    sides: dict[PeerRole, Connection] = field(default_factory=dict)
    timer: asyncio.TimerHandle | None = None


class ResumeLobby:
    """Sides that are back, waiting for the other one, each for a bounded time."""

    def __init__(self, wait_seconds: float, on_timeout: Callable[[Connection], None]) -> None:
        self._wait = wait_seconds
        self._on_timeout = on_timeout
        self._waiting: dict[str, _Waiting] = {}

    def arrive(
        self, claims: ResumeClaims, conn: Connection
    ) -> tuple[Connection, Connection] | None:
        """(helper, sharer) once both sides of the session are here, else None (it waits)."""
        waiting = self._waiting.setdefault(claims.session_id, _Waiting(claims))
        if waiting.claims.audit_id != claims.audit_id:
            raise ResumeRefused("that resume token does not match its session")
        waiting.sides[conn.role] = conn  # a side that reconnected again replaces itself
        helper, sharer = waiting.sides.get(PeerRole.HELPER), waiting.sides.get(PeerRole.SHARER)
        if helper is not None and sharer is not None:
            self._forget(claims.session_id)
            return helper, sharer
        if waiting.timer is None:
            waiting.timer = asyncio.get_running_loop().call_later(
                self._wait, self._expire, claims.session_id
            )
        return None

    def waiting(self, conn: Connection) -> bool:
        return any(conn in w.sides.values() for w in self._waiting.values())

    def leave(self, conn: Connection) -> None:
        """A waiting side disconnected: the other may still come, and so may it again."""
        for session_id, waiting in list(self._waiting.items()):
            if waiting.sides.get(conn.role) is conn:
                del waiting.sides[conn.role]
                if not waiting.sides:
                    self._forget(session_id)

    def _expire(self, session_id: str) -> None:
        waiting = self._waiting.pop(session_id, None)
        if waiting is not None:
            for conn in waiting.sides.values():
                self._on_timeout(conn)

    def _forget(self, session_id: str) -> None:
        waiting = self._waiting.pop(session_id, None)
        if waiting is not None and waiting.timer is not None:
            waiting.timer.cancel()


class Resumer:
    """Takes sessions back after a restart; ``sessions`` is the hub's own table of them."""

    def __init__(
        self,
        tokens: ResumeTokens,
        audit: AuditRecorder,
        directory: Directory | None,
        sessions: dict[str, PairingSession],
        wait_seconds: float,
        clock_for: Callable[[PairingSession], SessionClock] | None = None,
    ) -> None:
        """``clock_for`` gives a rebuilt session the organisation's time limits again."""
        self._clock_for = clock_for
        self._tokens = tokens
        self._audit = audit
        self._directory = directory
        self._sessions = sessions
        self._lobby = ResumeLobby(wait_seconds, self._timed_out)
        self._tasks: set[asyncio.Future[None]] = set()

    async def give_token(self, session: PairingSession, conn: Connection) -> None:
        if session.audit_id:
            token, expires_at = self._tokens.issue(session.id, session.audit_id, conn)
            await conn.send(ResumeToken(token=token, expires_at=expires_at))

    async def resume(self, conn: Connection, token: str) -> None:
        """Raises :class:`ResumeRefused`, saying why, for a token that cannot be used."""
        if self._lobby.waiting(conn):
            raise ResumeRefused("this connection is already waiting to resume")
        claims = self._tokens.verify(token, conn)
        if not await self._audit.resumable(claims.audit_id):
            raise ResumeRefused("that session has ended: it cannot be resumed")
        live = self._sessions.get(claims.session_id)
        if live is not None:
            # This server never went away; only this side's link did: it takes its place.
            await self._rejoin(live, conn)
            return
        pair = self._lobby.arrive(claims, conn)
        if pair is not None:
            await self._rebuild(claims, *pair)

    def left(self, conn: Connection) -> None:
        self._lobby.leave(conn)

    async def _rejoin(self, session: PairingSession, conn: Connection) -> None:
        old = session.helper if conn.role is PeerRole.HELPER else session.sharer
        if old is not None:
            old.session_id = None
        if conn.role is PeerRole.HELPER:
            session.helper = conn
        else:
            session.sharer = conn
        conn.session_id = session.id
        await conn.send(Resumed(session_id=session.id, permissions=sorted(session.permissions)))
        await self.give_token(session, conn)

    async def _rebuild(self, claims: ResumeClaims, helper: Connection, sharer: Connection) -> None:
        """Both sides are back: the session is active again, with today's permissions."""
        permissions = permissions_over(helper.account, sharer.device_groups, self._directory)
        offered = offered_levels(permissions)
        if not offered:
            message = "the helper's role no longer covers this device: the session cannot go on"
            for side in (helper, sharer):
                await side.send(Error(code=ErrorCode.OUT_OF_SCOPE, message=message))
                await side.send(Ended(reason=EndReason.ERROR))
            return
        await self._audit.resumed(claims.audit_id)
        session = PairingSession(
            id=claims.session_id,
            helper=helper,
            dtls_fingerprint="",
            sharer=sharer,
            machine=StateMachine(ServerSessionState.ACTIVE, SERVER_TRANSITIONS),
            permissions=permissions,
            offered=offered,
            consented=True,
            audit_id=claims.audit_id,
        )
        self._sessions[session.id] = session
        if self._clock_for is not None:
            # The longest session counts again from here: the token does not carry its start.
            session.clock = self._clock_for(session)
            session.clock.consented()
        for side in (helper, sharer):
            side.session_id = session.id
            await side.send(Resumed(session_id=session.id, permissions=sorted(permissions)))
            await self.give_token(session, side)

    def _timed_out(self, conn: Connection) -> None:
        """The other side did not come back in time: this one is told the session is over."""
        other = PeerRole.SHARER if conn.role is PeerRole.HELPER else PeerRole.HELPER
        task = asyncio.ensure_future(
            conn.send(Ended(reason=EndReason(f"{other.value}_disconnected")))
        )
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
