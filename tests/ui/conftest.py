"""UI tests run the real windows on the suite's Xvfb display, on one qasync loop."""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Callable, Coroutine
from typing import Any

import pytest


@pytest.fixture(scope="session")
def qapp_args(xvfb_display):
    """pytest-qt builds its QApplication from these; the display must exist first."""
    os.environ["QT_QPA_PLATFORM"] = "xcb"
    return ["helpline-tests"]


@pytest.fixture
def qt_display(qapp, xvfb_display):
    return xvfb_display


@pytest.fixture
def run_async(qapp, qt_display):
    """Run a coroutine on a qasync loop bound to the test's QApplication."""
    import qasync

    loop = qasync.QEventLoop(qapp, already_running=False)
    asyncio.set_event_loop(loop)

    def run(coro: Coroutine[Any, Any, Any], timeout: float = 90) -> Any:
        return loop.run_until_complete(asyncio.wait_for(coro, timeout))

    yield run
    pending = [t for t in asyncio.all_tasks(loop) if not t.done()]
    for task in pending:
        task.cancel()
    if pending:
        loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
    loop.close()
    asyncio.set_event_loop(None)


async def until(predicate: Callable[[], Any], timeout: float = 30, what: str = "") -> Any:
    """Await a condition while the Qt and asyncio events keep flowing."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what or predicate}")
        await asyncio.sleep(0.05)
