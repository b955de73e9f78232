"""The device agent: one signed connection to the server, actions run exactly once.

It checks in when it connects and then on the server's schedule, runs what the server
delivers, and reports progress and results until each is acknowledged. The connection
drops and returns (backoff from 1 s, doubling); the journal decides what may run, so a
redelivered action is reported again, never repeated. When the server says the device is
no longer enrolled, or a ``retire`` action ran, the agent removes the managed data and key
and stops.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from datetime import datetime
from enum import Enum
from pathlib import Path

import websockets
from websockets.asyncio.client import ClientConnection

from client.cli_args import program_version
from client.devices.enrolment import DeviceIdentity, os_facts
from client.devices.events import (
    ActionFinished,
    ActionNotice,
    ActionRefused,
    ActionStarted,
    AgentConnected,
    AgentDisconnected,
    CheckedIn,
    DeviceRetired,
    HelpWantedNotice,
)
from client.devices.home import DeviceHome
from client.devices.journal import ActionJournal
from client.devices.notices import desktop_notification, notice_for
from client.devices.platforms import adapter_for
from client.devices.retire import retire
from client.devices.runner import ActionRunner, FinalState, Outcome
from client.devices.settings import AgentSettings
from client.session.events import EngineEvent, EventEmitter
from client.settings import AppSettings
from client.transport_security import (
    InsecureServerError,
    client_tls,
    explain_tls_failure,
    require_safe_for_token,
)
from common.devices.actions import FINAL_STATES, ActionKind, ActionRecord, ActionState
from common.devices.agent_protocol import (
    AGENT_PATH,
    MAX_AGENT_FRAME_BYTES,
    ActionAck,
    ActionUpdate,
    AgentError,
    CheckIn,
    Deliver,
    HelpWanted,
    Retire,
    encode,
    parse_server_message,
)
from common.devices.agent_protocol import CheckedIn as CheckedInMessage
from common.devices.signing import sign_envelope
from common.devices.statements import (
    StatementError,
    retire_bytes,
    verify_signed,
    verify_statement,
)
from common.protocol import ProtocolError

log = logging.getLogger(__name__)

# How long a retired agent waits for the server to acknowledge its last report.
RETIRE_ACK_SECONDS = 10.0
AGENT_LOG = "agent.log"
INTERRUPTED = "interrupted: the agent stopped while this action ran; it is not run again"
HELP_WANTED_TEXT = (
    "{name} asks to help you on this computer. Open Helpline to see who they are, verified "
    "by your organisation, and choose."
)


class AgentStop(Enum):
    """Why :meth:`DeviceAgent.run` returned."""

    RETIRED = "retired"
    REFUSED = "refused"  # the server does not accept this device's signature
    STOPPED = "stopped"


class _Refused(Exception):
    pass


def agent_url(server: str) -> str:
    if server.startswith("https://"):
        return "wss://" + server.removeprefix("https://") + AGENT_PATH
    return "ws://" + server.removeprefix("http://") + AGENT_PATH


class DeviceAgent(EventEmitter):
    def __init__(
        self,
        server: str,
        identity: DeviceIdentity,
        home: DeviceHome,
        runner: ActionRunner,
        *,
        ca_file: Path | None = None,
        max_backoff: float = 60.0,
        desktop_notices: bool = False,
    ) -> None:
        """``desktop_notices``: tell the person through the desktop's notifications (an
        agent without the tray app, which otherwise shows the ``action_notice`` itself)."""
        super().__init__()
        self._desktop_notices = desktop_notices
        self.runner = runner
        self._url = agent_url(server)
        self._ca_file = ca_file
        self._identity = identity
        self._home = home
        self._journal = ActionJournal(home)
        self._max_backoff = max_backoff
        self._ws: ClientConnection | None = None
        # Updates sent but not yet acknowledged: sent again after every reconnect.
        self._unacked: dict[str, ActionUpdate] = {}
        self._running: dict[str, asyncio.Task[None]] = {}
        self._final_acks: dict[str, asyncio.Event] = {}
        self._retired = False
        self._stop = asyncio.Event()
        self.stopped_because = AgentStop.STOPPED

    @property
    def device_id(self) -> str:
        return self._identity.enrolment.device_id

    def stop(self, because: AgentStop = AgentStop.STOPPED) -> None:
        self.stopped_because = because
        self._stop.set()

    async def run(self) -> AgentStop:
        """Stay connected until stopped, retired or refused."""
        delay = 1.0
        while not self._stop.is_set():
            try:
                require_safe_for_token(self._url)
                await self._connected_session()
                reason = "the server closed the connection"
                delay = 1.0
            except _Refused:
                self.stop(AgentStop.REFUSED)
                break
            except InsecureServerError as exc:
                log.error("%s", exc)
                self.stop(AgentStop.REFUSED)
                break
            except (OSError, websockets.WebSocketException, TimeoutError) as exc:
                reason = explain_tls_failure(exc) or f"cannot reach the server: {exc}"
            if self._stop.is_set():
                break
            self.emit(AgentDisconnected(reason=reason, retry_in=delay))
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stop.wait(), delay)
            delay = min(delay * 2, self._max_backoff)
        for task in self._running.values():
            task.cancel()
        return self.stopped_because

    async def _connected_session(self) -> None:
        tls = client_tls(self._ca_file) if self._url.startswith("wss:") else None
        async with websockets.connect(
            self._url, max_size=MAX_AGENT_FRAME_BYTES, open_timeout=10, ping_interval=20, ssl=tls
        ) as ws:
            self._ws = ws
            try:
                await self._check_in()
                self.emit(AgentConnected(device=self.device_id, name=self._identity.enrolment.name))
                for update in list(self._unacked.values()):
                    await self._send(update)
                reader = asyncio.ensure_future(self._read(ws))
                stopped = asyncio.ensure_future(self._stop.wait())
                await asyncio.wait({reader, stopped}, return_when=asyncio.FIRST_COMPLETED)
                stopped.cancel()
                if not reader.done():
                    reader.cancel()
                elif reader.exception() is not None:
                    raise reader.exception()  # type: ignore[misc]
            finally:
                self._ws = None

    async def _read(self, ws: ClientConnection) -> None:
        timer: asyncio.Task[None] | None = None
        try:
            async for raw in ws:
                try:
                    message = parse_server_message(raw)
                except ProtocolError as exc:
                    log.warning("server message refused: %s", exc.message)
                    continue
                if isinstance(message, CheckedInMessage):
                    self.emit(
                        CheckedIn(device=message.device.id, at=_iso(message.device.last_check_in))
                    )
                    if timer is not None:
                        timer.cancel()
                    timer = asyncio.ensure_future(self._check_in_later(message.check_in_seconds))
                elif isinstance(message, Deliver):
                    for record in message.actions:
                        await self._received(record)
                elif isinstance(message, ActionAck):
                    # Only an end the server holds settles an action; an acknowledged
                    # "running" is kept, as the final update may still be on its way.
                    if message.state in FINAL_STATES:
                        self._unacked.pop(message.action_id, None)
                        self._final_acks.setdefault(message.action_id, asyncio.Event()).set()
                elif isinstance(message, HelpWanted):
                    await self._help_wanted(message)
                elif isinstance(message, Retire):
                    if not self._retired:  # else a retire action has done it already
                        self._retire_signed(message)
                    return
                elif isinstance(message, AgentError):
                    log.error("the server refused this device: %s", message.message)
                    raise _Refused(message.message)
        finally:
            if timer is not None:
                timer.cancel()

    async def _check_in_later(self, seconds: int) -> None:
        await asyncio.sleep(seconds)
        await self._check_in()

    async def _check_in(self) -> None:
        os_name, os_version = os_facts()
        await self._send(
            CheckIn(os=os_name, os_version=os_version[:100], helpline_version=program_version())
        )

    async def _send(self, body: CheckIn | ActionUpdate) -> None:
        if isinstance(body, ActionUpdate):
            self._unacked[body.action_id] = body
        ws = self._ws
        if ws is None:
            return  # kept in _unacked; sent after the next connect
        envelope = sign_envelope(self._identity.key, self.device_id, body)
        with contextlib.suppress(websockets.ConnectionClosed):
            await ws.send(encode(envelope))

    # ---- actions ---------------------------------------------------------------------

    async def _received(self, record: ActionRecord) -> None:
        if record.id in self._running:
            return  # redelivered while it runs: its updates follow
        try:
            self._check_statement(record)
        except StatementError as exc:
            await self._refuse(record, str(exc))
            return
        if not self._journal.begin(record.id, record.action.value, record.requested_by):
            await self._report_again(record)
            return
        await self._tell_the_user(record)
        self.emit(ActionStarted(id=record.id, action=record.action.value))
        await self._send(ActionUpdate(action_id=record.id, state=ActionState.RUNNING))
        self._running[record.id] = asyncio.ensure_future(self._carry_out(record))

    def _check_statement(self, record: ActionRecord) -> None:
        if record.device != self.device_id:
            raise StatementError("the action is for another device")
        verify_statement(
            self._identity.enrolment.server_key,
            record.statement,
            action_id=record.id,
            device_id=record.device,
            action=record.action,
            parameters=record.parameters,
            requested_by=record.requested_by,
            approved_by=record.approved_by,
        )

    async def _tell_the_user(self, record: ActionRecord) -> None:
        message = notice_for(record)
        if message is None:
            return
        self.emit(
            ActionNotice(
                id=record.id,
                action=record.action.value,
                requested_by=record.requested_by,
                approved_by=record.approved_by or "",
                message=message,
            )
        )
        if self._desktop_notices:
            await desktop_notification(message)

    async def _help_wanted(self, message: HelpWanted) -> None:
        text = HELP_WANTED_TEXT.format(name=message.helper_name)
        self.emit(
            HelpWantedNotice(
                helper_name=message.helper_name,
                expires_at=message.expires_at.isoformat(),
                message=text,
            )
        )
        if self._desktop_notices:
            await desktop_notification(text)

    async def _refuse(self, record: ActionRecord, reason: str) -> None:
        """Not run, and said so: the server records it failed, the person sees why."""
        log.warning("action %s refused: %s", record.action.value, reason)
        self.emit(ActionRefused(id=record.id, action=record.action.value, reason=reason))
        await self._send(
            ActionUpdate(action_id=record.id, state=ActionState.FAILED, result=f"refused: {reason}")
        )

    async def _report_again(self, record: ActionRecord) -> None:
        """An action this device already started: say again how it ended, never rerun it."""
        entry = self._journal.get(record.id)
        if entry is None or entry.state == ActionState.RUNNING.value:
            self._journal.finish(record.id, ActionState.FAILED.value, {"result": INTERRUPTED})
            update = ActionUpdate(action_id=record.id, state=ActionState.FAILED, result=INTERRUPTED)
        else:
            ended: FinalState = (
                ActionState.SUCCEEDED if entry.state == "succeeded" else ActionState.FAILED
            )
            update = ActionUpdate(
                action_id=record.id,
                state=ended,
                result=str(entry.result.get("result", ""))[:2000],
                platform_command=str(entry.result.get("platform_command", ""))[:2000],
            )
        await self._send(update)

    async def _carry_out(self, record: ActionRecord) -> None:
        """Run and report; the id counts as running until its end is written and sent, so a
        redelivery meanwhile (a sync's own check-in brings one) is not taken for a crash."""
        try:
            outcome = await self._outcome_of(record)
            await self._report_end(record, outcome)
        finally:
            self._running.pop(record.id, None)
        if outcome.retired:
            self._retired = True
            self.emit(DeviceRetired(removed=outcome.removed))
            # The update is signed with the key still in memory; give the server a moment to
            # acknowledge it, then stop: this device is no longer managed.
            await self._wait_acked(record.id)
            self.stop(AgentStop.RETIRED)

    async def _outcome_of(self, record: ActionRecord) -> Outcome:
        async def progress(line: str) -> None:
            await self._send(
                ActionUpdate(action_id=record.id, state=ActionState.RUNNING, progress=line)
            )

        try:
            return await self.runner.run(record, progress)
        except Exception as exc:  # a bug must fail the action, not the agent
            log.exception("action %s failed unexpectedly", record.action.value)
            return Outcome(ActionState.FAILED, f"the agent failed: {type(exc).__name__}")

    async def _report_end(self, record: ActionRecord, outcome: Outcome) -> None:
        if record.action is ActionKind.SYNC:
            await self._check_in()  # the check-in is the sync; "succeeded" follows it
        self._journal.finish(
            record.id,
            outcome.state.value,
            {"result": outcome.result, "platform_command": outcome.platform_command},
        )
        await self._send(
            ActionUpdate(
                action_id=record.id,
                state=outcome.state,
                result=outcome.result[:2000],
                platform_command=outcome.platform_command[:2000],
                report=outcome.report,
            )
        )
        self.emit(
            ActionFinished(
                id=record.id,
                action=record.action.value,
                state=outcome.state.value,
                result=outcome.result,
                platform_command=outcome.platform_command,
            )
        )

    async def _wait_acked(self, action_id: str) -> None:
        acked = self._final_acks.setdefault(action_id, asyncio.Event())
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(acked.wait(), RETIRE_ACK_SECONDS)

    def _retire_signed(self, message: Retire) -> None:
        """Retire only when the enrolled server says so; anyone else is refused."""
        try:
            verify_signed(
                self._identity.enrolment.server_key,
                message.statement,
                retire_bytes(self.device_id, message.reason),
            )
        except StatementError as exc:
            log.error("a retire was refused, nothing removed: %s", exc)
            self.stop(AgentStop.REFUSED)
            return
        self._retire_now(f"the server says this device was {message.reason}")
        self.stop(AgentStop.RETIRED)

    def _retire_now(self, why: str) -> None:
        log.warning("%s: retiring", why)
        self._retired = True
        self.emit(DeviceRetired(removed=retire(self._home)))


def _iso(value: datetime | None) -> str:
    return value.isoformat() if value is not None else ""


def build_agent(
    settings: AppSettings,
    home: DeviceHome,
    identity: DeviceIdentity,
    *,
    dry_run: bool,
    emit: Callable[[EngineEvent], None],
    desktop_notices: bool = False,
) -> DeviceAgent:
    """The agent with this platform's adapter; ``emit`` sees the agent's and the runner's
    events (the headless agent prints them, the tray shows them). ``desktop_notices`` for
    an agent without the tray app."""
    agent_settings = AgentSettings()
    runner = ActionRunner(
        home,
        adapter_for(),
        dry_run=dry_run,
        postpone_seconds=agent_settings.restart_postpone_seconds,
        emit=emit,
    )
    agent = DeviceAgent(
        settings.server,
        identity,
        home,
        runner,
        ca_file=settings.ca_file,
        max_backoff=agent_settings.agent_max_backoff_seconds,
        desktop_notices=desktop_notices,
    )
    agent.subscribe(emit)
    return agent


def log_to_device_folder(home: DeviceHome) -> None:
    """The agent's log in its data folder, at INFO: what a diagnostics report shows the
    helper. Standard error keeps the level the user asked for."""
    home.logs_dir.mkdir(parents=True, exist_ok=True)
    handler = logging.FileHandler(home.logs_dir / AGENT_LOG)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.setLevel(logging.INFO)
    root = logging.getLogger()
    for other in root.handlers:
        if other.level == logging.NOTSET:
            other.setLevel(root.level)
    root.addHandler(handler)
    root.setLevel(min(root.level, logging.INFO))
