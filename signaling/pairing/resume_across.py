"""Resume across replicas: the two sides of a session find each other wherever they are back.

A replica that dies takes its websockets with it; the apps come back with their resume
tokens, through the load balancer, to any replica. Each side that is back says where it
waits in Redis (``state.resume_lobby``). The session is taken on where the helper is:

- the helper is back here and the sharer waits at another replica: the sharer becomes a
  remote participant here (``Attach`` tells its replica), the session is rebuilt as after a
  restart, with today's permissions;
- the sharer is back here and the helper waits elsewhere: the helper's replica is told
  (``ResumeReady``) and does the above;
- the sharer's replica died under a session held here: the session is held for the wait, and
  the sharer, back at any replica, takes its place in it.

A side nobody meets is told the session is over once the wait ends, as after a restart.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable
from typing import TYPE_CHECKING, Protocol

from common.protocol import PeerRole
from signaling.connection import Connection
from signaling.pairing.resume_tokens import ResumeClaims
from signaling.pairing.sessions import PairingSession, ServerSessionState
from signaling.state.bus import ResumeReady, Sent, card_of
from signaling.state.resume_lobby import RedisResumeLobby, Side

if TYPE_CHECKING:
    from signaling.pairing.resume import Resumer

log = logging.getLogger(__name__)


class Carrier(Protocol):
    """What this needs of the replica link: the bus, and participants across it."""

    replica: str

    def publish(self, replica: str, envelope: Sent) -> None: ...

    def adopt(self, sharer: Side) -> Connection:
        """A participant here for a sharer waiting at ``sharer.replica`` (told ``Attach``)."""
        ...

    async def lost(self, peer: Connection) -> None:
        """A participant here did not come back: as if it disconnected."""


class ResumeAcross:
    def __init__(self, carrier: Carrier, lobby: RedisResumeLobby, wait_seconds: float) -> None:
        self.replica = carrier.replica
        self._carrier = carrier
        self._lobby = lobby
        self._wait = wait_seconds
        self._resumer: Resumer | None = None
        # Sessions held here whose sharer's replica died: the sharer, and the end of the wait.
        self._held: dict[str, tuple[Connection, asyncio.TimerHandle]] = {}
        self._tasks: set[asyncio.Future[None]] = set()

    def bind(self, resumer: Resumer) -> None:
        self._resumer = resumer

    def _session_of(self, peer: Connection) -> PairingSession | None:
        """The live session ``peer`` takes part in, from the hub's table (by its id)."""
        assert self._resumer is not None
        return self._resumer.live(peer.session_id) if peer.session_id else None

    # ---- the Resumer's side (signaling.pairing.resume.Rendezvous) ---------------------------

    async def arrived(self, claims: ResumeClaims, conn: Connection) -> None:
        card = card_of(conn) if conn.role is PeerRole.SHARER else None
        side = Side(replica=self.replica, conn=conn.id, audit_id=claims.audit_id, card=card)
        sides = await self._lobby.arrive(claims.session_id, conn.role, side)
        if conn.role is PeerRole.HELPER:
            sharer = sides.get(PeerRole.SHARER)
            if sharer is not None and sharer.replica != self.replica:
                await self._take_on(claims.session_id, sharer)
            return
        helper = sides.get(PeerRole.HELPER)
        if helper is not None and helper.replica != self.replica:
            self._carrier.publish(helper.replica, ResumeReady(session_id=claims.session_id))

    async def left(self, claims: ResumeClaims, conn: Connection) -> None:
        await self._lobby.leave(claims.session_id, conn.role, conn.id)

    async def settled(self, session_id: str) -> None:
        held = self._held.pop(session_id, None)
        if held is not None:
            held[1].cancel()
        await self._lobby.forget(session_id)

    # ---- the link's side -------------------------------------------------------------

    async def ready(self, session_id: str) -> None:
        """A sharer is back at another replica, and the helper's side may be here."""
        sharer = (await self._lobby.sides(session_id)).get(PeerRole.SHARER)
        if sharer is not None and sharer.replica != self.replica:
            await self._take_on(session_id, sharer)

    def hand_over(self, conn_id: str) -> Connection | None:
        """A connection waiting here whose session another replica took on."""
        assert self._resumer is not None
        return self._resumer.hand_over(conn_id)

    async def hold(self, peer: Connection) -> bool:
        """The sharer's replica died under a session held here: True when the session waits
        for it to come back (an active one), False when it ends now."""
        session = self._session_of(peer)
        if (
            session is None
            or peer.role is not PeerRole.SHARER
            or session.state is not ServerSessionState.ACTIVE
            or not session.audit_id
        ):
            return False
        session_id = session.id
        timer = asyncio.get_running_loop().call_later(
            self._wait, lambda: self._spawn(self._give_up(session_id, peer))
        )
        self._held[session_id] = (peer, timer)
        log.warning("sharer's replica gone, session held for its resume")
        side = Side(replica=self.replica, conn=session.helper.id, audit_id=session.audit_id)
        sides = await self._lobby.arrive(session.id, PeerRole.HELPER, side)
        sharer = sides.get(PeerRole.SHARER)
        if sharer is not None and sharer.replica != self.replica:
            await self._take_on(session.id, sharer)
        return True

    async def _give_up(self, session_id: str, peer: Connection) -> None:
        """The sharer did not come back: the session ends as it would have at once."""
        self._held.pop(session_id, None)
        session = self._session_of(peer)
        if session is None:
            return  # it ended meanwhile
        await self._lobby.leave(session_id, PeerRole.HELPER, session.helper.id)
        await self._carrier.lost(peer)

    async def _take_on(self, session_id: str, sharer: Side) -> None:
        """The helper's side is here (waiting, or holding the session): the sharer, waiting
        at its replica, joins it. Whoever of two racing arrivals takes the side first does."""
        resumer = self._resumer
        assert resumer is not None
        held = self._held.pop(session_id, None)
        if held is not None:
            held[1].cancel()
            live = resumer.live(session_id)
            if live is None or live.audit_id != sharer.audit_id:
                return
            peer = self._carrier.adopt(sharer)
            await self._lobby.forget(session_id)
            await resumer.rejoin(live, peer)
            return
        waiting = resumer.take_waiting(session_id, PeerRole.HELPER)
        if waiting is None:
            return  # not here, or taken on already
        claims, helper = waiting
        if claims.audit_id != sharer.audit_id:
            return
        peer = self._carrier.adopt(sharer)
        await self._lobby.forget(session_id)
        await resumer.rebuild(claims, helper, peer)

    def _spawn(self, job: Awaitable[None]) -> None:
        task = asyncio.ensure_future(job)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
