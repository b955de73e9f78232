"""The sharer's headless mode: commands from CONTRACT.md mapped onto the engine."""

from __future__ import annotations

import socket
from typing import Any

from client.headless_io import EventWriter, Handler, run_headless
from client.media.monitors import MonitorError
from client.session.engine_base import EngineError
from client.session.events import EngineEvent
from client.session.sharer_engine import SharerEngine
from client.settings import AppSettings
from common.permissions import ConsentChoice
from sharer_app.engine_factory import build_engine


def handlers_for(engine: SharerEngine) -> dict[str, Handler]:
    async def consent(command: dict[str, Any]) -> None:
        try:
            choice = ConsentChoice(command.get("level"))
        except ValueError as exc:
            raise EngineError("invalid_command", "level must be view, control or decline") from exc
        await engine.consent(choice)

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
        "end": end,
    }


async def run(settings: AppSettings, *, code: str | None, consent: str | None) -> int:
    try:
        engine = build_engine(settings)
    except (MonitorError, ImportError) as exc:
        # No display, or no such monitor: say so as an event, not a traceback.
        EventWriter().error("no_screen", str(exc).splitlines()[0])
        return 2

    async def start() -> None:
        if code is None:
            return
        await engine.redeem(code)
        if consent is not None:
            # The answer is given as soon as the card has been verified and shown.
            def answer(event: EngineEvent) -> None:
                if event.name == "helper_identity":
                    engine.spawn(_consent_logged(engine, ConsentChoice(consent)))

            engine.subscribe(answer)

    return await run_headless(engine, handlers_for(engine), start, device_name=socket.gethostname())


async def _consent_logged(engine: SharerEngine, choice: ConsentChoice) -> None:
    try:
        await engine.consent(choice)
    except EngineError as exc:
        engine.emit("error", code=exc.code, message=exc.message)
