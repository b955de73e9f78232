"""Waiting for a condition, never for a length of time.

The deadline only bounds a run that is already failing; it is long on purpose, so a slow or
busy machine changes how long a test takes, never whether it passes.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")

DEADLINE = 60.0
POLL = 0.05


def wait_until(predicate: Callable[[], T], what: str = "", deadline: float = DEADLINE) -> T:
    """Return the predicate's first truthy value; raise AssertionError if it never comes."""
    end = time.monotonic() + deadline
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > end:
            raise AssertionError(f"never happened: {what or predicate}")
        time.sleep(POLL)
