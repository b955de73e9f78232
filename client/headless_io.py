"""JSON lines in, JSON lines out: the headless apps' whole user interface.

Commands arrive on standard input, one object per line; events leave on standard output.
A bad line gets an ``error`` event and is otherwise ignored. Closing standard input ends
the session cleanly (and, before a session, just stops). The exit status says how the run
ended (``client.session.outcome.ExitStatus``).
"""

from __future__ import annotations

import asyncio
import functools
import json
import logging
import sys
import threading
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any, TextIO

from pydantic import ValidationError

from client.session.engine_base import SessionEngine
from client.session.errors import AnyErrorCode, ClientErrorCode, EngineError
from client.session.events import EngineEvent, ErrorReported
from client.session.outcome import ExitStatus
from common.input_events import InputError
from common.wire import ProtocolError, decode_object

log = logging.getLogger(__name__)

MAX_COMMAND_BYTES = 64 * 1024

Handler = Callable[[dict[str, Any]], Awaitable[None]]


class EventWriter:
    """One JSON line per event, flushed at once: standard output, or a desktop app's
    ``--events`` file that a tester is following."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self._stream = stream or sys.stdout

    def __call__(self, event: EngineEvent) -> None:
        self._stream.write(json.dumps(event.to_json_dict()) + "\n")
        self._stream.flush()

    def error(self, code: AnyErrorCode, message: str) -> None:
        self(ErrorReported(code=code, message=message))


async def read_lines(stream: TextIO | None = None) -> AsyncIterator[str]:
    """Standard input without blocking the loop: a daemon thread reads, the loop consumes."""
    source = stream or sys.stdin
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[str | None] = asyncio.Queue()

    def pump() -> None:
        for line in source:
            loop.call_soon_threadsafe(queue.put_nowait, line)
        loop.call_soon_threadsafe(queue.put_nowait, None)

    threading.Thread(target=pump, name="stdin", daemon=True).start()
    while (line := await queue.get()) is not None:
        yield line


def parse_command(line: str) -> dict[str, Any]:
    invalid = ClientErrorCode.INVALID_COMMAND
    try:
        data = decode_object(line, MAX_COMMAND_BYTES, what="command")
    except ProtocolError as exc:
        raise EngineError(invalid, exc.message) from exc
    if not isinstance(data.get("cmd"), str):
        raise EngineError(invalid, 'a command is a JSON object with a "cmd" field')
    return data


async def run_headless(
    engine: SessionEngine[Any],
    handlers: dict[str, Handler],
    start: Callable[[], Awaitable[None]],
    writer: EventWriter | None = None,
    device_name: str = "",
) -> ExitStatus:
    """Run one session: start it, obey commands until it ends or standard input closes."""
    out = writer or EventWriter()
    engine.subscribe(out)

    async def guarded(action: Callable[[], Awaitable[None]]) -> None:
        try:
            await action()
        except EngineError as exc:
            out.error(exc.code, exc.message)
        except InputError as exc:
            out.error(ClientErrorCode.INVALID_INPUT, exc.reason)
        except ValidationError as exc:
            out.error(ClientErrorCode.INVALID_COMMAND, exc.errors()[0]["msg"])

    async def obey() -> None:
        async for line in read_lines():
            if not line.strip():
                continue
            try:
                command = parse_command(line)
            except EngineError as exc:
                out.error(exc.code, exc.message)
                continue
            handler = handlers.get(command["cmd"])
            if handler is None:
                out.error(
                    ClientErrorCode.UNKNOWN_COMMAND, f"unknown command {command['cmd'][:40]!r}"
                )
                continue
            await guarded(functools.partial(handler, command))
            if engine.finished.is_set():
                return
        await engine.end()

    try:
        await engine.sign_in(device_name=device_name)
    except EngineError as exc:
        out.error(exc.code, exc.message)
        return ExitStatus.REFUSED if engine.refusal else ExitStatus.FAILED
    await guarded(start)
    commands = asyncio.ensure_future(obey())
    finished = asyncio.ensure_future(engine.finished.wait())
    await asyncio.wait({commands, finished}, return_when=asyncio.FIRST_COMPLETED)
    commands.cancel()
    await engine.finished.wait()
    return engine.exit_status
