"""The file transfer commands' handlers, the same in both headless apps (CONTRACT.md)."""

from __future__ import annotations

from typing import Any

from client import commands as c
from client.headless_io import Handlers
from client.session.engine_base import SessionEngine


def file_handlers(engine: SessionEngine[Any]) -> Handlers:
    async def send_file(command: c.SendFile) -> None:
        await engine.send_file(command.path)

    async def accept_file(command: c.AcceptFile) -> None:
        await engine.accept_file(command.id, command.dir)

    async def decline_file(command: c.DeclineFile) -> None:
        engine.decline_file(command.id)

    async def cancel_file(command: c.CancelFile) -> None:
        engine.cancel_file(command.id)

    return {
        c.SendFile: send_file,
        c.AcceptFile: accept_file,
        c.DeclineFile: decline_file,
        c.CancelFile: cancel_file,
    }
