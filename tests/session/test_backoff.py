"""The wait between tries to reach a lost server: doubling, capped, never in lock-step."""

from __future__ import annotations

import itertools
import random

from client.session.reconnect import backoff


def test_waits_double_up_to_the_cap_and_stay_under_it():
    delays = list(itertools.islice(backoff(0.5, 10.0, random.Random(1)), 12))
    ceilings = [min(10.0, 0.5 * 2**n) for n in range(12)]
    assert all(c / 2 <= d <= c for d, c in zip(delays, ceilings, strict=True)), delays
    assert max(delays) <= 10.0 and delays[-1] >= 5.0


def test_two_apps_do_not_retry_in_lock_step():
    first = list(itertools.islice(backoff(0.5, 10.0, random.Random(1)), 5))
    second = list(itertools.islice(backoff(0.5, 10.0, random.Random(2)), 5))
    assert first != second
