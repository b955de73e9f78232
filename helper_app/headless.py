"""The helper's headless mode: commands from CONTRACT.md mapped onto the engine."""

from __future__ import annotations

from typing import Any

from client.file_commands import file_handlers
from client.headless_io import Handler, run_headless
from client.session.errors import ClientErrorCode, EngineError
from client.session.events import SnapshotSaved
from client.session.helper_engine import HelperEngine
from client.settings import AppSettings
from common.input_events import INPUT_TYPES


def handlers_for(engine: HelperEngine) -> dict[str, Handler]:
    async def send_input(command: dict[str, Any]) -> None:
        event = {key: value for key, value in command.items() if key != "cmd"}
        await engine.send_input({**event, "type": command["cmd"]})

    async def request_control(_: dict[str, Any]) -> None:
        await engine.request_control()

    async def chat(command: dict[str, Any]) -> None:
        await engine.chat(str(command.get("text", "")))

    async def clipboard(command: dict[str, Any]) -> None:
        await engine.clipboard(str(command.get("text", "")))

    async def switch_monitor(command: dict[str, Any]) -> None:
        index = command.get("index")
        if not isinstance(index, int) or isinstance(index, bool):
            raise EngineError(ClientErrorCode.INVALID_COMMAND, "index is a monitor number")
        await engine.switch_monitor(index)

    async def end(_: dict[str, Any]) -> None:
        await engine.end()

    async def help_device(command: dict[str, Any]) -> None:
        device_id = command.get("device_id")
        if not isinstance(device_id, str) or not device_id:
            raise EngineError(ClientErrorCode.INVALID_COMMAND, "device_id names an enrolled device")
        await engine.help_device(device_id)

    async def new_code(_: dict[str, Any]) -> None:
        await engine.request_code()

    async def snapshot(command: dict[str, Any]) -> None:
        saved = await engine.save_snapshot(str(command.get("path", "helper-snapshot.png")))
        engine.emit(SnapshotSaved(**saved))

    return {
        **dict.fromkeys(INPUT_TYPES, send_input),
        "request_control": request_control,
        "chat": chat,
        "clipboard": clipboard,
        "switch_monitor": switch_monitor,
        "end": end,
        "new_code": new_code,
        "help_device": help_device,
        "snapshot": snapshot,
        **file_handlers(engine),
    }


async def run(settings: AppSettings) -> int:
    """One session; the exit status says how it ended (see the README)."""
    engine = HelperEngine(settings)
    return await run_headless(engine, handlers_for(engine), engine.request_code)
