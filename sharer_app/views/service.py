"""The only object in the sharer's UI that touches the session engine.

Widgets connect to its signals and call its slots; engine commands run on the shared asyncio
loop and failures come back as ``error`` events, so the UI never waits on the network.
"""

from __future__ import annotations

import socket
from collections.abc import Callable

from PySide6.QtCore import QObject, Signal

from common.app_settings import AppSettings
from common.permissions import ConsentChoice
from common.session.command_runner import CommandRunner
from common.session.events import EngineEvent
from common.session.sharer_engine import SharerEngine
from common.signin import SignInError, dev_users

EngineFactory = Callable[[AppSettings], SharerEngine]


class SharerService(QObject):
    event = Signal(str, dict)

    def __init__(self, settings: AppSettings, engine_factory: EngineFactory) -> None:
        super().__init__()
        self.settings = settings
        self._factory = engine_factory
        self.engine: SharerEngine | None = None
        self._runner = CommandRunner(self._report_error)
        self._run = self._runner.run

    def load_users(self) -> None:
        self._run(self._load_users())

    def connect(self, upn: str | None, code: str) -> None:
        """Sign in if not yet signed in, then redeem the code."""
        if upn:
            self.settings.user = upn
        self._run(self._connect(code))

    def consent(self, choice: str) -> None:
        if self.engine is not None:
            self._run(self.engine.consent(ConsentChoice(choice)))

    def grant_control(self) -> None:
        if self.engine is not None:
            self._run(self.engine.grant_control())

    def revoke_control(self) -> None:
        if self.engine is not None:
            self._run(self.engine.revoke_control())

    def deny_control(self) -> None:
        if self.engine is not None:
            self._run(self.engine.deny_control())

    def set_paused(self, paused: bool) -> None:
        if self.engine is not None:
            self._run(self._pause(paused))

    def chat(self, text: str) -> None:
        if self.engine is not None:
            self._run(self.engine.chat(text))

    def stop(self) -> None:
        if self.engine is not None:
            self._run(self.engine.end())

    def new_session(self) -> None:
        self.engine = None

    async def shutdown(self) -> None:
        if self.engine is not None:
            await self.engine.end()

    async def _pause(self, paused: bool) -> None:
        assert self.engine is not None
        self.engine.set_paused(paused)

    async def _load_users(self) -> None:
        try:
            users = await dev_users(self.settings.server)
        except SignInError as exc:
            self.event.emit("users", {"users": [], "message": str(exc)})
            return
        self.event.emit("users", {"users": users, "message": ""})

    async def _connect(self, code: str) -> None:
        engine = self.engine
        if engine is None or engine.state is engine.ENDED:
            engine = self._factory(self.settings)
            engine.subscribe(self._forward)
            self.engine = engine
            await engine.sign_in(interactive=True, device_name=socket.gethostname())
        await engine.redeem(code)

    def _forward(self, event: EngineEvent) -> None:
        self.event.emit(event.name, dict(event.fields))

    def _report_error(self, code: str, message: str) -> None:
        self.event.emit("error", {"code": code, "message": message})
