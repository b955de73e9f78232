"""The helper's headless mode: its commands (``client.commands.HELPER``) mapped onto the engine."""

from __future__ import annotations

from client import commands as c
from client.file_commands import file_handlers
from client.headless_io import Handlers, run_headless
from client.session.events import SnapshotSaved
from client.session.helper_engine import HelperEngine
from client.settings import AppSettings


def handlers_for(engine: HelperEngine) -> Handlers:
    async def send_input(command: c.SendInput) -> None:
        await engine.send_input(command.event.model_dump())

    async def request_control(_: c.RequestControl) -> None:
        await engine.request_control()

    async def chat(command: c.SendChat) -> None:
        await engine.chat(command.text)

    async def clipboard(command: c.SendClipboard) -> None:
        await engine.clipboard(command.text)

    async def switch_monitor(command: c.SwitchMonitor) -> None:
        await engine.switch_monitor(command.index)

    async def end(_: c.EndSession) -> None:
        await engine.end()

    async def help_device(command: c.HelpDevice) -> None:
        await engine.help_device(command.device_id)

    async def new_code(_: c.NewCode) -> None:
        await engine.request_code()

    async def snapshot(command: c.SaveSnapshot) -> None:
        saved = await engine.save_snapshot(command.path)
        engine.emit(SnapshotSaved(**saved))

    return {
        c.SendInput: send_input,
        c.RequestControl: request_control,
        c.SendChat: chat,
        c.SendClipboard: clipboard,
        c.SwitchMonitor: switch_monitor,
        c.EndSession: end,
        c.NewCode: new_code,
        c.HelpDevice: help_device,
        c.SaveSnapshot: snapshot,
        **file_handlers(engine),
    }


async def run(settings: AppSettings) -> int:
    """One session; the exit status says how it ended (see the README)."""
    engine = HelperEngine(settings)
    return await run_headless(engine, c.HELPER, handlers_for(engine), engine.request_code)
