"""Codes in Redis, so that every replica redeems them, and each only once.

A code is stored under the SHA-256 of its eight symbols, never as itself: Redis finds a
typed code by that digest, so how long a lookup takes says nothing about how close a guess
was, and whoever reads Redis sees no code to type. Taking a code and dropping its index
entries is one Lua script, so two replicas redeeming the same code cannot both get it.
"""

from __future__ import annotations

import hashlib
import json
import time
from datetime import UTC, datetime, timedelta

from redis.asyncio import Redis

from common.security_code import normalise_code
from signaling.state.codes import PendingCode, new_raw_code, utcnow

PREFIX = "helpline:"

# Take a code (by digest) and its entries in the owner, account and replica indexes.
_DROP = """
local code_key = ARGV[1] .. 'code:' .. ARGV[2]
local record = redis.call('GET', code_key)
if not record then return false end
redis.call('DEL', code_key)
local r = cjson.decode(record)
local owner_key = ARGV[1] .. 'owner:' .. r.owner
if redis.call('GET', owner_key) == ARGV[2] then redis.call('DEL', owner_key) end
redis.call('ZREM', ARGV[1] .. 'account-codes:' .. r.account, ARGV[2])
redis.call('ZREM', ARGV[1] .. 'replica-codes:' .. r.replica, ARGV[2])
return record
"""


def _digest(raw: str) -> str:
    return hashlib.sha256(raw.encode("ascii")).hexdigest()


class RedisCodes:
    def __init__(self, redis: Redis, ttl: timedelta, replica: str) -> None:
        self._redis = redis
        self._ttl = ttl
        self._replica = replica
        self._drop = redis.register_script(_DROP)

    async def issue(self, owner: str, session_id: str, account: str) -> PendingCode:
        await self.cancel(owner)
        expires_at = utcnow() + self._ttl
        ttl_ms = int(self._ttl.total_seconds() * 1000)
        record = json.dumps(
            {
                "owner": owner,
                "session_id": session_id,
                "account": account,
                "replica": self._replica,
                "expires_at": expires_at.isoformat(),
            }
        )
        raw = new_raw_code()
        # NX: a code live anywhere is never issued twice.
        while not await self._redis.set(f"{PREFIX}code:{_digest(raw)}", record, px=ttl_ms, nx=True):
            raw = new_raw_code()
        digest, expires_ms = _digest(raw), int(expires_at.timestamp() * 1000)
        account_key = f"{PREFIX}account-codes:{account}"
        replica_key = f"{PREFIX}replica-codes:{self._replica}"
        now_ms = int(time.time() * 1000)
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.set(f"{PREFIX}owner:{owner}", digest, px=ttl_ms)
            pipe.zadd(account_key, {digest: expires_ms})
            pipe.pexpire(account_key, ttl_ms)
            pipe.zremrangebyscore(replica_key, "-inf", now_ms)
            pipe.zadd(replica_key, {digest: expires_ms})
            await pipe.execute()
        return PendingCode(raw, owner, session_id, account, expires_at, self._replica)

    async def redeem(self, typed: str) -> PendingCode | None:
        raw = normalise_code(typed)
        if raw is None:
            return None
        record = await self._drop(args=[PREFIX, _digest(raw)])
        if record is None:
            return None
        data = json.loads(record)
        expires_at = datetime.fromisoformat(data["expires_at"])
        if expires_at <= datetime.now(UTC):
            return None  # Redis expires keys a moment late; the code's own time decides
        return PendingCode(
            raw, data["owner"], data["session_id"], data["account"], expires_at, data["replica"]
        )

    async def live_for(self, account: str) -> int:
        key = f"{PREFIX}account-codes:{account}"
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.zremrangebyscore(key, "-inf", int(time.time() * 1000))
            pipe.zcard(key)
            _, count = await pipe.execute()
        return int(count)

    async def cancel(self, owner: str) -> None:
        digest = await self._redis.get(f"{PREFIX}owner:{owner}")
        if digest is not None:
            await self._drop(args=[PREFIX, digest])

    async def drop_replica(self, replica: str) -> int:
        """A replica died: the codes its helpers held die too (nobody is there to pair)."""
        key = f"{PREFIX}replica-codes:{replica}"
        digests = [str(d) for d in await self._redis.zrange(key, 0, -1)]
        for digest in digests:
            await self._drop(args=[PREFIX, digest])
        await self._redis.delete(key)
        return len(digests)
