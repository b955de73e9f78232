"""What both session engines share: the server link, the peer link, and ending exactly once."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Coroutine
from dataclasses import dataclass
from enum import Enum
from typing import Any, ClassVar, Generic, TypeVar

from aiortc import MediaStreamTrack

from client.session.errors import ClientErrorCode, EngineError
from client.session.events import (
    ChatReceived,
    ClipboardReceived,
    Connected,
    Ended,
    EndingSoon,
    ErrorReported,
    EventEmitter,
    PermissionsChanged,
    ServerBack,
    SignedIn,
)
from client.session.file_transfers import FileTransfers, Reason, Transfer, TransferPorts
from client.session.outcome import ExitStatus, exit_status_for
from client.session.peer_link import LinkEvents, LinkFactory, PeerLink, SessionLink
from client.session.server_link import ServerConnection
from client.session.session_features import (
    CLIPBOARD_NOT_ALLOWED_TEXT,
    FILES_NOT_ALLOWED_TEXT,
    ActivityReports,
    clipboard_message,
    require,
)
from client.settings import AppSettings
from client.signaling_client import SignalingClient
from client.trust import ServerTrust
from client.turn_probe import usable_turn_first
from common.devices.signing import SignedEnvelope
from common.peer_messages import (
    Bye,
    Chat,
    Clipboard,
    FileAccept,
    FileCancel,
    FileDecline,
    FileDone,
    FileOffer,
    PeerMessage,
)
from common.permissions import Feature, Permission, in_effect
from common.protocol import (
    Active,
    End,
    EndReason,
    Error,
    ErrorCode,
    FileOutcome,
    IceServer,
    Message,
    PeerRole,
    ReportFeature,
    Resumed,
)
from common.protocol import Ended as EndedMessage
from common.protocol import (
    EndingSoon as EndingSoonMessage,
)
from common.state_machine import StateMachine

log = logging.getLogger(__name__)

S = TypeVar("S", bound=Enum)
CHAT_NOT_ALLOWED_TEXT = "chat is not part of this session: the helper's role does not allow it"
PERMISSIONS_DROPPED_TEXT = (
    "The helper's role changed while the server was away. No longer allowed: {names}. "
    "The session goes on with what is still allowed."
)
SERVER_BACK_NO_SESSION_TEXT = "Connected to the server again."
ENDING_SOON_TEXT = (
    "This session reaches your organisation's time limit in {minutes}: it will end then."
)


@dataclass(frozen=True)
class EngineParts:
    """What an engine talks to besides the user: the real server and WebRTC by default, a
    script and in-memory links in tests."""

    signaling: SignalingClient | None = None
    link_factory: LinkFactory = PeerLink


class SessionEngine(EventEmitter, Generic[S]):
    """Base for the helper and sharer engines; subclasses handle their side's messages."""

    role: ClassVar[PeerRole]
    ENDED: S
    SIGNED_IN: S
    # The states in which the server holds a session for us, so an ``end`` means something.
    WITH_SESSION: frozenset[S]

    def __init__(
        self,
        settings: AppSettings,
        machine: StateMachine[S],
        parts: EngineParts,
    ) -> None:
        super().__init__()
        self.settings = settings
        self.machine = machine
        self.link: SessionLink | None = None
        self.end_reason: EndReason | None = None
        # Set when the server refused what we asked for (a code, a redeem); cleared when a
        # later attempt gets through. It decides the exit status of a run with no session.
        self.refusal: ErrorCode | None = None
        self.server = ServerConnection(
            settings, self.role, self, parts.signaling, device_proof=self._device_proof
        )
        self._link_factory = parts.link_factory
        self._background: set[asyncio.Task[Any]] = set()
        self._reported: set[Feature] = set()
        # Reports for the audit that must reach the server before the session's end does.
        self._audit_reports: list[Message] = []
        # One sender at a time, so a report's sender knows it went (see ``_audit_soon``).
        self._audit_sending = asyncio.Lock()
        # What the helper may do in this session, as the server derived it from the helper's
        # roles over this device (at the start, and again at each resume).
        self.permissions: frozenset[Permission] = frozenset()
        # What the sharer ticked beyond the level (clipboard, files, elevate), as it is now.
        self.allowed: frozenset[Permission] = frozenset()
        self.activity = ActivityReports(lambda: self._report_soon(Active()))
        self.files = FileTransfers(
            settings,
            TransferPorts(
                send=lambda message: self.link is not None and self.link.send(message),
                send_chunk=lambda data: self.link is not None and self.link.send_file_chunk(data),
                drained=self._files_drained,
                emit=self.emit,
                spawn=self.spawn,
                finished=self._file_finished,
                active=self.activity.note,
            ),
        )
        self.finished = asyncio.Event()

    def spawn(self, coro: Coroutine[Any, Any, Any]) -> asyncio.Task[Any]:
        """Run in the background, keeping a reference so the task is not collected early."""
        task = asyncio.ensure_future(coro)
        self._background.add(task)
        task.add_done_callback(self._background.discard)
        return task

    @property
    def in_effect(self) -> frozenset[Permission]:
        """What the helper may do now: its role's permissions, as far as the sharer allowed."""
        return in_effect(self.permissions, self.allowed)

    @property
    def state(self) -> S:
        return self.machine.state

    @property
    def has_ended(self) -> bool:
        return self.machine.state is self.ENDED

    # Who we are on the server and how far its key is trusted, as the server link learnt.
    @property
    def user(self) -> str:
        return self.server.user

    @property
    def name(self) -> str:
        return self.server.name

    @property
    def server_key(self) -> str:
        return self.server.server_key

    @property
    def trust(self) -> ServerTrust:
        return self.server.trust

    @property
    def ice_servers(self) -> list[IceServer]:
        return self.server.ice_servers

    @property
    def exit_status(self) -> ExitStatus:
        """How a run that has finished ended, for the headless apps' exit status."""
        return exit_status_for(self.end_reason, self.refusal)

    # ---- lifecycle -----------------------------------------------------------------

    async def sign_in(self, *, interactive: bool = False, device_name: str = "") -> None:
        """Get a token, open the signaling link and introduce ourselves."""
        if not await self.server.sign_in(interactive=interactive, device_name=device_name):
            return
        self.machine.move(self.SIGNED_IN)
        self.emit(SignedIn(user=self.user, name=self.name, server_trust=self.trust.how))

    def _device_proof(self, token: str) -> SignedEnvelope | None:
        """Hook: an enrolled sharer device proves itself for this very sign-in."""
        return None

    async def end(self, reason: EndReason | None = None) -> None:
        """End from this side. The peer and the server are told only when there is a session:
        before one, there is nothing for them to end, so we just close."""
        reason = reason or (
            EndReason.HELPER_ENDED if self.role is PeerRole.HELPER else EndReason.SHARER_ENDED
        )
        await self.finish(reason, tell_server=self.state in self.WITH_SESSION)

    async def finish(self, reason: EndReason | None, *, tell_server: bool) -> None:
        """Close everything once. ``reason`` None: refused before any session, which the
        ``error`` event already said, so no ``ended`` follows it."""
        if self.state is self.ENDED:
            return
        # Before the state moves: the peer hears of each cancelled file, the audit of each.
        self.files.stop_all(Reason.SESSION_ENDED)
        self.machine.move(self.ENDED)
        self.end_reason = reason
        self._on_ending()
        if self.link is not None and reason is not None:
            self.link.send(Bye(reason=reason.value))
        if tell_server:
            await self._send_audit_reports()
            await self.server.report(End(reason=reason))
        if self.link is not None:
            await self.link.close()
        await self.server.close()
        if reason is not None:
            self.emit(Ended(reason=reason))
        self.finished.set()

    def _on_ending(self) -> None:
        """Hook for what must stop before anything else (the sharer releases held keys)."""

    def _lost(self, reason: EndReason) -> None:
        """Called from callbacks that cannot await: end in the background."""
        if self.state is not self.ENDED:
            self.spawn(self.finish(reason, tell_server=True))

    # ---- the server (``server_link`` reads it and calls these) ---------------------

    def refused_with(self, code: ErrorCode) -> None:
        self.refusal = code

    def can_carry_on(self) -> bool:
        """Whether this state outlives the server: a session it can take back (subclasses
        add the states that need no session)."""
        return self.server.holds_session() and self.link is not None

    async def back_without_session(self) -> None:
        """Hook: signed in again with no session to take back (the helper asks for a code)."""
        self.emit(ServerBack(resumed=False, message=SERVER_BACK_NO_SESSION_TEXT))

    async def on_resumed(self, message: Resumed) -> None:
        """The server took the session back with the helper's permissions as they are now:
        whatever they no longer allow stops here, and the person is told."""
        now = frozenset(message.permissions)
        dropped = self.permissions - now
        self.permissions = now
        self._permissions_now(now)
        if dropped:
            names = sorted(p.value for p in dropped)
            self.emit(
                PermissionsChanged(
                    permissions=sorted(p.value for p in now),
                    dropped=names,
                    message=PERMISSIONS_DROPPED_TEXT.format(names=", ".join(names)),
                )
            )

    def _permissions_now(self, permissions: frozenset[Permission]) -> None:
        """Hook: stop what the helper's permissions no longer allow (control, say)."""

    async def on_server(self, message: Message) -> None:
        if isinstance(message, EndedMessage):
            await self.finish(message.reason, tell_server=False)
        elif isinstance(message, EndingSoonMessage):
            self.emit(EndingSoon(seconds=message.seconds, message=_ending_soon(message.seconds)))
        elif isinstance(message, Error) and message.code is ErrorCode.RESUME_REFUSED:
            # The server will not take this session back, so nothing would record its end.
            self.emit(ErrorReported(code=message.code.value, message=message.message))
            await self.finish(EndReason.SIGNALING_LOST, tell_server=False)
        elif isinstance(message, Error):
            refused = self._refuses(message)
            if refused:
                self.refusal = message.code
            self.emit(ErrorReported(code=message.code.value, message=self._error_text(message)))
            if refused:
                await self._on_refused()
        else:
            await self._on_server_message(message)

    async def _on_server_message(self, message: Message) -> None:
        raise NotImplementedError

    def _refuses(self, message: Error) -> bool:
        """Whether this server error refuses what we asked for (most are only reported)."""
        return False

    def _error_text(self, message: Error) -> str:
        """The words the user sees for a server error; subclasses add what they know."""
        return message.message

    async def _on_refused(self) -> None:
        """Hook: what a refusal does to this side (the helper gives up; the sharer may retry)."""

    def _require_server(self) -> None:
        self.server.require_online()

    async def send(self, message: Message) -> None:
        await self.server.send(message)

    async def send_or_keep(self, message: Message) -> None:
        """Send now, or once the server has taken the session back (it went away)."""
        await self.server.send_or_keep(message)

    # ---- peer link -----------------------------------------------------------------

    async def _new_link(self) -> SessionLink:
        """The peer link, with the first TURN URL that works here (see ``turn_probe``)."""
        servers = await usable_turn_first(self.ice_servers, self.settings.turn_probe_seconds)
        self.link = self._link_factory(
            self.settings,
            LinkEvents(
                on_message=self._on_peer_message,
                on_input=self._on_input,
                on_connected=self._on_link_connected,
                on_lost=self._lost,
                on_video=self._on_track,
                on_file_chunk=self._on_file_chunk,
            ),
            servers,
        )
        return self.link

    def _on_link_connected(self) -> None:
        self._link_connected()
        self.emit(Connected(relayed=self.link is not None and self.link.relayed))

    def _link_connected(self) -> None:
        """Hook: the subclass moves its state to active."""

    def _peer_allowed(self, message: PeerMessage) -> bool:
        """Hook: the sharer checks each message against the helper's permissions."""
        return True

    def _on_peer_message(self, message: PeerMessage) -> None:
        if not self._peer_allowed(message):
            return
        if isinstance(message, Chat):
            other = "sharer" if self.role is PeerRole.HELPER else "helper"
            self._note_chat()
            self.emit(ChatReceived.model_validate({"from": other, "text": message.text}))
        elif isinstance(message, Clipboard):
            # The sharer's gate has let it through; the helper drops text it did not agree to.
            if Permission.CLIPBOARD in self.in_effect:
                self.emit(ClipboardReceived(text=message.text))
        elif isinstance(message, FileOffer | FileAccept | FileDecline | FileDone | FileCancel):
            # The sharer's gate has let it through; each side drops files it did not agree to
            # (a cancel stops something, so it is heard whatever is allowed).
            if Permission.FILES in self.in_effect or isinstance(message, FileCancel):
                self.files.on_message(message)
        elif isinstance(message, Bye):
            # The peer's own reason (it may have given up on us: peer_timeout), else "ended".
            ours = (
                EndReason.HELPER_ENDED if self.role is PeerRole.SHARER else EndReason.SHARER_ENDED
            )
            reason = next((r for r in EndReason if r.value == message.reason), ours)
            if self.state is not self.ENDED:
                self.spawn(self.finish(reason, tell_server=False))
        else:
            self._on_session_message(message)

    def _on_session_message(self, message: PeerMessage) -> None:
        """Hook for the messages only one side acts on (the helper hears of a pause)."""
        log.info("ignored peer message %s", message.type)

    def _on_input(self, raw: str | bytes) -> None:
        """Only the sharer accepts input; the helper ignores anything on that channel."""

    def _on_track(self, track: MediaStreamTrack) -> None:
        """Only the helper receives video; the sharer's link never offers to."""

    async def chat(self, text: str) -> None:
        try:
            message = Chat(text=text)
        except ValueError as exc:
            raise EngineError(
                ClientErrorCode.INVALID, "chat text must be 1 to 4000 printable characters"
            ) from exc
        not_connected = EngineError(
            ClientErrorCode.NOT_CONNECTED, "chat is available once the session is connected"
        )
        if self.link is None:
            raise not_connected
        if Permission.CHAT not in self.permissions:
            raise EngineError(ErrorCode.FORBIDDEN, CHAT_NOT_ALLOWED_TEXT)
        if not self.link.send(message):
            raise not_connected
        self._note_chat()
        self.activity.note()

    async def clipboard(self, text: str) -> None:
        """Put ``text`` on the other side's clipboard, when the sharer allowed the clipboard."""
        message = clipboard_message(text)
        require(Permission.CLIPBOARD, self.in_effect, CLIPBOARD_NOT_ALLOWED_TEXT)
        if self.link is None or not self.link.send(message):
            raise EngineError(
                ClientErrorCode.NOT_CONNECTED,
                "the clipboard is available once the session is connected",
            )
        self.note_feature(Feature.CLIPBOARD)
        self.activity.note()

    # ---- files -------------------------------------------------------------------

    async def send_file(self, path: str) -> str:
        """Offer a file to the other side, when the sharer allowed files; its id is returned
        and named in the ``file_sending`` event."""
        require(Permission.FILES, self.in_effect, FILES_NOT_ALLOWED_TEXT)
        if self.link is None:
            raise EngineError(
                ClientErrorCode.NOT_CONNECTED, "files can be sent once the session is connected"
            )
        transfer_id = await self.files.offer(path)
        self.activity.note()
        return transfer_id

    async def accept_file(self, transfer_id: str, directory: str) -> None:
        require(Permission.FILES, self.in_effect, FILES_NOT_ALLOWED_TEXT)
        await self.files.accept(transfer_id, directory)
        self.activity.note()

    def decline_file(self, transfer_id: str) -> None:
        self.files.decline(transfer_id)
        self.activity.note()

    def cancel_file(self, transfer_id: str) -> None:
        self.files.cancel(transfer_id)
        self.activity.note()

    async def _files_drained(self) -> bool:
        return self.link is not None and await self.link.files_drained()

    def _on_file_chunk(self, data: bytes) -> None:
        if self._file_data_allowed():
            self.files.on_chunk(data)

    def _file_data_allowed(self) -> bool:
        """Hook: the sharer's gate decides for what the helper sends."""
        return Permission.FILES in self.in_effect

    def _files_still_allowed(self) -> None:
        """Called when what is in effect changed: files revoked stop every transfer at once."""
        if Permission.FILES not in self.in_effect:
            self.files.stop_all(Reason.REVOKED)

    def _file_finished(self, transfer: Transfer, outcome: FileOutcome) -> Awaitable[None]:
        """Hook: the sharer records each transfer for the audit; done once it is sent."""
        return _already_done()

    def _audit_soon(self, message: Message) -> Awaitable[None]:
        """Queue a report the audit must have; sent now, and surely before the end. The
        awaitable is done once it went: news a user may end the session upon waits for it."""
        self._audit_reports.append(message)
        if self.state in self.WITH_SESSION:
            return self.spawn(self._send_audit_reports())
        return _already_done()

    async def _send_audit_reports(self) -> None:
        async with self._audit_sending:
            while self._audit_reports:
                await self.send_or_keep(self._audit_reports.pop(0))

    def _note_chat(self) -> None:
        self.note_feature(Feature.CHAT)

    def note_feature(self, feature: Feature) -> None:
        """Tell the server, for the audit, the first time this session uses ``feature``."""
        if feature not in self._reported:
            self._reported.add(feature)
            self._audit_soon(ReportFeature(feature=feature))

    def _report_soon(self, message: Message) -> None:
        """Tell the server in the background, only while signed in to it (never ahead of a
        new connection's hello); lost with the server, as nothing depends on it."""
        if self.state in self.WITH_SESSION and self.server.online:
            self.spawn(self.server.report(message))


def _ending_soon(seconds: int) -> str:
    minutes = max(1, round(seconds / 60))
    words = f"{seconds} seconds" if seconds < 90 else f"about {minutes} minutes"
    return ENDING_SOON_TEXT.format(minutes=words)


def _already_done() -> asyncio.Future[None]:
    done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
    done.set_result(None)
    return done
