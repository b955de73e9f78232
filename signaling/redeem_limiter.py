"""Failed code redeems, counted per account and per source address to stop guessing.

The account limit is strict: one person's typos, or a guesser's tries, lock only that
account. The address limit is much higher, so that an office behind one NAT address is not
locked out by one person (or one attacker with one account) there; it stops a guesser who
cycles through many accounts from one place.
"""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum


class LimitScope(StrEnum):
    ACCOUNT = "account"
    ADDRESS = "address"


@dataclass(frozen=True)
class Lockout:
    retry_after: int
    scope: LimitScope


class RedeemLimiter:
    def __init__(
        self,
        *,
        max_per_account: int,
        max_per_address: int,
        window_seconds: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._max = {LimitScope.ACCOUNT: max_per_account, LimitScope.ADDRESS: max_per_address}
        self._window = window_seconds
        self._clock = clock
        self._failures: dict[tuple[LimitScope, str], deque[float]] = {}

    def lockout(self, account: str, address: str) -> Lockout | None:
        """Whether, and for how long, this account or address may not try now."""
        now = self._clock()
        worst: Lockout | None = None
        for scope, key in ((LimitScope.ACCOUNT, account), (LimitScope.ADDRESS, address)):
            failures = self._prune((scope, key), now)
            if len(failures) >= self._max[scope]:
                wait = max(1, math.ceil(failures[0] + self._window - now))
                if worst is None or wait > worst.retry_after:
                    worst = Lockout(wait, scope)
        return worst

    def record_failure(self, account: str, address: str) -> None:
        now = self._clock()
        for key in ((LimitScope.ACCOUNT, account), (LimitScope.ADDRESS, address)):
            self._failures.setdefault(key, deque()).append(now)
            # Only the newest max failures can matter; older ones are dropped at once.
            while len(self._failures[key]) > self._max[key[0]]:
                self._failures[key].popleft()

    def _prune(self, key: tuple[LimitScope, str], now: float) -> deque[float]:
        failures = self._failures.get(key, deque())
        while failures and failures[0] <= now - self._window:
            failures.popleft()
        if not failures:
            self._failures.pop(key, None)
        return failures
