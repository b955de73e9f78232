"""Runs UI commands on the asyncio loop and turns their failures into error reports.

Both desktop apps use it, so a button never awaits the network and no failure escapes as a
traceback: it comes back as ``(code, message)`` for the view to show.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from typing import Any

from client.media.monitors import MonitorError
from client.session.errors import AnyErrorCode, ClientErrorCode, EngineError
from client.signin import SignInError

ErrorReporter = Callable[[AnyErrorCode, str], None]


class CommandRunner:
    def __init__(self, report_error: ErrorReporter) -> None:
        self._report = report_error
        self._tasks: set[asyncio.Task[Any]] = set()

    def run(self, coro: Coroutine[Any, Any, Any]) -> None:
        task = asyncio.ensure_future(self._guarded(coro))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _guarded(self, coro: Coroutine[Any, Any, Any]) -> None:
        try:
            await coro
        except EngineError as exc:
            self._report(exc.code, exc.message)
        except SignInError as exc:
            self._report(ClientErrorCode.SIGN_IN_FAILED, str(exc))
        except MonitorError as exc:
            self._report(ClientErrorCode.NO_SCREEN, str(exc).splitlines()[0])
        except ValueError as exc:
            self._report(ClientErrorCode.INVALID, str(exc))
