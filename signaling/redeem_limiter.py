"""Failed code redeems, counted per account and per source address to stop guessing.

The account limit is strict: one person's typos, or a guesser's tries, lock only that
account. The address limit is much higher, so that an office behind one NAT address is not
locked out by one person (or one attacker with one account) there; it stops a guesser who
cycles through many accounts from one place.

The counting is the ``limits`` library's moving window: in this process's memory, or in
Redis (``HELPLINE_REDIS_URL``), where every replica adds to and reads the same windows, so a
guesser gains nothing by spreading tries over replicas.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from enum import StrEnum

from limits import RateLimitItemPerSecond
from limits.aio.storage import MemoryStorage, RedisStorage, Storage
from limits.aio.strategies import MovingWindowRateLimiter
from redis.asyncio import BlockingConnectionPool

NAMESPACE = "helpline-redeem"


class LimitScope(StrEnum):
    ACCOUNT = "account"
    ADDRESS = "address"


@dataclass(frozen=True)
class Lockout:
    retry_after: int
    scope: LimitScope


def limit_storage(redis_url: str | None, max_connections: int = 8) -> Storage:
    """Where failures are counted: this process, or the Redis every replica uses."""
    if redis_url is None:
        return MemoryStorage()
    pool = BlockingConnectionPool.from_url(redis_url, max_connections=max_connections)
    # connection_pool is documented; the options' annotation leaves it out.
    return RedisStorage(
        f"async+{redis_url}",
        implementation="redispy",
        connection_pool=pool,  # type: ignore[arg-type]
    )


class RedeemLimiter:
    def __init__(
        self,
        *,
        max_per_account: int,
        max_per_address: int,
        window_seconds: int,
        storage: Storage | None = None,
    ) -> None:
        self._items = {
            scope: RateLimitItemPerSecond(amount, window_seconds, namespace=NAMESPACE)
            for scope, amount in (
                (LimitScope.ACCOUNT, max_per_account),
                (LimitScope.ADDRESS, max_per_address),
            )
        }
        self._window = MovingWindowRateLimiter(storage or MemoryStorage())

    async def lockout(self, account: str, address: str) -> Lockout | None:
        """Whether, and for how long, this account or address may not try now."""
        worst: Lockout | None = None
        for scope, key in ((LimitScope.ACCOUNT, account), (LimitScope.ADDRESS, address)):
            item = self._items[scope]
            if await self._window.test(item, scope.value, key):
                continue
            stats = await self._window.get_window_stats(item, scope.value, key)
            # The library's own clock (wall time) stamped the failures.
            wait = max(1, math.ceil(stats.reset_time - time.time()))
            if worst is None or wait > worst.retry_after:
                worst = Lockout(wait, scope)
        return worst

    async def record_failure(self, account: str, address: str) -> None:
        for scope, key in ((LimitScope.ACCOUNT, account), (LimitScope.ADDRESS, address)):
            # A full window takes no more: only failures inside it can matter.
            await self._window.hit(self._items[scope], scope.value, key)
