"""Carrying a session on after the server restarted: the waiting room and the rebuild.

Each side comes back on a new connection with its resume token (``resume_tokens``). The
first one waits, for a bounded time, for the other; when both are back the session is made
active again with the helper's permissions as they are now, its audit record is reopened (the
chain keeps the close at start-up and the ``resumed`` change), and both are told. Behind
several replicas the two sides may come back to two of them: a ``Rendezvous``
(``signaling.pairing.resume_across``) finds the other side, and the session is rebuilt where the
helper is.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Protocol

from common.permissions import offered_levels
from common.protocol import Ended, EndReason, Error, ErrorCode, PeerRole, Resumed, ResumeToken
from common.state_machine import StateMachine
from signaling.audit.recorder import AuditRecorder
from signaling.connection import Connection
from signaling.identity.directory import Directory
from signaling.identity.rbac import permissions_over
from signaling.pairing.resume_tokens import ResumeClaims, ResumeRefused, ResumeTokens
from signaling.pairing.session_limits import SessionClock
from signaling.pairing.sessions import SERVER_TRANSITIONS, PairingSession, ServerSessionState


@dataclass(eq=False)
class _Waiting:
    claims: ResumeClaims
    sides: dict[PeerRole, Connection] = field(default_factory=dict)
    timer: asyncio.TimerHandle | None = None


class ResumeLobby:
    """Sides that are back, waiting for the other one, each for a bounded time."""

    def __init__(
        self, wait_seconds: float, on_timeout: Callable[[ResumeClaims, Connection], None]
    ) -> None:
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

    def leave(self, conn: Connection) -> list[ResumeClaims]:
        """A waiting side disconnected (or its session was taken on elsewhere): the other
        may still come, and so may it again. The claims it was waiting with."""
        left = []
        for session_id, waiting in list(self._waiting.items()):
            if waiting.sides.get(conn.role) is conn:
                del waiting.sides[conn.role]
                left.append(waiting.claims)
                if not waiting.sides:
                    self._forget(session_id)
        return left

    def take(self, session_id: str, role: PeerRole) -> tuple[ResumeClaims, Connection] | None:
        """The side of this session waiting here, now no longer waiting."""
        waiting = self._waiting.get(session_id)
        conn = waiting.sides.get(role) if waiting is not None else None
        if waiting is None or conn is None:
            return None
        self.leave(conn)
        return waiting.claims, conn

    def find(self, conn_id: str) -> Connection | None:
        for waiting in self._waiting.values():
            for conn in waiting.sides.values():
                if conn.id == conn_id:
                    return conn
        return None

    def _expire(self, session_id: str) -> None:
        waiting = self._waiting.pop(session_id, None)
        if waiting is not None:
            for conn in waiting.sides.values():
                self._on_timeout(waiting.claims, conn)

    def _forget(self, session_id: str) -> None:
        waiting = self._waiting.pop(session_id, None)
        if waiting is not None and waiting.timer is not None:
            waiting.timer.cancel()


class Rendezvous(Protocol):
    """Where a side that is back meets the other side when that one reached another replica."""

    replica: str

    def bind(self, resumer: Resumer) -> None: ...

    async def arrived(self, claims: ResumeClaims, conn: Connection) -> None:
        """``conn`` waits here for the other side; it may be waiting elsewhere already."""

    async def left(self, claims: ResumeClaims, conn: Connection) -> None:
        """``conn`` waits no longer (it went away, or the wait is over)."""

    async def settled(self, session_id: str) -> None:
        """Both sides found each other on this replica."""


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
        rendezvous: Rendezvous | None = None,
    ) -> None:
        """``clock_for`` gives a rebuilt session the organisation's time limits again;
        ``rendezvous`` reaches the other replicas (None: one process)."""
        self._clock_for = clock_for
        self._tokens = tokens
        self._audit = audit
        self._directory = directory
        self._sessions = sessions
        self._lobby = ResumeLobby(wait_seconds, self._timed_out)
        self._tasks: set[asyncio.Future[None]] = set()
        self._rendezvous = rendezvous
        if rendezvous is not None:
            rendezvous.bind(self)

    async def give_token(self, session: PairingSession, conn: Connection) -> None:
        if session.audit_id:
            home = self._rendezvous.replica if self._rendezvous is not None else ""
            token, expires_at = self._tokens.issue(session.id, session.audit_id, conn, home)
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
            await self.rejoin(live, conn)
            await self._settled(claims.session_id)
            return
        pair = self._lobby.arrive(claims, conn)
        if pair is not None:
            await self._settled(claims.session_id)
            await self.rebuild(claims, *pair)
        elif self._rendezvous is not None:
            await self._rendezvous.arrived(claims, conn)

    def left(self, conn: Connection) -> None:
        for claims in self._lobby.leave(conn):
            if self._rendezvous is not None:
                self._spawn(self._rendezvous.left(claims, conn))

    # ---- what the rendezvous asks ----------------------------------------------------

    def live(self, session_id: str) -> PairingSession | None:
        return self._sessions.get(session_id)

    def take_waiting(
        self, session_id: str, role: PeerRole
    ) -> tuple[ResumeClaims, Connection] | None:
        """The side of this session waiting here, taken out of the wait."""
        return self._lobby.take(session_id, role)

    def hand_over(self, conn_id: str) -> Connection | None:
        """A waiting connection whose session another replica took on: it waits no more."""
        conn = self._lobby.find(conn_id)
        if conn is not None:
            self._lobby.leave(conn)
        return conn

    async def _settled(self, session_id: str) -> None:
        if self._rendezvous is not None:
            await self._rendezvous.settled(session_id)

    # ---- taking the session on ---------------------------------------------------

    async def rejoin(self, session: PairingSession, conn: Connection) -> None:
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

    async def rebuild(self, claims: ResumeClaims, helper: Connection, sharer: Connection) -> None:
        """Both sides are back: the session is active again, with today's permissions."""
        permissions = permissions_over(helper.account, sharer.device_groups, self._directory)
        offered = offered_levels(permissions)
        if not offered:
            message = "the helper's role no longer covers this device: the session cannot go on"
            for side in (helper, sharer):
                await side.send(Error(code=ErrorCode.OUT_OF_SCOPE, message=message))
                await side.send(Ended(reason=EndReason.ERROR))
            return
        await self._audit.resumed(claims.audit_id, held_by=claims.replica)
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

    def _timed_out(self, claims: ResumeClaims, conn: Connection) -> None:
        """The other side did not come back in time: this one is told the session is over."""
        other = PeerRole.SHARER if conn.role is PeerRole.HELPER else PeerRole.HELPER
        self._spawn(conn.send(Ended(reason=EndReason(f"{other.value}_disconnected"))))
        if self._rendezvous is not None:
            self._spawn(self._rendezvous.left(claims, conn))

    def _spawn(self, job: Awaitable[None]) -> None:
        task = asyncio.ensure_future(job)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
