"""Replicas acting as one: the glue between this replica's hub and the others'.

A session is held by its *home*, the replica with the helper's websocket. When a sharer on
another replica redeems the code, that replica marks the sharer's connection as homed there
and carries its messages home; the home's hub sees a ``RemotePeer`` and applies the same
rules as to a local websocket. Every heartbeat period this replica also looks at the
replicas its sessions depend on: a dead one's participants are disconnected here, and the
audit records a dead replica left open are closed by one survivor. Sessions under way go on
through a resume at whichever replicas their apps reach (``resume_across``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass, field
from typing import Protocol

from redis.asyncio import Redis
from redis.exceptions import RedisError

from common.protocol import (
    Ended,
    EndReason,
    Error,
    ErrorCode,
    Message,
    ResumeToken,
    encode_message,
    parse_message,
)
from signaling.admission import SERVICE_RESTART
from signaling.audit.recorder import AuditUnavailable
from signaling.connection import Connection
from signaling.identity.directory import Directory
from signaling.identity.rbac import account_for
from signaling.identity.tokens import Principal
from signaling.pairing.resume_across import ResumeAcross
from signaling.state.bus import (
    Attach,
    Deliver,
    Detach,
    Envelope,
    Forward,
    Gone,
    Join,
    PeerCard,
    RedisBus,
    ResumeReady,
    Sent,
    card_of,
)
from signaling.state.codes import PendingCode
from signaling.state.redis_codes import RedisCodes
from signaling.state.replicas import ReplicaRegistry, TrackedAuditRecorder
from signaling.state.resume_lobby import RedisResumeLobby, Side

log = logging.getLogger(__name__)


class Home(Protocol):
    """What the link asks of this replica's hub (``signaling.pairing.hub.Hub``): the rules applied
    to what arrives from the other replicas, and the end of every session held here."""

    async def join(self, conn: Connection, session_id: str) -> None: ...
    async def handle(self, conn: Connection, message: Message) -> None: ...
    async def disconnected(self, conn: Connection) -> None: ...
    async def end_all(self, reason: EndReason) -> None: ...


@dataclass(eq=False, kw_only=True)
class RemotePeer(Connection):
    """A participant whose websocket is on another replica."""

    replica: str
    link: ReplicaLink = field(repr=False)

    async def send(self, message: Message) -> None:
        resumable = isinstance(message, ResumeToken)
        self.link.deliver(self, encode_message(message), resumable=resumable)

    async def send_text(self, text: str) -> None:
        self.link.deliver(self, text)


class ReplicaLink:
    def __init__(
        self,
        *,
        redis: Redis,
        registry: ReplicaRegistry,
        codes: RedisCodes,
        audit: TrackedAuditRecorder,
        directory: Directory | None,
        heartbeat_seconds: float,
        resume_wait_seconds: float,
    ) -> None:
        self.replica = registry.replica
        self._registry = registry
        self._bus = RedisBus(redis, self.replica, self._receive)
        self._codes = codes
        self._audit = audit
        self._directory = directory
        self._period = heartbeat_seconds
        self._hub: Home | None = None
        # Here: participants of sessions held here, whose websockets are elsewhere.
        self._peers: dict[str, RemotePeer] = {}
        # Here: websockets whose sessions are held elsewhere.
        self._away: dict[str, Connection] = {}
        # Here: those of them that hold a resume token (their apps may take the session on).
        self._tokened: set[str] = set()
        self._watcher: asyncio.Task[None] | None = None
        self._cut_off = False
        lobby = RedisResumeLobby(redis, resume_wait_seconds)
        self.rendezvous = ResumeAcross(self, lobby, resume_wait_seconds)

    async def start(self, hub: Home) -> bool:
        """Join the replicas; True when no other is alive (nothing else is serving)."""
        self._hub = hub
        alone = await self._registry.register()
        await self._bus.start()
        self._watcher = asyncio.create_task(self._watch())
        return alone

    async def stop(self) -> None:
        if self._watcher is not None:
            self._watcher.cancel()
            await asyncio.gather(self._watcher, return_exceptions=True)
        await self._bus.stop()
        with contextlib.suppress(RedisError):
            await self._registry.leave()

    # ---- the sharer's replica ------------------------------------------------------

    async def join(self, conn: Connection, pending: PendingCode) -> bool:
        """Hand the redeem to the code's home; False when that replica is dead."""
        if not await self._registry.alive(pending.replica):
            return False
        conn.home = pending.replica
        self._away[conn.id] = conn
        join = Join(
            sender=conn.id,
            replica=self.replica,
            session_id=pending.session_id,
            peer=card_of(conn),
        )
        self._bus.publish(pending.replica, join)
        return True

    def forward(self, conn: Connection, message: Message) -> None:
        assert conn.home is not None
        envelope = Forward(sender=conn.id, replica=self.replica, message=encode_message(message))
        self._bus.publish(conn.home, envelope)

    def gone(self, conn: Connection) -> None:
        self._tokened.discard(conn.id)
        if self._away.pop(conn.id, None) is not None and conn.home is not None:
            self._bus.publish(conn.home, Gone(sender=conn.id))
        conn.home = None

    def _attached(self, envelope: Attach) -> None:
        """This connection's resumed session is held by another replica from now on."""
        conn = self.rendezvous.hand_over(envelope.to)
        if conn is None:  # it went away while the other replica took it on
            self._bus.publish(envelope.home, Gone(sender=envelope.to))
            return
        conn.home = envelope.home
        self._away[conn.id] = conn

    # ---- the home replica ----------------------------------------------------------

    def deliver(self, peer: RemotePeer, text: str, *, resumable: bool = False) -> None:
        self._bus.publish(peer.replica, Deliver(to=peer.id, message=text, resumable=resumable))
        self._settle(peer)

    def publish(self, replica: str, envelope: Sent) -> None:
        self._bus.publish(replica, envelope)

    def adopt(self, sharer: Side) -> Connection:
        """A sharer waiting to resume at its replica joins a session here."""
        assert sharer.card is not None
        peer = self._peer_for(sharer.conn, sharer.replica, sharer.card)
        self._peers[peer.id] = peer
        self._bus.publish(peer.replica, Attach(to=peer.id, home=self.replica))
        return peer

    async def lost(self, peer: Connection) -> None:
        hub = self._hub
        assert hub is not None
        await hub.disconnected(peer)

    def _settle(self, peer: RemotePeer) -> None:
        """A peer whose session is over (or never began) goes back to its own replica."""
        if peer.session_id is None and self._peers.pop(peer.id, None) is not None:
            self._bus.publish(peer.replica, Detach(to=peer.id))

    async def _receive(self, envelope: Envelope) -> None:
        hub = self._hub
        assert hub is not None
        if isinstance(envelope, Join):
            peer = self._peer_for(envelope.sender, envelope.replica, envelope.peer)
            self._peers[peer.id] = peer
            await hub.join(peer, envelope.session_id)
            self._settle(peer)
        elif isinstance(envelope, Forward):
            found = self._peers.get(envelope.sender)
            if found is None:
                # The session ended while this was on its way.
                late = Error(code=ErrorCode.WRONG_STATE, message="no active session")
                self._bus.publish(
                    envelope.replica, Deliver(to=envelope.sender, message=encode_message(late))
                )
                self._bus.publish(envelope.replica, Detach(to=envelope.sender))
                return
            await hub.handle(found, parse_message(envelope.message))
            self._settle(found)
        elif isinstance(envelope, Gone):
            gone = self._peers.pop(envelope.sender, None)
            if gone is not None:
                await hub.disconnected(gone)
        elif isinstance(envelope, Deliver):
            conn = self._away.get(envelope.to)
            if conn is not None:
                if envelope.resumable:
                    self._tokened.add(conn.id)
                await conn.send_text(envelope.message)
        elif isinstance(envelope, ResumeReady):
            await self.rendezvous.ready(envelope.session_id)
        elif isinstance(envelope, Attach):
            self._attached(envelope)
        elif isinstance(envelope, Detach):
            self._tokened.discard(envelope.to)
            detached = self._away.pop(envelope.to, None)
            if detached is not None:
                detached.home = None

    def _peer_for(self, conn_id: str, replica: str, card: PeerCard) -> RemotePeer:
        principal = Principal(tenant=card.tenant, oid=card.oid, upn=card.upn, name=card.name)
        return RemotePeer(
            id=conn_id,
            role=card.role,
            account=account_for(principal, self._directory),
            address=card.address,
            device_name=card.device_name,
            device=card.device,
            replica=replica,
            link=self,
        )

    # ---- liveness ------------------------------------------------------------------

    @property
    def cut_off(self) -> bool:
        """Cut off from Redis: the others have given this replica up, so it takes no session."""
        return self._cut_off

    async def _watch(self) -> None:
        while True:
            # Decided from this process's own heartbeat record, before anything that needs
            # Redis: a check waiting on a Redis that no longer answers must not delay it.
            try:
                await self._mind_the_group()
            except (RedisError, OSError) as exc:
                log.error("replica group check failed: %s", exc)
            if not self._cut_off:
                try:
                    await asyncio.wait_for(self._check(), timeout=self._period * 4)
                except (RedisError, OSError, TimeoutError) as exc:
                    log.error("replica liveness check failed: %s", exc or "timed out")
            await asyncio.sleep(self._period)

    async def _mind_the_group(self) -> None:
        """A replica the others take for dead must not carry on as if it were alive: they
        have closed its sessions in the audit and dropped its codes. It ends its sessions
        with that reason and refuses new ones until Redis answers again."""
        hub = self._hub
        assert hub is not None
        if self._registry.cut_off and not self._cut_off:
            self._cut_off = True
            log.error("cut off from Redis: ending this replica's sessions, refusing new ones")
            for conn in list(self._away.values()):
                self._away.pop(conn.id, None)
                conn.home = None
                await conn.send(Ended(reason=EndReason.SERVER_CUT_OFF))
            self._peers.clear()
            self._tokened.clear()
            await hub.end_all(EndReason.SERVER_CUT_OFF)
        elif self._cut_off and not self._registry.cut_off and self._bus.subscribed:
            await self._registry.rejoin()
            self._cut_off = False
            log.warning("in touch with Redis again: taking new sessions")

    async def _check(self) -> None:
        hub = self._hub
        assert hub is not None
        needed = {p.replica for p in self._peers.values()} | {
            c.home for c in self._away.values() if c.home is not None
        }
        dead = await self._registry.dead_among(needed) if needed else set()
        for peer in [p for p in self._peers.values() if p.replica in dead]:
            self._peers.pop(peer.id, None)
            if not await self.rendezvous.hold(peer):
                log.warning("replica gone, its participant disconnected replica=%s", peer.replica)
                await hub.disconnected(peer)
        for conn in [c for c in self._away.values() if c.home in dead]:
            log.warning("replica gone, its session's participant here told replica=%s", conn.home)
            self._away.pop(conn.id, None)
            conn.home = None
            if conn.id in self._tokened:
                # Its app comes back on a new websocket, with its token, as after a restart.
                self._tokened.discard(conn.id)
                await conn.close(SERVICE_RESTART)
            else:
                await conn.send(Ended(reason=EndReason.HELPER_DISCONNECTED))
        for replica in await self._registry.claim_dead():
            try:
                closed = await self._audit.close_for(replica)
            except AuditUnavailable:
                continue  # claimed again once the claim lapses
            dropped = await self._codes.drop_replica(replica)
            await self._registry.forget(replica)
            log.warning(
                "closed what a dead replica left replica=%s records=%d codes=%d",
                replica,
                closed,
                dropped,
            )
