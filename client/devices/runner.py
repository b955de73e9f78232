"""What an action does on this device, given the platform's adapter.

The runner decides and executes; the agent carries messages. Destructive commands go
through :meth:`ActionRunner._execute`, which with ``--dry-run`` records the exact command
line instead of running it, so what *would* happen is tested and audited the same way.
"""

from __future__ import annotations

import asyncio
import logging
import shlex
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Literal

from client.devices.countdown import RestartCountdown
from client.devices.diagnostics import collect
from client.devices.events import RestartCountdownShown, RestartPostponed
from client.devices.home import DeviceHome
from client.devices.platforms import ActionUnsupported, PlatformAdapter
from client.devices.platforms.base import Command
from client.devices.retire import retire
from client.session.events import EngineEvent
from common.devices.actions import (
    DEFAULT_RESTART_COUNTDOWN_SECONDS,
    ActionKind,
    ActionRecord,
    ActionState,
    DiagnosticsReport,
)

log = logging.getLogger(__name__)

Progress = Callable[[str], Awaitable[None]]
# Output of a failed command kept in the result: enough to see why, never a whole log.
OUTPUT_TAIL = 500


FinalState = Literal[ActionState.SUCCEEDED, ActionState.FAILED]


@dataclass
class Outcome:
    state: FinalState
    result: str
    platform_command: str = ""
    report: DiagnosticsReport | None = None
    retired: bool = False
    removed: list[str] = field(default_factory=list)


class CommandFailed(Exception):
    """A platform command exited non-zero or could not start; the message says which."""


def command_line(commands: list[Command]) -> str:
    """How the commands read in a record: one shell-quoted line, ``;`` between commands."""
    return "; ".join(shlex.join(command) for command in commands)


class ActionRunner:
    def __init__(
        self,
        home: DeviceHome,
        adapter: PlatformAdapter,
        *,
        dry_run: bool,
        postpone_seconds: float,
        emit: Callable[[EngineEvent], None],
    ) -> None:
        self.home = home
        self.adapter = adapter
        self.dry_run = dry_run
        self.postpone_seconds = postpone_seconds
        self._emit = emit
        # The restart countdown now on screen, so a "postpone" from the person reaches it.
        self.countdown: RestartCountdown | None = None

    async def run(self, record: ActionRecord, progress: Progress) -> Outcome:
        """Carry out one action; never raises for what the platform or the action refuses."""
        params = record.parameters
        commands: list[Command] = []
        try:
            match record.action:
                case ActionKind.SYNC:
                    return Outcome(ActionState.SUCCEEDED, "checked in")
                case ActionKind.DIAGNOSTICS:
                    report = await asyncio.to_thread(collect, self.home)
                    return Outcome(ActionState.SUCCEEDED, "diagnostics collected", report=report)
                case ActionKind.RETIRE:
                    removed = retire(self.home)
                    return Outcome(
                        ActionState.SUCCEEDED,
                        "retired: removed " + (", ".join(removed) or "nothing"),
                        retired=True,
                        removed=removed,
                    )
                case ActionKind.RESTART:
                    commands = self.adapter.restart()
                    countdown = params.countdown_seconds
                    if countdown is None:
                        countdown = DEFAULT_RESTART_COUNTDOWN_SECONDS
                    await self._count_down(record.id, countdown, progress)
                case ActionKind.LOCK:
                    commands = self.adapter.lock()
                case ActionKind.RENAME:
                    commands = self.adapter.rename(params.new_name or "")
                case ActionKind.WIPE:
                    commands = self.adapter.wipe(keep_user_data=bool(params.keep_user_data))
                case ActionKind.FRESH_START:
                    commands = self.adapter.fresh_start(keep_user_data=bool(params.keep_user_data))
                case _:
                    raise ActionUnsupported(f"{record.action.value} is not carried out by devices")
            return await self._execute(commands)
        except ActionUnsupported as exc:
            return Outcome(ActionState.FAILED, str(exc))
        except CommandFailed as exc:
            return Outcome(ActionState.FAILED, str(exc), platform_command=command_line(commands))

    async def _count_down(self, action_id: str, seconds: float, progress: Progress) -> None:
        self.countdown = countdown = RestartCountdown(seconds, self.postpone_seconds)
        try:
            self._emit(RestartCountdownShown(id=action_id, seconds=seconds, can_postpone=True))
            await progress(f"restart in {seconds:.0f} s")
            done = asyncio.ensure_future(countdown.wait())
            moved = asyncio.ensure_future(countdown.postponed_event.wait())
            await asyncio.wait({done, moved}, return_when=asyncio.FIRST_COMPLETED)
            if moved.done() and not done.done():
                self._emit(RestartPostponed(id=action_id, seconds=countdown.remaining))
                await progress(
                    f"postponed once by the user; restart in {countdown.remaining:.0f} s"
                )
            else:
                moved.cancel()
            await done
        finally:
            self.countdown = None

    async def _execute(self, commands: list[Command]) -> Outcome:
        line = command_line(commands)
        if self.dry_run:
            log.info("dry run: would run %s", line)
            return Outcome(ActionState.SUCCEEDED, "dry run: command recorded, not run", line)
        for command in commands:
            try:
                proc = await asyncio.create_subprocess_exec(
                    *command,
                    stdin=asyncio.subprocess.DEVNULL,
                    stdout=asyncio.subprocess.PIPE,
                    stderr=asyncio.subprocess.STDOUT,
                )
            except OSError as exc:
                raise CommandFailed(f"cannot run {command[0]}: {exc.strerror}") from exc
            output, _ = await proc.communicate()
            if proc.returncode != 0:
                tail = output.decode(errors="replace").strip()[-OUTPUT_TAIL:]
                raise CommandFailed(f"{command[0]} exited with status {proc.returncode}: {tail}")
        return Outcome(ActionState.SUCCEEDED, "done", line)
