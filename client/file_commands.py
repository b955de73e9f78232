"""The file transfer commands, the same in both headless apps (CONTRACT.md)."""

from __future__ import annotations

from typing import Any

from client.headless_io import Handler
from client.session.engine_base import SessionEngine
from client.session.errors import ClientErrorCode, EngineError


def file_handlers(engine: SessionEngine[Any]) -> dict[str, Handler]:
    async def send_file(command: dict[str, Any]) -> None:
        await engine.send_file(_text(command, "path"))

    async def accept_file(command: dict[str, Any]) -> None:
        await engine.accept_file(_text(command, "id"), _text(command, "dir"))

    async def decline_file(command: dict[str, Any]) -> None:
        engine.decline_file(_text(command, "id"))

    async def cancel_file(command: dict[str, Any]) -> None:
        engine.cancel_file(_text(command, "id"))

    return {
        "send_file": send_file,
        "accept_file": accept_file,
        "decline_file": decline_file,
        "cancel_file": cancel_file,
    }


def _text(command: dict[str, Any], name: str) -> str:
    value = command.get(name)
    if not isinstance(value, str) or not value:
        raise EngineError(ClientErrorCode.INVALID_COMMAND, f"{name} is required (a string)")
    return value
