"""The desktop apps' run on the qasync loop: stopping leaves no task to wake without a loop."""

from __future__ import annotations

import asyncio
import time

from desktop_widgets.desktop_app import lifetime


def test_no_task_wakes_after_the_loop_stopped_so_none_prints_a_traceback(qapp, qt_display):
    """A websocket's keepalive sleeps in a loop, as this ticker does. qasync runs Qt's events
    once more after the loop stopped, with no running loop: a task woken then fails with "no
    running event loop" (the traceback the demo's Ctrl+C printed). The run ends with every
    such task cancelled and finished, so nothing is left to wake."""
    import qasync

    loop = qasync.QEventLoop(qapp, already_running=False)
    asyncio.set_event_loop(loop)
    failures: list[BaseException] = []

    async def keepalive() -> None:
        while True:
            try:
                await asyncio.sleep(0.001)
            except RuntimeError as exc:
                failures.append(exc)
                return

    async def busy_shutdown() -> None:
        # Closing windows takes Qt a while: the ticker's timer is overdue when the loop stops.
        time.sleep(0.01)

    closed = asyncio.Event()
    try:
        ticker = loop.create_task(keepalive())
        loop.call_later(0.05, closed.set)
        loop.run_until_complete(lifetime(closed, busy_shutdown))
        time.sleep(0.01)
        qapp.processEvents()  # what qasync does after the loop stopped, and Qt at exit
        assert failures == []
        assert ticker.cancelled()
    finally:
        loop.close()
        asyncio.set_event_loop(None)
