"""Device pushes across replicas: an action requested at one replica reaches the device's
agent at once, whichever replica its websocket is connected to.

What became ready for a device is announced on one Redis channel that every replica reads;
the replica holding the agent's link pushes it, the others have nothing to do. Which actions
go out is decided in the database, in one transaction (``DeviceStore.deliver``), so the
exactly-once rules are those of one process; an announcement lost with Redis costs only the
wait for the agent's next check-in, which delivers what is pending.
"""

from __future__ import annotations

from typing import Literal, Protocol

from redis.asyncio import Redis

from signaling.state.bus import DevicePush, Envelope, RedisBus

CHANNEL = "devices"  # helpline:bus:devices, read by every replica
Reason = Literal["deleted", "retired"]


class Agents(Protocol):
    """The agents connected to this replica (``DeviceService``)."""

    async def push_here(self, device_id: str) -> None: ...

    async def retire_here(self, device_id: str, reason: Reason) -> None: ...


class DevicePushes:
    def __init__(self, redis: Redis) -> None:
        self._bus = RedisBus(redis, CHANNEL, self._receive)
        self._service: Agents | None = None

    async def start(self, service: Agents) -> None:
        self._service = service
        await self._bus.start()

    async def stop(self) -> None:
        await self._bus.stop()

    def announce(self, device_id: str, retire: Reason | None = None) -> None:
        self._bus.publish(CHANNEL, DevicePush(device_id=device_id, retire=retire))

    async def _receive(self, envelope: Envelope) -> None:
        if self._service is None or not isinstance(envelope, DevicePush):
            return
        if envelope.retire is not None:
            await self._service.retire_here(envelope.device_id, envelope.retire)
        else:
            await self._service.push_here(envelope.device_id)
