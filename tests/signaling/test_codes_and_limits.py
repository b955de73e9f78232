"""Code registry and redeem limiter on fake clocks."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from common.security_code import ALPHABET
from signaling.pairing import CodeRegistry
from signaling.redeem_limiter import RedeemLimiter


class FakeClock:
    def __init__(self) -> None:
        self.now = datetime(2026, 1, 1, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


def test_codes_are_formatted_from_the_alphabet_and_single_use():
    registry = CodeRegistry(timedelta(minutes=10))
    pending = registry.issue("helper-1", "s1")
    shown = registry.display(pending)
    assert len(shown) == 9 and shown[4] == "-"
    assert set(shown.replace("-", "")) <= set(ALPHABET)
    assert registry.redeem(shown.lower()) == pending
    assert registry.redeem(shown) is None


def test_codes_expire_after_the_ttl():
    clock = FakeClock()
    registry = CodeRegistry(timedelta(minutes=10), clock=clock)
    shown = registry.display(registry.issue("helper-1", "s1"))
    clock.now += timedelta(minutes=9, seconds=59)
    assert len(registry) == 1
    clock.now += timedelta(seconds=1)
    assert registry.redeem(shown) is None
    assert len(registry) == 0


def test_a_new_code_replaces_the_helpers_old_one_and_cancel_kills_it():
    registry = CodeRegistry(timedelta(minutes=10))
    old = registry.display(registry.issue("helper-1", "s1"))
    new = registry.display(registry.issue("helper-1", "s2"))
    assert registry.redeem(old) is None
    other = registry.display(registry.issue("helper-2", "s3"))
    registry.cancel("helper-2")
    assert registry.redeem(other) is None
    assert registry.redeem(new) is not None


def test_redeem_compares_in_constant_time(monkeypatch):
    import signaling.pairing as pairing

    calls = []
    real = pairing.codes_equal
    monkeypatch.setattr(pairing, "codes_equal", lambda a, b: calls.append((a, b)) or real(a, b))
    registry = CodeRegistry(timedelta(minutes=10))
    for n in range(3):
        registry.issue(f"helper-{n}", f"s{n}")
    registry.redeem("ABCD-EFGH")
    # Every live code was compared with the constant-time helper, none with ==.
    assert len(calls) == 3


def test_garbage_is_never_a_code():
    registry = CodeRegistry(timedelta(minutes=10))
    registry.issue("helper-1", "s1")
    for typed in ("", "0000-0000", "x" * 1000, "ABCD-EFG"):
        assert registry.redeem(typed) is None


def test_limiter_counts_failures_per_key_in_a_sliding_window():
    now = [0.0]
    limiter = RedeemLimiter(5, 300, clock=lambda: now[0])
    for _ in range(4):
        limiter.record_failure("account:a", "address:1")
    assert limiter.retry_after("account:a", "address:1") is None
    limiter.record_failure("account:a", "address:1")
    assert limiter.retry_after("account:a") == 300
    assert limiter.retry_after("account:b", "address:1") == 300
    assert limiter.retry_after("account:b", "address:2") is None
    now[0] = 299.5
    assert limiter.retry_after("account:a") == 1
    now[0] = 300.0
    assert limiter.retry_after("account:a", "address:1") is None
