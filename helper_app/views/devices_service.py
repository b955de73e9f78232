"""The one QObject between the devices window and :class:`DeviceConsole`.

Calls run on the asyncio loop; answers and refusals come back as signals, so the window
never awaits the network and a refusal is a sentence on screen, never a traceback.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal

from client.devices.api import ApiError
from client.devices.console import DeviceConsole
from client.signin import SignInError
from common.devices.actions import ActionRecord, ActionRequest

# While a device is selected its actions are read again this often, so states move live.
REFRESH_MS = 2000


class DevicesService(QObject):
    devices = Signal(list)  # [DeviceRecord]
    actions = Signal(str, list)  # device id, [ActionRecord]
    report = Signal(str, dict)  # action id, the diagnostics report
    changed = Signal(object)  # the ActionRecord a request, cancel or approval returned
    failed = Signal(str)

    def __init__(self, console: DeviceConsole) -> None:
        super().__init__()
        self.console = console
        self.selected = ""
        self._tasks: set[asyncio.Task[Any]] = set()
        self._timer = QTimer(self)
        self._timer.setInterval(REFRESH_MS)
        self._timer.timeout.connect(self._refresh_actions)

    def _run(self, coro: Coroutine[Any, Any, None]) -> None:
        task = asyncio.ensure_future(self._guarded(coro))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _guarded(self, coro: Coroutine[Any, Any, None]) -> None:
        try:
            await coro
        except ApiError as exc:
            self.failed.emit(exc.message)
        except SignInError as exc:
            self.failed.emit(str(exc))

    def search(self, text: str) -> None:
        async def load() -> None:
            self.devices.emit(await self.console.devices(text))

        self._run(load())

    def select(self, device_id: str) -> None:
        self.selected = device_id
        self._refresh_actions()
        self._timer.start()

    def _refresh_actions(self) -> None:
        device_id = self.selected

        async def load() -> None:
            self.actions.emit(device_id, await self.console.actions(device_id))

        if device_id:
            self._run(load())

    def request(self, device_id: str, request: ActionRequest) -> None:
        self._run(self._changed_by(self.console.request(device_id, request)))

    def cancel(self, action_id: str) -> None:
        self._run(self._changed_by(self.console.cancel(action_id)))

    def approve(self, action_id: str) -> None:
        self._run(self._changed_by(self.console.approve(action_id)))

    async def _changed_by(self, call: Coroutine[Any, Any, ActionRecord]) -> None:
        self.changed.emit(await call)
        self._refresh_actions()

    def load_report(self, action_id: str) -> None:
        async def load() -> None:
            self.report.emit(action_id, await self.console.report(action_id))

        self._run(load())

    def stop(self) -> None:
        self._timer.stop()
