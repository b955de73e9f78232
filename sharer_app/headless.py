"""The sharer's headless mode: its commands (``client.commands.SHARER``) mapped onto the engine."""

from __future__ import annotations

import socket
from pathlib import Path

from client import commands as c
from client.file_commands import file_handlers
from client.headless_io import EventWriter, Handlers, run_headless
from client.media.monitors import MonitorError
from client.session.errors import ClientErrorCode, EngineError
from client.session.events import EngineEvent, ErrorReported, HelperIdentityShown
from client.session.outcome import ExitStatus
from client.session.sharer_engine import SharerEngine
from client.settings import AppSettings
from common.permissions import ConsentChoice
from sharer_app.engine_factory import build_engine


def handlers_for(engine: SharerEngine) -> Handlers:
    async def consent(command: c.GiveConsent) -> None:
        await engine.consent(command.level, command.allow, monitors=command.monitors)

    async def allow(command: c.SetAllowed) -> None:
        await engine.set_allowed(command.allow)

    async def monitors(command: c.SetMonitors) -> None:
        engine.set_monitors(command.monitors)

    async def clipboard(command: c.SendClipboard) -> None:
        await engine.clipboard(command.text)

    async def code(command: c.EnterCode) -> None:
        await engine.redeem(command.code)

    async def grant_control(_: c.GrantControl) -> None:
        await engine.grant_control()

    async def revoke_control(_: c.RevokeControl) -> None:
        await engine.revoke_control()

    async def deny_control(_: c.DenyControl) -> None:
        await engine.deny_control()

    async def pause(_: c.PauseSharing) -> None:
        engine.set_paused(True)

    async def resume(_: c.ResumeSharing) -> None:
        engine.set_paused(False)

    async def chat(command: c.SendChat) -> None:
        await engine.chat(command.text)

    async def end(_: c.EndSession) -> None:
        await engine.end()

    return {
        c.GiveConsent: consent,
        c.EnterCode: code,
        c.GrantControl: grant_control,
        c.RevokeControl: revoke_control,
        c.DenyControl: deny_control,
        c.PauseSharing: pause,
        c.ResumeSharing: resume,
        c.SendChat: chat,
        c.SendClipboard: clipboard,
        c.SetAllowed: allow,
        c.SetMonitors: monitors,
        c.EndSession: end,
        **file_handlers(engine),
    }


async def run(
    settings: AppSettings,
    *,
    code: str | None,
    consent: str | None,
    allow: list[str] | None = None,
    monitors: str | list[int] | None = None,
    await_help: bool = False,
    data_dir: Path | None = None,
) -> int:
    """One session; the exit status says how it ended (see the README). ``await_help``: an
    enrolled device (its data in ``data_dir``) waits for a helper to ask, instead of a code."""
    try:
        engine = build_engine(settings, data_dir)
    except (MonitorError, ImportError) as exc:
        # No display, or no such monitor: say so as an event, not a traceback. Not a usage
        # error: the same command works where there is a screen.
        EventWriter().error(ClientErrorCode.NO_SCREEN, str(exc).splitlines()[0])
        return ExitStatus.FAILED

    async def start() -> None:
        if await_help:
            try:
                await engine.await_help()
            except EngineError as exc:  # not an enrolled device: nobody can ask for it
                engine.emit(ErrorReported(code=exc.code, message=exc.message))
                await engine.finish(None, tell_server=False)
                return
        elif code is None:
            return
        else:
            # A code on the command line is the only one: refused, the run ends.
            await engine.redeem(code, only_code=True)
        if consent is not None:
            # The answer is given as soon as the card has been verified and shown.
            def answer(event: EngineEvent) -> None:
                if isinstance(event, HelperIdentityShown):
                    reply = _consent_logged(engine, ConsentChoice(consent), allow or [], monitors)
                    engine.spawn(reply)

            engine.subscribe(answer)

    return await run_headless(
        engine, c.SHARER, handlers_for(engine), start, device_name=socket.gethostname()
    )


async def _consent_logged(
    engine: SharerEngine,
    choice: ConsentChoice,
    allow: list[str],
    monitors: str | list[int] | None,
) -> None:
    try:
        await engine.consent(choice, list(allow), monitors=monitors)
    except EngineError as exc:
        engine.emit(ErrorReported(code=exc.code, message=exc.message))
