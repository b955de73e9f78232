"""JSON lines in, JSON lines out: the headless apps' whole user interface.

Commands arrive on standard input, one object per line, each read into its model from the
app's catalogue (``client.commands``); events leave on standard output. A bad line gets an
``error`` event and is otherwise ignored. Closing standard input ends the session cleanly
(and, before a session, just stops). The exit status says how the run ended
(``client.session.outcome.ExitStatus``).
"""

from __future__ import annotations

import asyncio
import functools
import json
import logging
import sys
import threading
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from typing import Any, TextIO

from pydantic import ValidationError

from client.commands import Catalogue, Command
from client.session.engine_base import SessionEngine
from client.session.errors import AnyErrorCode, ClientErrorCode, EngineError
from client.session.events import EngineEvent, ErrorReported
from client.session.outcome import ExitStatus
from common.input_events import InputError

log = logging.getLogger(__name__)

# Each takes the command of its class (``client.commands``).
Handler = Callable[[Any], Awaitable[None]]
Handlers = Mapping[type[Command], Handler]


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


def check_coverage(catalogue: Catalogue, handlers: Handlers) -> None:
    """An app's handlers are for exactly the commands of its catalogue: one without a
    handler, or a handler for a command the app does not take, is a mistake of ours."""
    missing, extra = catalogue.commands - handlers.keys(), handlers.keys() - catalogue.commands
    if missing or extra:
        raise ValueError(
            f"handlers do not match the catalogue: without a handler "
            f"{sorted(c.__name__ for c in missing)}, not in it {sorted(c.__name__ for c in extra)}"
        )


async def run_headless(
    engine: SessionEngine[Any],
    catalogue: Catalogue,
    handlers: Handlers,
    start: Callable[[], Awaitable[None]],
    writer: EventWriter | None = None,
    device_name: str = "",
) -> ExitStatus:
    """Run one session: start it, obey commands until it ends or standard input closes."""
    check_coverage(catalogue, handlers)
    out = writer or EventWriter()
    engine.subscribe(out)

    async def guarded(action: Callable[[], Awaitable[None]]) -> None:
        try:
            await action()
        except EngineError as exc:
            out.error(exc.code, exc.message)
        except InputError as exc:
            out.error(ClientErrorCode.INVALID_INPUT, exc.reason)
        except ValidationError as exc:  # a value the engine's own messages do not take
            out.error(ClientErrorCode.INVALID_COMMAND, exc.errors()[0]["msg"])

    async def obey() -> None:
        async for line in read_lines():
            if not line.strip():
                continue
            try:
                command = catalogue.parse(line)
            except EngineError as exc:
                out.error(exc.code, exc.message)
                continue
            await guarded(functools.partial(handlers[type(command)], command))
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
