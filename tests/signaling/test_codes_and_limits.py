"""Codes and redeem limits, in memory and in Redis (the same rules for both), on fake clocks
where expiry is the point."""

from __future__ import annotations

import asyncio
import hmac
import types
from datetime import UTC, datetime, timedelta

import pytest
import redis.asyncio

import signaling.state.attempts
from common.security_code import ALPHABET
from signaling.pairing.redeem_limiter import LimitScope, Lockout, RedeemLimiter, limit_storage
from signaling.state.codes import MemoryCodes
from signaling.state.redis_codes import RedisCodes


class FakeClock:
    def __init__(self) -> None:
        self.now = datetime(2026, 1, 1, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture(params=["memory", "redis"])
def backend(request):
    if request.param == "memory":
        return None
    return request.getfixturevalue("redis_server").url


def _codes(redis_url: str | None, replica: str = "r1"):
    if redis_url is None:
        return MemoryCodes(timedelta(minutes=10), replica=replica)
    client = redis.asyncio.Redis.from_url(redis_url, decode_responses=True)
    return RedisCodes(client, timedelta(minutes=10), replica)


async def test_codes_are_formatted_from_the_alphabet_and_single_use(backend):
    registry = _codes(backend)
    pending = await registry.issue("helper-1", "s1", "t/alice")
    shown = pending.display
    assert len(shown) == 9 and shown[4] == "-"
    assert set(shown.replace("-", "")) <= set(ALPHABET)
    assert await registry.redeem(shown.lower()) == pending
    assert await registry.redeem(shown) is None


async def test_codes_expire_after_the_ttl():
    clock = FakeClock()
    registry = MemoryCodes(timedelta(minutes=10), clock=clock)
    shown = (await registry.issue("helper-1", "s1", "t/alice")).display
    clock.now += timedelta(minutes=9, seconds=59)
    assert len(registry) == 1
    clock.now += timedelta(seconds=1)
    assert await registry.redeem(shown) is None
    assert len(registry) == 0


async def test_a_new_code_replaces_the_helpers_old_one_and_cancel_kills_it(backend):
    registry = _codes(backend)
    old = (await registry.issue("helper-1", "s1", "t/alice")).display
    new = (await registry.issue("helper-1", "s2", "t/alice")).display
    assert await registry.redeem(old) is None
    other = (await registry.issue("helper-2", "s3", "t/alice")).display
    await registry.cancel("helper-2")
    assert await registry.redeem(other) is None
    assert await registry.redeem(new) is not None


async def test_live_codes_are_counted_per_account_over_connections(backend):
    registry = _codes(backend)
    await registry.issue("conn-1", "s1", "t/alice")
    await registry.issue("conn-2", "s2", "t/alice")
    await registry.issue("conn-3", "s3", "t/victor")
    assert await registry.live_for("t/alice") == 2
    await registry.cancel("conn-1")
    assert await registry.live_for("t/alice") == 1


async def test_a_code_is_redeemed_once_over_replicas_however_many_try_at_once(redis_server):
    first, second = _codes(redis_server.url, "r1"), _codes(redis_server.url, "r2")
    pending = await first.issue("helper-1", "s1", "t/alice")
    tries = [store.redeem(pending.display) for store in (first, second) * 10]
    results = await asyncio.gather(*tries)
    assert [r for r in results if r is not None] == [pending]
    assert pending.replica == "r1"


async def test_redis_keeps_no_code_and_a_dead_replicas_codes_die_with_it(redis_server):
    codes = _codes(redis_server.url, "r1")
    pending = await codes.issue("helper-1", "s1", "t/alice")
    client = redis.asyncio.Redis.from_url(redis_server.url, decode_responses=True)
    dump = [str(k) + str(await client.dump(k)) for k in await client.keys("*")]
    assert not any(pending.raw in text for text in dump)
    assert await codes.drop_replica("r1") == 1
    assert await codes.redeem(pending.display) is None
    assert await codes.live_for("t/alice") == 0


async def test_redeem_compares_every_live_code_with_compare_digest(monkeypatch):
    """Plain == would stop at the first differing symbol; compare_digest does not."""
    seen: list[tuple[bytes, bytes]] = []
    real = hmac.compare_digest

    def spy(a, b):
        seen.append((a, b))
        return real(a, b)

    monkeypatch.setattr(hmac, "compare_digest", spy)
    registry = MemoryCodes(timedelta(minutes=10))
    live = {(await registry.issue(f"helper-{n}", f"s{n}", "t/a")).raw for n in range(3)}
    assert await registry.redeem("ABCD-EFGH") is None
    # The typed code went through compare_digest against each live code, none skipped.
    assert sorted(seen) == sorted((code.encode(), b"ABCDEFGH") for code in live)


async def test_garbage_is_never_a_code(backend):
    registry = _codes(backend)
    await registry.issue("helper-1", "s1", "t/a")
    for typed in ("", "0000-0000", "x" * 1000, "ABCD-EFG"):
        assert await registry.redeem(typed) is None


@pytest.fixture
def wall_clock(monkeypatch):
    """Attempts are stamped with time.time() (in Redis too, by the caller): one fake clock."""
    now = [1_000_000.0]
    monkeypatch.setattr(
        signaling.state.attempts, "time", types.SimpleNamespace(time=lambda: now[0])
    )
    return now


async def test_limiter_locks_the_account_after_a_few_failures_in_a_sliding_window(
    backend, wall_clock
):
    start = wall_clock[0]
    limiter = RedeemLimiter(
        max_per_account=5, max_per_address=100, window_seconds=300, storage=limit_storage(backend)
    )
    for _ in range(4):
        await limiter.record_failure("a", "10.0.0.1")
    assert await limiter.lockout("a", "10.0.0.1") is None
    await limiter.record_failure("a", "10.0.0.1")
    assert await limiter.lockout("a", "10.0.0.1") == Lockout(300, LimitScope.ACCOUNT)
    # Someone else behind the same address is not locked out by one person's typos.
    assert await limiter.lockout("b", "10.0.0.1") is None
    wall_clock[0] = start + 299.5
    assert await limiter.lockout("a", "10.0.0.1") == Lockout(1, LimitScope.ACCOUNT)
    # Redis's window still holds a failure exactly 300 s old; memory's does not: a moment on,
    # both have let it go.
    wall_clock[0] = start + 300.5
    assert await limiter.lockout("a", "10.0.0.1") is None


async def test_limiter_locks_an_address_that_cycles_through_accounts(backend):
    limiter = RedeemLimiter(
        max_per_account=5, max_per_address=20, window_seconds=300, storage=limit_storage(backend)
    )
    for n in range(20):
        await limiter.record_failure(f"account-{n}", "10.0.0.9")
    assert await limiter.lockout("fresh", "10.0.0.9") == Lockout(300, LimitScope.ADDRESS)
    assert await limiter.lockout("fresh", "10.0.0.10") is None


async def test_replicas_count_failures_together(redis_server):
    one, two = (
        RedeemLimiter(
            max_per_account=5,
            max_per_address=100,
            window_seconds=300,
            storage=limit_storage(redis_server.url),
        )
        for _ in range(2)
    )
    for limiter in (one, two, one, two):
        await limiter.record_failure("a", "10.0.0.1")
    assert await two.lockout("a", "10.0.0.1") is None
    await one.record_failure("a", "10.0.0.1")
    assert (await two.lockout("a", "10.0.0.1")).scope is LimitScope.ACCOUNT


def _stores(backend):
    """One store in memory; two replicas' stores on one Redis."""
    if backend is None:
        return [_codes(None)]
    return [_codes(backend, "r1"), _codes(backend, "r2")]


async def test_the_live_code_cap_holds_however_many_ask_at_once(backend):
    stores = _stores(backend)
    asks = [
        stores[n % len(stores)].issue(f"helper-{n}", f"s{n}", "t/alice", cap=3) for n in range(6)
    ]
    issued = [p for p in await asyncio.gather(*asks) if p is not None]
    assert len(issued) == 3
    # A connection that holds one of them may ask again: its new code replaces its old one.
    again = await stores[0].issue(issued[0].owner, "s-new", "t/alice", cap=3)
    assert again is not None and await stores[0].redeem(issued[0].display) is None
    # Anyone else is still refused, and nothing of theirs was dropped on the way.
    assert await stores[-1].issue("helper-99", "s99", "t/alice", cap=3) is None
    assert await stores[0].live_for("t/alice") == 3


async def test_reserved_attempts_hold_the_limit_however_many_reserve_at_once(backend):
    limiters = [
        RedeemLimiter(
            max_per_account=5, max_per_address=100, window_seconds=300,
            storage=limit_storage(backend),
        )
        for _ in range(1 if backend is None else 2)
    ]  # fmt: skip
    tries = [limiters[n % len(limiters)].reserve("a", "10.0.0.1") for n in range(30)]
    results = await asyncio.gather(*tries)
    reserved = [r for r in results if not isinstance(r, Lockout)]
    assert len(reserved) == 5
    assert {r.scope for r in results if isinstance(r, Lockout)} == {LimitScope.ACCOUNT}
    # A right code hands its attempt back: one more may try.
    await limiters[0].refund(reserved[0])
    assert not isinstance(await limiters[-1].reserve("a", "10.0.0.1"), Lockout)
    assert isinstance(await limiters[0].reserve("a", "10.0.0.1"), Lockout)
