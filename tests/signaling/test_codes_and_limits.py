"""Code registry and redeem limiter on fake clocks."""

from __future__ import annotations

import hmac
from datetime import UTC, datetime, timedelta

from common.security_code import ALPHABET
from signaling.pairing import CodeRegistry
from signaling.redeem_limiter import LimitScope, Lockout, RedeemLimiter


class FakeClock:
    def __init__(self) -> None:
        self.now = datetime(2026, 1, 1, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


def test_codes_are_formatted_from_the_alphabet_and_single_use():
    registry = CodeRegistry(timedelta(minutes=10))
    pending = registry.issue("helper-1", "s1", "t/alice")
    shown = registry.display(pending)
    assert len(shown) == 9 and shown[4] == "-"
    assert set(shown.replace("-", "")) <= set(ALPHABET)
    assert registry.redeem(shown.lower()) == pending
    assert registry.redeem(shown) is None


def test_codes_expire_after_the_ttl():
    clock = FakeClock()
    registry = CodeRegistry(timedelta(minutes=10), clock=clock)
    shown = registry.display(registry.issue("helper-1", "s1", "t/alice"))
    clock.now += timedelta(minutes=9, seconds=59)
    assert len(registry) == 1
    clock.now += timedelta(seconds=1)
    assert registry.redeem(shown) is None
    assert len(registry) == 0


def test_a_new_code_replaces_the_helpers_old_one_and_cancel_kills_it():
    registry = CodeRegistry(timedelta(minutes=10))
    old = registry.display(registry.issue("helper-1", "s1", "t/alice"))
    new = registry.display(registry.issue("helper-1", "s2", "t/alice"))
    assert registry.redeem(old) is None
    other = registry.display(registry.issue("helper-2", "s3", "t/alice"))
    registry.cancel("helper-2")
    assert registry.redeem(other) is None
    assert registry.redeem(new) is not None


def test_live_codes_are_counted_per_account_over_connections():
    registry = CodeRegistry(timedelta(minutes=10))
    registry.issue("conn-1", "s1", "t/alice")
    registry.issue("conn-2", "s2", "t/alice")
    registry.issue("conn-3", "s3", "t/victor")
    assert registry.live_for("t/alice") == 2
    registry.cancel("conn-1")
    assert registry.live_for("t/alice") == 1


def test_redeem_compares_every_live_code_with_compare_digest(monkeypatch):
    """Plain == would stop at the first differing symbol; compare_digest does not."""
    seen: list[tuple[bytes, bytes]] = []
    real = hmac.compare_digest

    def spy(a, b):
        seen.append((a, b))
        return real(a, b)

    monkeypatch.setattr(hmac, "compare_digest", spy)
    registry = CodeRegistry(timedelta(minutes=10))
    live = {registry.issue(f"helper-{n}", f"s{n}", "t/a").raw for n in range(3)}
    assert registry.redeem("ABCD-EFGH") is None
    # The typed code went through compare_digest against each live code, none skipped.
    assert sorted(seen) == sorted((code.encode(), b"ABCDEFGH") for code in live)


def test_garbage_is_never_a_code():
    registry = CodeRegistry(timedelta(minutes=10))
    registry.issue("helper-1", "s1", "t/a")
    for typed in ("", "0000-0000", "x" * 1000, "ABCD-EFG"):
        assert registry.redeem(typed) is None


def test_limiter_locks_the_account_after_a_few_failures_in_a_sliding_window():
    now = [0.0]
    limiter = RedeemLimiter(
        max_per_account=5, max_per_address=100, window_seconds=300, clock=lambda: now[0]
    )
    for _ in range(4):
        limiter.record_failure("a", "10.0.0.1")
    assert limiter.lockout("a", "10.0.0.1") is None
    limiter.record_failure("a", "10.0.0.1")
    assert limiter.lockout("a", "10.0.0.1") == Lockout(300, LimitScope.ACCOUNT)
    # Someone else behind the same address is not locked out by one person's typos.
    assert limiter.lockout("b", "10.0.0.1") is None
    now[0] = 299.5
    assert limiter.lockout("a", "10.0.0.1") == Lockout(1, LimitScope.ACCOUNT)
    now[0] = 300.0
    assert limiter.lockout("a", "10.0.0.1") is None


def test_limiter_locks_an_address_that_cycles_through_accounts():
    limiter = RedeemLimiter(max_per_account=5, max_per_address=20, window_seconds=300)
    for n in range(20):
        limiter.record_failure(f"account-{n}", "10.0.0.9")
    assert limiter.lockout("fresh", "10.0.0.9") == Lockout(300, LimitScope.ADDRESS)
    assert limiter.lockout("fresh", "10.0.0.10") is None
