"""Codes in Redis, so that every replica redeems them, and each only once.

A code is stored under the SHA-256 of its eight symbols, never as itself: Redis finds a
typed code by that digest, so how long a lookup takes says nothing about how close a guess
was, and whoever reads Redis sees no code to type. Taking a code and dropping its index
entries is one Lua script, so two replicas redeeming the same code cannot both get it.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from datetime import UTC, datetime, timedelta

from redis.asyncio import Redis
from redis.exceptions import RedisError

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


# Issue a code unless the account holds ARGV[9] others already (the owner's own old code,
# which the new one replaces, not counted), in one step: the count, the old code gone, the new
# code and its index entries. Returns 1 when
# issued, 0 over the cap, -1 when the digest is taken (the caller draws another code).
_ISSUE = """
local p, owner, digest, record = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local account, replica = ARGV[5], ARGV[6]
local ttl_ms, expires_ms, now_ms = tonumber(ARGV[7]), tonumber(ARGV[8]), tonumber(ARGV[10])
local cap = tonumber(ARGV[9])
local account_key = p .. 'account-codes:' .. account
redis.call('ZREMRANGEBYSCORE', account_key, '-inf', now_ms)
local old = redis.call('GET', p .. 'owner:' .. owner)
local mine = 0
if old and redis.call('ZSCORE', account_key, old) then mine = 1 end
if cap >= 0 and redis.call('ZCARD', account_key) - mine >= cap then return 0 end
if old then
  local old_record = redis.call('GET', p .. 'code:' .. old)
  redis.call('DEL', p .. 'code:' .. old, p .. 'owner:' .. owner)
  redis.call('ZREM', account_key, old)
  if old_record then
    redis.call('ZREM', p .. 'replica-codes:' .. cjson.decode(old_record).replica, old)
  end
end
if not redis.call('SET', p .. 'code:' .. digest, record, 'PX', ttl_ms, 'NX') then return -1 end
redis.call('SET', p .. 'owner:' .. owner, digest, 'PX', ttl_ms)
redis.call('ZADD', account_key, expires_ms, digest)
redis.call('PEXPIRE', account_key, ttl_ms)
local replica_key = p .. 'replica-codes:' .. replica
redis.call('ZREMRANGEBYSCORE', replica_key, '-inf', now_ms)
redis.call('ZADD', replica_key, expires_ms, digest)
return 1
"""
TAKEN = -1


def _digest(raw: str) -> str:
    return hashlib.sha256(raw.encode("ascii")).hexdigest()


log = logging.getLogger(__name__)


class RedisCodes:
    def __init__(self, redis: Redis, ttl: timedelta, replica: str) -> None:
        self._redis = redis
        self._ttl = ttl
        self._replica = replica
        self._drop = redis.register_script(_DROP)
        self._issue = redis.register_script(_ISSUE)

    async def issue(
        self, owner: str, session_id: str, account: str, cap: int | None = None
    ) -> PendingCode | None:
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
        expires_ms = int(expires_at.timestamp() * 1000)
        while True:
            raw = new_raw_code()
            issued = await self._issue(
                args=[
                    PREFIX, owner, _digest(raw), record, account, self._replica, ttl_ms,
                    expires_ms, -1 if cap is None else cap, int(time.time() * 1000),
                ]
            )  # fmt: skip
            if int(issued) == 0:
                return None
            if int(issued) != TAKEN:  # a code live anywhere is never issued twice
                break
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
        """Called as a session ends, which nothing may stop: a code Redis could not drop
        expires with its TTL, and the replicas drop a dead one's codes themselves."""
        try:
            digest = await self._redis.get(f"{PREFIX}owner:{owner}")
            if digest is not None:
                await self._drop(args=[PREFIX, digest])
        except (RedisError, OSError) as exc:
            log.error("code not dropped in Redis: %s", exc)

    async def drop_replica(self, replica: str) -> int:
        """A replica died: the codes its helpers held die too (nobody is there to pair)."""
        key = f"{PREFIX}replica-codes:{replica}"
        digests = [str(d) for d in await self._redis.zrange(key, 0, -1)]
        for digest in digests:
            await self._drop(args=[PREFIX, digest])
        await self._redis.delete(key)
        return len(digests)
