"""Which replicas are alive, and what a dead one leaves behind to close.

Each replica refreshes a heartbeat key with a short expiry, from a thread of its own: a
replica whose event loop is busy for seconds under load is slow, not dead, and must not be
taken for dead. A replica whose key has expired is dead (killed, or cut off from Redis).
The records of the audit a replica has open are listed in Redis as well, so that a survivor
can close them for it. A session that was under way is closed as interrupted, as a restart
closes it, because its two apps may take it on at another replica (``resume_across``); one
still waiting for consent ended with its helper's connection, and the audit says so.
"""

from __future__ import annotations

import asyncio
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
from signaling.audit.recorder import AuditRecorder, AuditUnavailable
from signaling.audit.store import AuditStore
from signaling.connection import Connection

log = logging.getLogger(__name__)
PREFIX = "helpline:"
MEMBERS = PREFIX + "replicas"
# Long enough for a survivor to close a dead replica's records; one claim per death.
CLAIM_MS = 60_000
# A heartbeat key lives this many periods: one late beat is not a death.
MISSED_BEATS = 3
# How long a replica taking a session on waits for a survivor's close of its record (10 s).
CLOSE_CHECKS, CLOSE_CHECK_SECONDS = 200, 0.05


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

    async def take_record(self, replica: str, record_id: str) -> bool:
        """Take one record off ``replica``'s list: True for the one caller that did."""
        return bool(await self._redis.hdel(_open_key(replica), record_id))

    async def put_back(self, replica: str, record_id: str, consented: bool) -> None:
        await self._redis.hset(_open_key(replica), record_id, "1" if consented else "0")


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

    async def resumed(self, record_id: str, *, held_by: str = "") -> None:
        """The session goes on here: its record is this replica's to close from now on."""
        if held_by and held_by != self._registry.replica:
            if not await self._registry.take_record(held_by, record_id):
                # A survivor took it first, to close it as interrupted: reopened after that.
                await self._closed(record_id)
        await super().resumed(record_id)
        await self._registry.note_open(record_id, consented=True)

    async def _closed(self, record_id: str) -> None:
        """The survivor's close lands right after its claim (one write): seen in a moment."""
        for _ in range(CLOSE_CHECKS):
            if not await self.is_open(record_id):
                return
            await asyncio.sleep(CLOSE_CHECK_SECONDS)

    async def close_for(self, replica: str) -> int:
        """What a dead replica left open: sessions under way are interrupted (their apps may
        take them on elsewhere), those waiting for consent ended with the helper's link.
        Each record is taken off the list first, so one that a resume took is left alone."""
        records = await self._registry.open_records(replica)
        closed = 0
        for record_id, consented in records.items():
            if not await self._registry.take_record(replica, record_id):
                continue
            try:
                if consented:
                    await self.interrupted(record_id)
                else:
                    await super().ended(record_id, EndReason.HELPER_DISCONNECTED, Outcome.CANCELLED)
            except AuditUnavailable:
                await self._registry.put_back(replica, record_id, consented)
                raise  # claimed again once the claim lapses
            closed += 1
        return closed
