"""The only object in the helper's UI that touches the session engine.

Widgets connect to its signals and call its slots; it runs engine commands on the shared
asyncio loop and turns failures into ``error`` events, so no widget ever awaits the network.
"""

from __future__ import annotations

from typing import Any

import av
from PySide6.QtCore import QObject, Signal

from common.app_settings import AppSettings
from common.session.command_runner import CommandRunner
from common.session.events import EngineEvent
from common.session.helper_engine import HelperEngine
from common.signin import SignInError, dev_users


class HelperService(QObject):
    event = Signal(str, dict)
    frame = Signal(object)

    def __init__(self, settings: AppSettings) -> None:
        super().__init__()
        self.settings = settings
        self.engine: HelperEngine | None = None
        self._runner = CommandRunner(self._report_error)
        self._run = self._runner.run

    # ---- commands (called by widgets) ---------------------------------------------

    def load_users(self) -> None:
        self._run(self._load_users())

    def sign_in(self, upn: str | None) -> None:
        if upn:
            self.settings.user = upn
        self._run(self._start_session())

    def new_code(self) -> None:
        if self.engine is not None:
            self._run(self.engine.request_code())

    def new_session(self) -> None:
        self._run(self._start_session())

    def request_control(self) -> None:
        if self.engine is not None:
            self._run(self.engine.request_control())

    def chat(self, text: str) -> None:
        if self.engine is not None:
            self._run(self.engine.chat(text))

    def send_input(self, event: dict[str, Any]) -> None:
        if self.engine is not None and self.engine.control_granted:
            self._run(self.engine.send_input(event))

    def end(self) -> None:
        if self.engine is not None:
            self._run(self.engine.end())

    async def shutdown(self) -> None:
        if self.engine is not None:
            await self.engine.end()

    # ---- plumbing ------------------------------------------------------------------

    async def _load_users(self) -> None:
        try:
            users = await dev_users(self.settings.server)
        except SignInError as exc:
            self.event.emit("users", {"users": [], "message": str(exc)})
            return
        self.event.emit("users", {"users": users, "message": ""})

    async def _start_session(self) -> None:
        engine = HelperEngine(self.settings)
        engine.subscribe(self._forward)
        engine.on_frame(self._on_frame)
        self.engine = engine
        await engine.sign_in(interactive=True, device_name="")
        await engine.request_code()

    def _forward(self, event: EngineEvent) -> None:
        self.event.emit(event.name, dict(event.fields))

    def _on_frame(self, frame: av.VideoFrame) -> None:
        self.frame.emit(frame)

    def _report_error(self, code: str, message: str) -> None:
        self.event.emit("error", {"code": code, "message": message})
