"""The only object in the helper's UI that touches the session engine."""

from __future__ import annotations

from typing import Any

import av
from PySide6.QtCore import Signal

from client.session.helper_engine import HelperEngine
from client.settings import AppSettings
from desktop_widgets.engine_service import EngineService


class HelperService(EngineService):
    frame = Signal(object)

    def __init__(self, settings: AppSettings) -> None:
        super().__init__(settings)
        self.engine: HelperEngine | None = None

    def sign_in(self, upn: str | None) -> None:
        if upn:
            self.settings.user = upn
        self._run(self._start_session())

    def new_session(self) -> None:
        self._run(self._start_session())

    def new_code(self) -> None:
        if self.engine is not None:
            self._run(self.engine.request_code())

    def help_device(self, device_id: str) -> None:
        if self.engine is not None:
            self._run(self.engine.help_device(device_id))

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

    async def _start_session(self) -> None:
        engine = HelperEngine(self.settings)
        engine.subscribe(self._forward)
        engine.on_frame(self._on_frame)
        self.engine = engine
        await engine.sign_in(interactive=True)
        await engine.request_code()

    def _on_frame(self, frame: av.VideoFrame) -> None:
        self.frame.emit(frame)
