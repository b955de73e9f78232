"""Being told the screen changed, instead of finding out by grabbing it.

A still screen polled ten times a second shows its first change up to 100 ms late, and
polling faster costs CPU on a machine whose owner is working. On X11 the DAMAGE extension
reports drawing as it happens: while the screen is quiet, the capture thread sleeps until a
damage event (or a slow safety poll) wakes it. Elsewhere (no X11, no python-xlib, no
extension) the watcher does nothing and the track polls as before.
"""

from __future__ import annotations

import contextlib
import logging
import os
import select
import threading
from typing import Any

log = logging.getLogger(__name__)


class ChangeWatcher:
    """No change notifications: the capture track polls."""

    reliable = False

    def __init__(self) -> None:
        # Armed: wake the capture thread on a change. ``changes`` counts damage reports, so
        # a change between the last grab and arming is not slept through.
        self.armed = False
        self.changes = 0

    @staticmethod
    def for_display(wake: threading.Event) -> ChangeWatcher:
        if not os.environ.get("DISPLAY"):
            return ChangeWatcher()
        try:
            return DamageWatcher(wake)
        except Exception as exc:  # no python-xlib, no DAMAGE, no connection: poll instead
            log.info("no X damage events (%s); polling the screen", type(exc).__name__)
            return ChangeWatcher()

    def close(self) -> None:
        """Nothing to release."""


class DamageWatcher(ChangeWatcher):
    reliable = True

    def __init__(self, wake: threading.Event) -> None:
        super().__init__()
        from Xlib import display as xdisplay
        from Xlib.ext import damage

        self._display: Any = xdisplay.Display()
        if not self._display.has_extension("DAMAGE"):
            self._display.close()
            raise RuntimeError("the X server has no DAMAGE extension")
        self._display.damage_query_version()
        root = self._display.screen().root
        self._damage = root.damage_create(damage.DamageReportNonEmpty)
        self._notify_type = self._display.extension_event.DamageNotify
        self._display.flush()
        self._wake = wake
        self._closing = threading.Event()
        self._thread = threading.Thread(target=self._run, name="damage-watcher", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        fd = self._display.fileno()
        with contextlib.suppress(Exception):  # the display closed under us: stop quietly
            while not self._closing.is_set():
                ready, _, _ = select.select([fd], [], [], 0.5)
                if not ready:
                    continue
                damaged = False
                while self._display.pending_events():
                    event = self._display.next_event()
                    damaged |= event.type == self._notify_type
                if damaged:
                    # Empty the region so the next drawing reports again.
                    self._display.damage_subtract(self._damage)
                    self._display.flush()
                    self.changes += 1
                    if self.armed:
                        self._wake.set()

    def close(self) -> None:
        self._closing.set()
        self._thread.join(timeout=2)
        with contextlib.suppress(Exception):
            self._display.close()
