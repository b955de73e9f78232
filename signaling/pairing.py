"""Security codes waiting to be redeemed: single use, bound to a helper, short-lived."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from common.security_code import codes_equal, format_code, generate_code, normalise_code


def utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class PendingCode:
    raw: str
    owner: str
    session_id: str
    account: str
    expires_at: datetime


class CodeRegistry:
    def __init__(self, ttl: timedelta, clock: Callable[[], datetime] = utcnow) -> None:
        self._ttl = ttl
        self._clock = clock
        self._by_owner: dict[str, PendingCode] = {}

    def issue(self, owner: str, session_id: str, account: str) -> PendingCode:
        """A new code for ``owner``; any code it had before stops working."""
        live = {p.raw for p in self._by_owner.values()}
        raw = normalise_code(generate_code()) or ""
        while raw in live:
            raw = normalise_code(generate_code()) or ""
        pending = PendingCode(raw, owner, session_id, account, self._clock() + self._ttl)
        self._by_owner[owner] = pending
        return pending

    def display(self, pending: PendingCode) -> str:
        return format_code(pending.raw)

    def redeem(self, typed: str) -> PendingCode | None:
        """The pending code matching ``typed``, consumed; None for wrong, expired or used."""
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

    def live_for(self, account: str) -> int:
        """How many codes this account holds right now, over all its connections."""
        self._expire()
        return sum(1 for p in self._by_owner.values() if p.account == account)

    def cancel(self, owner: str) -> None:
        self._by_owner.pop(owner, None)

    def _expire(self) -> None:
        now = self._clock()
        for owner, pending in list(self._by_owner.items()):
            if pending.expires_at <= now:
                del self._by_owner[owner]

    def __len__(self) -> int:
        self._expire()
        return len(self._by_owner)
