"""Failed code redeems, counted per account and per source address to stop guessing.

The account limit is strict: one person's typos, or a guesser's tries, lock only that
account. The address limit is much higher, so that an office behind one NAT address is not
locked out by one person (or one attacker with one account) there; it stops a guesser who
cycles through many accounts from one place.

Each redeem reserves its attempt before the code is compared (``signaling.state.attempts``):
in this process's memory, or in Redis (``HELPLINE_REDIS_URL``), where every replica counts in
the same windows. A right code hands its attempt back; so however many connections of one
account redeem at once, on however many replicas, at most the limit is compared.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from redis.asyncio import BlockingConnectionPool, Redis

from signaling.state.attempts import Attempts, MemoryAttempts, RedisAttempts, Reserved

NAMESPACE = "helpline:attempts:"  # redeems and enrolments, each under its own keys


class LimitScope(StrEnum):
    ACCOUNT = "account"
    ADDRESS = "address"


@dataclass(frozen=True)
class Lockout:
    retry_after: int
    scope: LimitScope


@dataclass(frozen=True)
class Attempt:
    """A redeem's reserved place in both windows, handed back if the code was right."""

    places: tuple[Reserved, ...]


def limit_storage(redis_url: str | None, max_connections: int = 8) -> Attempts:
    """Where attempts are counted: this process, or the Redis every replica uses."""
    if redis_url is None:
        return MemoryAttempts()
    pool = BlockingConnectionPool.from_url(redis_url, max_connections=max_connections)
    return RedisAttempts(Redis(connection_pool=pool), NAMESPACE)


class RedeemLimiter:
    def __init__(
        self,
        *,
        max_per_account: int,
        max_per_address: int,
        window_seconds: int,
        storage: Attempts | None = None,
    ) -> None:
        self._limits = {LimitScope.ACCOUNT: max_per_account, LimitScope.ADDRESS: max_per_address}
        self._window = window_seconds
        self._attempts = storage or MemoryAttempts()

    @staticmethod
    def _keys(account: str, address: str) -> tuple[tuple[LimitScope, str], ...]:
        return (
            (LimitScope.ACCOUNT, f"{LimitScope.ACCOUNT}:{account}"),
            (LimitScope.ADDRESS, f"{LimitScope.ADDRESS}:{address}"),
        )

    async def reserve(self, account: str, address: str) -> Attempt | Lockout:
        """One more attempt for this account and address, counted now; or the lockout. An
        attempt refused by one window is handed back to the other."""
        places: list[Reserved] = []
        for scope, key in self._keys(account, address):
            got = await self._attempts.reserve(key, self._limits[scope], self._window)
            if isinstance(got, int):
                for place in places:
                    await self._attempts.refund(place)
                return Lockout(got, scope)
            places.append(got)
        return Attempt(tuple(places))

    async def refund(self, attempt: Attempt) -> None:
        """The code was right: this attempt is no failure."""
        for place in attempt.places:
            await self._attempts.refund(place)

    async def lockout(self, account: str, address: str) -> Lockout | None:
        """Whether, and for how long, this account or address may not try now."""
        worst: Lockout | None = None
        for scope, key in self._keys(account, address):
            wait = await self._attempts.full(key, self._limits[scope], self._window)
            if wait is not None and (worst is None or wait > worst.retry_after):
                worst = Lockout(wait, scope)
        return worst

    async def record_failure(self, account: str, address: str) -> None:
        """A failure counted without a reservation before it; a full window takes no more."""
        for scope, key in self._keys(account, address):
            await self._attempts.reserve(key, self._limits[scope], self._window)
