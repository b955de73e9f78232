"""The base of each app's service: the one QObject that talks to a session engine.

Widgets connect to ``event`` (typed engine events, see ``client.session.events``) and call the
service's methods; commands run on the shared asyncio loop through a CommandRunner, so no
widget awaits the network and failures come back as ``error`` events.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject, Signal

from client.session.engine_base import SessionEngine
from client.session.errors import AnyErrorCode
from client.session.events import EngineEvent, ErrorReported
from client.settings import AppSettings
from client.signin import SignInError, dev_users
from desktop_widgets.command_runner import CommandRunner


class EngineService(QObject):
    event = Signal(object)  # an EngineEvent
    users = Signal(list, str)  # the development directory, or why there is none

    def __init__(self, settings: AppSettings) -> None:
        super().__init__()
        self.settings = settings
        self.engine: SessionEngine[Any] | None = None
        self._runner = CommandRunner(self._report_error)
        self._run = self._runner.run

    async def shutdown(self) -> None:
        """The window closed: end the session, if there is one, before the loop stops."""
        if self.engine is not None:
            await self.engine.end()

    def load_users(self) -> None:
        """The development directory for a user picker, or a reason there is none."""
        self._run(self._load_users())

    async def _load_users(self) -> None:
        try:
            users: list[dict[str, Any]] = await dev_users(self.settings.server)
            message = ""
        except SignInError as exc:
            users, message = [], str(exc)
        self.users.emit(users, message)

    def _forward(self, event: EngineEvent) -> None:
        self.event.emit(event)

    def _report_error(self, code: AnyErrorCode, message: str) -> None:
        self.event.emit(ErrorReported(code=code, message=message))
