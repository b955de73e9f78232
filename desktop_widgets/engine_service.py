"""The base of each app's service: the one QObject that talks to a session engine.

Widgets connect to ``event`` (typed engine events, see ``client.session.events``) and call the
service's methods; commands run on the shared asyncio loop through a CommandRunner, so no
widget awaits the network and failures come back as ``error`` events.
"""

from __future__ import annotations

from collections.abc import Callable
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
            users: list[dict[str, Any]] = await dev_users(
                self.settings.server, self.settings.ca_file
            )
            message = ""
        except SignInError as exc:
            users, message = [], str(exc)
        self.users.emit(users, message)

    # ---- files (the same on both sides) --------------------------------------------

    def send_file(self, path: str) -> None:
        if self.engine is not None:
            self._run(self.engine.send_file(path))

    def accept_file(self, transfer_id: str, folder: str) -> None:
        if self.engine is not None:
            self._run(self.engine.accept_file(transfer_id, folder))

    def decline_file(self, transfer_id: str) -> None:
        if self.engine is not None:
            self._run(_now(self.engine.decline_file, transfer_id))

    def cancel_file(self, transfer_id: str) -> None:
        if self.engine is not None:
            self._run(_now(self.engine.cancel_file, transfer_id))

    def _forward(self, event: EngineEvent) -> None:
        self.event.emit(event)

    def _report_error(self, code: AnyErrorCode, message: str) -> None:
        self.event.emit(ErrorReported(code=code, message=message))


async def _now(action: Callable[[str], None], argument: str) -> None:
    """A quick engine call on the loop, so its errors come back as ``error`` events."""
    action(argument)
