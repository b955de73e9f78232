"""The restart countdown: the person sees it coming and may put it off once.

Plain asyncio, so the tray dialog and the headless agent share it and tests drive it
without a screen. ``restart_at`` is the loop time the restart is due; postponing moves it.
"""

from __future__ import annotations

import asyncio


class RestartCountdown:
    def __init__(self, seconds: float, postpone_by: float) -> None:
        self._loop = asyncio.get_running_loop()
        self.restart_at = self._loop.time() + seconds
        self.postpone_by = postpone_by
        self.postponed = False
        self._moved = asyncio.Event()
        # Set once, by the postponement, for whoever tells the person and the server.
        self.postponed_event = asyncio.Event()

    @property
    def remaining(self) -> float:
        return max(0.0, self.restart_at - self._loop.time())

    def postpone(self) -> bool:
        """Put the restart off by ``postpone_by``; only the first call does anything."""
        if self.postponed:
            return False
        self.postponed = True
        self.restart_at += self.postpone_by
        self._moved.set()
        self.postponed_event.set()
        return True

    async def wait(self) -> None:
        """Return when the (possibly postponed) time has come."""
        while (remaining := self.remaining) > 0:
            try:
                await asyncio.wait_for(self._moved.wait(), remaining)
            except TimeoutError:
                return
            self._moved.clear()
