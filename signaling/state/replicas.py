"""Which replicas are alive, and what a dead one leaves behind to close.

Each replica refreshes a heartbeat key with a short expiry, from a thread of its own: a
replica whose event loop is busy for seconds under load is slow, not dead, and must not be
taken for dead. A replica whose key has expired is dead (killed, or cut off from Redis).
The records of the audit a replica has open are listed in Redis as well, so that a survivor
can close them for it: the session ended when its home replica died, and the audit says so.
"""

from __future__ import annotations

import logging
import threading
import time

import redis
from redis.asyncio import Redis
from redis.exceptions import RedisError

from common.permissions import ConsentLevel
from common.protocol import EndReason
from signaling.audit.disk_guard import DiskGuard
from signaling.audit.models import Outcome
from signaling.audit.recorder import AuditRecorder
from signaling.audit.store import AuditStore
from signaling.connection import Connection

log = logging.getLogger(__name__)
PREFIX = "helpline:"
MEMBERS = PREFIX + "replicas"
# Long enough for a survivor to close a dead replica's records; one claim per death.
CLAIM_MS = 60_000
# A heartbeat key lives this many periods: one late beat is not a death.
MISSED_BEATS = 3


class ReplicaRegistry:
    def __init__(
        self, client: Redis, beats: redis.Redis, replica: str, heartbeat_seconds: float
    ) -> None:
        self._redis = client
        self._beats = beats  # a blocking client, for the heartbeat thread
        self.replica = replica
        self._period = heartbeat_seconds
        self._ttl_ms = int(heartbeat_seconds * MISSED_BEATS * 1000)
        self._stop = threading.Event()
        self._beater: threading.Thread | None = None
        self._last_beat = time.monotonic()

    async def register(self) -> bool:
        """Start beating; True when no other replica is alive (then nothing else is serving)."""
        self._beat()
        self._beater = threading.Thread(target=self._keep_beating, name="heartbeat", daemon=True)
        self._beater.start()
        await self._redis.sadd(MEMBERS, self.replica)
        others = [r for r in await self._members() if r != self.replica]
        return not others or not any(await self._alive_flags(others))

    def _beat(self) -> None:
        self._beats.set(PREFIX + "alive:" + self.replica, "1", px=self._ttl_ms)
        self._last_beat = time.monotonic()

    @property
    def cut_off(self) -> bool:
        """No beat has reached Redis for as long as the others wait before they take this
        replica for dead and close what it holds: from then on its state is not its own."""
        return time.monotonic() - self._last_beat > self._ttl_ms / 1000

    async def rejoin(self) -> None:
        """Back in touch: a survivor may have forgotten us; be a member again."""
        await self._redis.sadd(MEMBERS, self.replica)

    def _keep_beating(self) -> None:
        while not self._stop.wait(self._period):
            try:
                self._beat()
            except (redis.RedisError, OSError) as exc:
                log.error("replica heartbeat failed: %s", exc)

    async def leave(self) -> None:
        """Stop beating; a survivor closes whatever we could not (nothing, after a clean stop)."""
        self._stop.set()
        await self._redis.delete(PREFIX + "alive:" + self.replica)

    async def dead_among(self, replicas: set[str]) -> set[str]:
        ordered = sorted(replicas)
        flags = await self._alive_flags(ordered)
        return {r for r, alive in zip(ordered, flags, strict=True) if not alive}

    async def alive(self, replica: str) -> bool:
        return replica == self.replica or not await self.dead_among({replica})

    async def claim_dead(self) -> list[str]:
        """Dead replicas whose leftovers this one now closes (each claimed by one survivor)."""
        members = {r for r in await self._members() if r != self.replica}
        claimed = []
        for dead in sorted(await self.dead_among(members)):
            key = PREFIX + "closing:" + dead
            if await self._redis.set(key, self.replica, nx=True, px=CLAIM_MS):
                claimed.append(dead)
        return claimed

    async def forget(self, replica: str) -> None:
        await self._redis.delete(_open_key(replica))
        await self._redis.srem(MEMBERS, replica)

    async def _members(self) -> set[str]:
        return {str(r) for r in await self._redis.smembers(MEMBERS)}

    async def _alive_flags(self, replicas: list[str]) -> list[bool]:
        async with self._redis.pipeline(transaction=False) as pipe:
            for replica in replicas:
                pipe.exists(PREFIX + "alive:" + replica)
            return [bool(n) for n in await pipe.execute()]

    # ---- audit records this replica has open ---------------------------------------

    async def note_open(self, record_id: str, consented: bool) -> None:
        try:
            await self._redis.hset(_open_key(self.replica), record_id, "1" if consented else "0")
        except (RedisError, OSError) as exc:
            # The record itself is written; only a survivor could not close it for us.
            log.error("open audit record not listed in Redis: %s", exc)

    async def note_closed(self, record_id: str) -> None:
        try:
            await self._redis.hdel(_open_key(self.replica), record_id)
        except (RedisError, OSError) as exc:
            log.error("closed audit record still listed in Redis: %s", exc)

    async def open_records(self, replica: str) -> dict[str, bool]:
        found = await self._redis.hgetall(_open_key(replica))
        return {str(record_id): flag == "1" for record_id, flag in found.items()}


def _open_key(replica: str) -> str:
    return PREFIX + "open-records:" + replica


class TrackedAuditRecorder(AuditRecorder):
    """The audit recorder, also keeping this replica's open records listed in Redis."""

    def __init__(
        self,
        store: AuditStore,
        registry: ReplicaRegistry,
        *,
        summary_window_seconds: float,
        disk: DiskGuard | None = None,
    ) -> None:
        super().__init__(store, summary_window_seconds=summary_window_seconds, disk=disk)
        self._registry = registry

    async def opened(self, helper: Connection, sharer: Connection) -> str:
        record_id = await super().opened(helper, sharer)
        await self._registry.note_open(record_id, consented=False)
        return record_id

    async def consented(
        self, record_id: str, level: ConsentLevel, *, elevation: bool = False
    ) -> None:
        await super().consented(record_id, level, elevation=elevation)
        await self._registry.note_open(record_id, consented=True)

    async def ended(self, record_id: str, reason: EndReason, outcome: Outcome | None) -> None:
        await super().ended(record_id, reason, outcome)
        if not self._registry.cut_off:  # else the survivors have forgotten the list already
            await self._registry.note_closed(record_id)

    async def close_for(self, replica: str) -> int:
        """A dead replica's sessions ended with it: its helpers' connections are gone."""
        records = await self._registry.open_records(replica)
        for record_id, consented in records.items():
            outcome = None if consented else Outcome.CANCELLED
            await super().ended(record_id, EndReason.HELPER_DISCONNECTED, outcome)
        return len(records)
