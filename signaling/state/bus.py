"""The replicas' bus: typed envelopes on one Redis pub/sub channel per replica.

A session lives on the replica that holds its helper (its *home*). A sharer connected to
another replica reaches it through the bus: its messages go home as ``Forward``, what the
home sends it comes back as ``Deliver``. Envelopes from one replica arrive in the order it
sent them (one writer task, one connection), and each connection's envelopes are handled
one after another, in that order, while different connections' are handled side by side (a
slow audit write for one session does not hold up the others). Each is validated here, the
one place envelopes enter.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from typing import Annotated, Literal

from pydantic import BaseModel, Field, TypeAdapter, ValidationError
from redis.asyncio import Redis
from redis.asyncio.client import PubSub
from redis.exceptions import RedisError

from common.devices.records import DeviceRecord
from common.protocol import PeerRole
from signaling.connection import Connection

log = logging.getLogger(__name__)
CHANNEL = "helpline:bus:"
FLUSH_TIMEOUT = 5.0
RESUBSCRIBE_SECONDS = 1.0


class PeerCard(BaseModel):
    """Who a remote participant is: enough for the home replica to apply the rules."""

    role: PeerRole
    tenant: str
    oid: str
    upn: str
    name: str
    address: str
    device_name: str
    # The enrolled device the sharer proved at its own replica (scope and audit follow it).
    device: DeviceRecord | None = None


def card_of(conn: Connection) -> PeerCard:
    principal = conn.account.principal
    return PeerCard(
        role=conn.role,
        tenant=principal.tenant,
        oid=principal.oid,
        upn=principal.upn,
        name=principal.name,
        address=conn.address,
        device_name=conn.device_name,
        device=conn.device,
    )


class Join(BaseModel):
    kind: Literal["join"] = "join"
    sender: str  # the connection's id on the replica that sent this
    replica: str
    session_id: str
    peer: PeerCard


class Forward(BaseModel):
    kind: Literal["forward"] = "forward"
    sender: str
    replica: str
    message: str  # one protocol message, as the app sent it (already parsed once)


class Gone(BaseModel):
    kind: Literal["gone"] = "gone"
    sender: str


class Deliver(BaseModel):
    kind: Literal["deliver"] = "deliver"
    to: str
    message: str  # encoded by the home replica's hub
    # A resume token: should the home die, this connection's app may take the session on.
    resumable: bool = False


class Detach(BaseModel):
    """The session is over for this connection (or never began): its messages stay local."""

    kind: Literal["detach"] = "detach"
    to: str


class ResumeReady(BaseModel):
    """A sharer is back with its resume token, on the sender's replica: the helper's side,
    here, may take it (``signaling.pairing.resume_across``)."""

    kind: Literal["resume_ready"] = "resume_ready"
    session_id: str


class Attach(BaseModel):
    """The resumed session of this waiting connection is held by ``home`` from now on."""

    kind: Literal["attach"] = "attach"
    to: str
    home: str


class DevicePush(BaseModel):
    """Something became ready for a device: the replica its agent is connected to sends it.
    ``retire``: the device was deleted, and its agent is told to drop its key."""

    kind: Literal["device_push"] = "device_push"
    device_id: str
    retire: Literal["deleted", "retired"] | None = None


Sent = Join | Forward | Gone | Deliver | Detach | ResumeReady | Attach | DevicePush
Envelope = Annotated[Sent, Field(discriminator="kind")]
ENVELOPE: TypeAdapter[Envelope] = TypeAdapter(Envelope)


class RedisBus:
    def __init__(
        self, redis: Redis, replica: str, receive: Callable[[Envelope], Awaitable[None]]
    ) -> None:
        self._redis = redis
        self._replica = replica
        self._receive = receive
        self._outbox: asyncio.Queue[tuple[str, str]] = asyncio.Queue()
        self._tasks: list[asyncio.Task[None]] = []
        # The last envelope handled or waiting for each connection: the next one waits for it.
        self._lanes: dict[str, asyncio.Task[None]] = {}
        # Whether envelopes sent to us arrive now: false from a lost subscription until the
        # next one is made.
        self.subscribed = False

    async def start(self) -> None:
        """Subscribed before this returns: nothing sent to us from now on is missed."""
        pubsub = await self._subscribe()
        self._tasks = [
            asyncio.create_task(self._read(pubsub)),
            asyncio.create_task(self._write()),
        ]

    async def _subscribe(self) -> PubSub:
        pubsub = self._redis.pubsub(ignore_subscribe_messages=True)
        await pubsub.subscribe(CHANNEL + self._replica)
        self.subscribed = True
        return pubsub

    def publish(self, replica: str, envelope: Sent) -> None:
        """Queue for ``replica``; sent in order, without making the caller wait."""
        self._outbox.put_nowait((CHANNEL + replica, envelope.model_dump_json()))

    async def stop(self) -> None:
        """What was queued goes out (the ends told at shutdown); then the bus closes."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._outbox.join(), FLUSH_TIMEOUT)
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    async def _write(self) -> None:
        while True:
            batch = [await self._outbox.get()]
            while not self._outbox.empty():
                batch.append(self._outbox.get_nowait())
            try:
                async with self._redis.pipeline(transaction=False) as pipe:
                    for channel, data in batch:
                        pipe.publish(channel, data)
                    await pipe.execute()
            except RedisError as exc:
                log.error("bus publish failed, %d envelopes lost: %s", len(batch), exc)
            finally:
                for _ in batch:
                    self._outbox.task_done()

    async def _read(self, pubsub: PubSub) -> None:
        """Envelopes for us, until stopped; a lost Redis connection is subscribed again."""
        try:
            while True:
                try:
                    async for item in pubsub.listen():
                        if item.get("type") != "message":
                            continue
                        try:
                            envelope = ENVELOPE.validate_json(item["data"])
                        except ValidationError:
                            log.error("bus envelope refused: not one of ours")
                            continue
                        self._queue_in_lane(envelope)
                except (RedisError, OSError) as exc:
                    self.subscribed = False
                    log.error("bus subscription lost: %s", exc)
                    pubsub = await self._subscribe_again(pubsub)
        finally:
            with contextlib.suppress(RedisError, OSError):
                await pubsub.aclose()

    async def _subscribe_again(self, lost: PubSub) -> PubSub:
        with contextlib.suppress(RedisError, OSError):
            await lost.aclose()
        while True:
            await asyncio.sleep(RESUBSCRIBE_SECONDS)
            try:
                return await self._subscribe()
            except (RedisError, OSError) as exc:
                log.error("bus cannot subscribe yet: %s", exc)

    def _queue_in_lane(self, envelope: Envelope) -> None:
        lane = _lane(envelope)
        task = asyncio.create_task(self._handle(self._lanes.get(lane), envelope))
        self._lanes[lane] = task

        def done(finished: asyncio.Task[None]) -> None:
            if self._lanes.get(lane) is finished:
                del self._lanes[lane]

        task.add_done_callback(done)

    async def _handle(self, before: asyncio.Task[None] | None, envelope: Envelope) -> None:
        if before is not None:
            await asyncio.wait([before])
        try:
            await self._receive(envelope)
        except Exception:  # one envelope's bug must not stop the bus
            log.exception("bus envelope handling failed kind=%s", envelope.kind)


def _lane(envelope: Envelope) -> str:
    """Envelopes about one connection (or session, or device) are handled in order."""
    if isinstance(envelope, Deliver | Detach | Attach):
        return envelope.to
    if isinstance(envelope, ResumeReady):
        return "session:" + envelope.session_id
    if isinstance(envelope, DevicePush):
        return "device:" + envelope.device_id
    return envelope.sender
