"""The sharer's headless mode: commands from CONTRACT.md mapped onto the engine."""

from __future__ import annotations

import socket
from pathlib import Path
from typing import Any

from client.file_commands import file_handlers
from client.headless_io import EventWriter, Handler, run_headless
from client.media.monitors import MonitorError
from client.session.errors import ClientErrorCode, EngineError
from client.session.events import EngineEvent, ErrorReported, HelperIdentityShown
from client.session.outcome import ExitStatus
from client.session.sharer_engine import SharerEngine
from client.settings import AppSettings
from common.permissions import ConsentChoice
from sharer_app.engine_factory import build_engine


def handlers_for(engine: SharerEngine) -> dict[str, Handler]:
    async def consent(command: dict[str, Any]) -> None:
        try:
            choice = ConsentChoice(command.get("level"))
        except ValueError as exc:
            raise EngineError(
                ClientErrorCode.INVALID_COMMAND, "level must be view, control or decline"
            ) from exc
        await engine.consent(
            choice, _names(command.get("allow", [])), monitors=command.get("monitors")
        )

    async def allow(command: dict[str, Any]) -> None:
        await engine.set_allowed(_names(command.get("allow", [])))

    async def monitors(command: dict[str, Any]) -> None:
        engine.set_monitors(command.get("monitors"))

    async def clipboard(command: dict[str, Any]) -> None:
        await engine.clipboard(str(command.get("text", "")))

    async def code(command: dict[str, Any]) -> None:
        await engine.redeem(str(command.get("code", "")))

    async def grant_control(_: dict[str, Any]) -> None:
        await engine.grant_control()

    async def revoke_control(_: dict[str, Any]) -> None:
        await engine.revoke_control()

    async def deny_control(_: dict[str, Any]) -> None:
        await engine.deny_control()

    async def pause(_: dict[str, Any]) -> None:
        engine.set_paused(True)

    async def resume(_: dict[str, Any]) -> None:
        engine.set_paused(False)

    async def chat(command: dict[str, Any]) -> None:
        await engine.chat(str(command.get("text", "")))

    async def end(_: dict[str, Any]) -> None:
        await engine.end()

    return {
        "consent": consent,
        "code": code,
        "grant_control": grant_control,
        "revoke_control": revoke_control,
        "deny_control": deny_control,
        "pause": pause,
        "resume": resume,
        "chat": chat,
        "clipboard": clipboard,
        "allow": allow,
        "monitors": monitors,
        "end": end,
        **file_handlers(engine),
    }


def _names(value: object) -> list[object]:
    if not isinstance(value, list):
        raise EngineError(ClientErrorCode.INVALID_COMMAND, "allow is a list of names")
    return value


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

    return await run_headless(engine, handlers_for(engine), start, device_name=socket.gethostname())


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
