"""Security codes waiting to be redeemed: single use, bound to a helper, short-lived.

``CodeStore`` is what the hub needs; ``MemoryCodes`` keeps them in one process, and
``signaling.state.redis_codes.RedisCodes`` in Redis, so that a code issued on one replica is
redeemed, once, on any.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Protocol

from common.security_code import codes_equal, format_code, generate_code, normalise_code


def utcnow() -> datetime:
    return datetime.now(UTC)


def new_raw_code() -> str:
    return normalise_code(generate_code()) or ""


@dataclass(frozen=True)
class PendingCode:
    raw: str
    owner: str
    session_id: str
    account: str
    expires_at: datetime
    # The replica whose hub holds the helper's connection and the waiting session.
    replica: str = ""

    @property
    def display(self) -> str:
        return format_code(self.raw)


class CodeStore(Protocol):
    async def issue(
        self, owner: str, session_id: str, account: str, cap: int | None = None
    ) -> PendingCode | None:
        """A new code for ``owner``; any code it had before stops working. None when the
        account already holds ``cap`` other live codes: counted and issued in one step, so
        requests at once (on any replica) cannot all pass the count."""
        ...

    async def redeem(self, typed: str) -> PendingCode | None:
        """The pending code matching ``typed``, consumed; None for wrong, expired or used."""
        ...

    async def live_for(self, account: str) -> int:
        """How many codes this account holds right now, over all its connections."""
        ...

    async def cancel(self, owner: str) -> None: ...


class MemoryCodes:
    """One process's codes."""

    def __init__(
        self, ttl: timedelta, clock: Callable[[], datetime] = utcnow, replica: str = ""
    ) -> None:
        self._ttl = ttl
        self._clock = clock
        self._replica = replica
        self._by_owner: dict[str, PendingCode] = {}

    async def issue(
        self, owner: str, session_id: str, account: str, cap: int | None = None
    ) -> PendingCode | None:
        # No await in here: the count and the issue are one step for this process's loop.
        self._expire()
        others = sum(1 for o, p in self._by_owner.items() if p.account == account and o != owner)
        if cap is not None and others >= cap:
            return None
        live = {p.raw for p in self._by_owner.values()}
        raw = new_raw_code()
        while raw in live:
            raw = new_raw_code()
        expires_at = self._clock() + self._ttl
        pending = PendingCode(raw, owner, session_id, account, expires_at, self._replica)
        self._by_owner[owner] = pending
        return pending

    async def redeem(self, typed: str) -> PendingCode | None:
        raw = normalise_code(typed)
        self._expire()
        if raw is None:
            return None
        match: PendingCode | None = None
        # Compare against every live code in constant time each, so timing says nothing.
        for pending in list(self._by_owner.values()):
            if codes_equal(pending.raw, raw):
                match = pending
        if match is not None:
            del self._by_owner[match.owner]
        return match

    async def live_for(self, account: str) -> int:
        self._expire()
        return sum(1 for p in self._by_owner.values() if p.account == account)

    async def cancel(self, owner: str) -> None:
        self._by_owner.pop(owner, None)

    def _expire(self) -> None:
        now = self._clock()
        for owner, pending in list(self._by_owner.items()):
            if pending.expires_at <= now:
                del self._by_owner[owner]

    def __len__(self) -> int:
        self._expire()
        return len(self._by_owner)
