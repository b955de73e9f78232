"""Attempts counted in a moving window, reserved before the thing they limit is done.

A limit that is checked, then acted on, then counted lets every request that arrives in
between through: thirty connections checking at once all see room. Here an attempt takes its
place in the window first, atomically (one step in this process; one Lua script in Redis,
where every replica counts in the same window), and is handed back when it should not count
(a code that was right). ``MemoryAttempts`` serves one process; ``RedisAttempts`` replicas.
"""

from __future__ import annotations

import math
import time
import uuid
from dataclasses import dataclass
from typing import Protocol

from redis.asyncio import Redis


@dataclass(frozen=True)
class Reserved:
    key: str
    token: str


class Attempts(Protocol):
    async def reserve(self, key: str, limit: int, window: float) -> Reserved | int:
        """A place in ``key``'s window, or the whole seconds until one frees up."""
        ...

    async def full(self, key: str, limit: int, window: float) -> int | None:
        """Seconds until there is room, when there is none now; nothing is reserved."""
        ...

    async def refund(self, reserved: Reserved) -> None: ...


def _wait(oldest: float, window: float, now: float) -> int:
    return max(1, math.ceil(oldest + window - now))


class MemoryAttempts:
    def __init__(self) -> None:
        self._windows: dict[str, dict[str, float]] = {}

    def _live(self, key: str, window: float, now: float) -> dict[str, float]:
        stamps = self._windows.setdefault(key, {})
        for token, at in list(stamps.items()):
            if at <= now - window:
                del stamps[token]
        return stamps

    async def reserve(self, key: str, limit: int, window: float) -> Reserved | int:
        # No await between the count and the entry: one step for this process's loop.
        now = time.time()
        stamps = self._live(key, window, now)
        if len(stamps) >= limit:
            return _wait(min(stamps.values()), window, now)
        token = uuid.uuid4().hex
        stamps[token] = now
        return Reserved(key, token)

    async def full(self, key: str, limit: int, window: float) -> int | None:
        now = time.time()
        stamps = self._live(key, window, now)
        return _wait(min(stamps.values()), window, now) if len(stamps) >= limit else None

    async def refund(self, reserved: Reserved) -> None:
        self._windows.get(reserved.key, {}).pop(reserved.token, None)


# KEYS[1] the window; ARGV: now, window (s), limit, token ("" to only look). Returns false
# when reserved (or, only looking, when there is room), else the oldest entry's time.
_RESERVE = """
local now, window, limit = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
if redis.call('ZCARD', KEYS[1]) >= limit then
  return redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')[2]
end
if ARGV[4] ~= '' then
  redis.call('ZADD', KEYS[1], now, ARGV[4])
  redis.call('PEXPIRE', KEYS[1], math.ceil(window * 1000))
end
return false
"""


class RedisAttempts:
    def __init__(self, redis: Redis, prefix: str) -> None:
        self._redis = redis
        self._prefix = prefix
        self._script = redis.register_script(_RESERVE)

    async def _run(self, key: str, limit: int, window: float, token: str) -> int | None:
        now = time.time()  # the caller's clock, as in memory: the replicas' clocks agree
        oldest = await self._script(keys=[self._prefix + key], args=[now, window, limit, token])
        return None if oldest is None else _wait(float(oldest), window, now)

    async def reserve(self, key: str, limit: int, window: float) -> Reserved | int:
        token = uuid.uuid4().hex
        wait = await self._run(key, limit, window, token)
        return Reserved(key, token) if wait is None else wait

    async def full(self, key: str, limit: int, window: float) -> int | None:
        return await self._run(key, limit, window, "")

    async def refund(self, reserved: Reserved) -> None:
        await self._redis.zrem(self._prefix + reserved.key, reserved.token)
