"""What both session engines share: sign-in, the signaling loop, and ending exactly once."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Coroutine
from dataclasses import dataclass
from enum import Enum
from typing import Any, ClassVar, Generic, TypeVar

from aiortc import MediaStreamTrack

from client.session.errors import ClientErrorCode, EngineError
from client.session.events import (
    ChatReceived,
    Connected,
    Ended,
    ErrorReported,
    EventEmitter,
    ServerBack,
    ServerLost,
    SignedIn,
)
from client.session.outcome import REFUSALS, ExitStatus, exit_status_for
from client.session.peer_link import LinkEvents, LinkFactory, PeerLink, SessionLink
from client.session.reconnect import Outbox, ServerLink, backoff, server_link_machine
from client.settings import AppSettings
from client.signaling_client import SignalingClient, SignalingClosed
from client.signin import SignInError, sign_in
from client.trust import ServerKeyChanged, ServerTrust, check_server_key
from client.turn_probe import usable_turn_first
from common.devices.signing import SignedEnvelope
from common.peer_messages import Bye, Chat, PeerMessage
from common.permissions import Feature
from common.protocol import (
    End,
    EndReason,
    Error,
    ErrorCode,
    Hello,
    IceServer,
    Message,
    PeerRole,
    ProtocolError,
    ReportFeature,
    Resume,
    Resumed,
    ResumeToken,
    Welcome,
)
from common.protocol import Ended as EndedMessage
from common.state_machine import StateMachine

log = logging.getLogger(__name__)

S = TypeVar("S", bound=Enum)
SERVER_LOST_TEXT = (
    "The Helpline server cannot be reached. The session goes on; reconnecting to the server…"
)
SERVER_BACK_TEXT = "Connected to the server again; the session goes on as before."


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
        self.user = ""
        self.name = ""
        self.server_key = ""
        self.link: SessionLink | None = None
        self.end_reason: EndReason | None = None
        # Set when the server refused what we asked for (a code, a redeem); cleared when a
        # later attempt gets through. It decides the exit status of a run with no session.
        self.refusal: ErrorCode | None = None
        self.ice_servers: list[IceServer] = []
        self.trust = ServerTrust(False, "none", "not signed in")
        self._client = parts.signaling or SignalingClient(settings.ws_url, settings.ca_file)
        self._link_factory = parts.link_factory
        self._reader: asyncio.Task[None] | None = None
        self._background: set[asyncio.Task[Any]] = set()
        self._chat_reported = False
        self.finished = asyncio.Event()
        self._device_name = ""
        # After a restart of the server: the token that carries our session on, the state of
        # our link to the server, and what waits for it to be back (see ``reconnect``).
        self.resume_token: str | None = None
        self.server_link = server_link_machine()
        self._outbox = Outbox()
        self._reconnecting: asyncio.Task[None] | None = None

    def spawn(self, coro: Coroutine[Any, Any, Any]) -> asyncio.Task[Any]:
        """Run in the background, keeping a reference so the task is not collected early."""
        task = asyncio.ensure_future(coro)
        self._background.add(task)
        task.add_done_callback(self._background.discard)
        return task

    @property
    def state(self) -> S:
        return self.machine.state

    @property
    def exit_status(self) -> ExitStatus:
        """How a run that has finished ended, for the headless apps' exit status."""
        return exit_status_for(self.end_reason, self.refusal)

    # ---- lifecycle -----------------------------------------------------------------

    async def sign_in(self, *, interactive: bool = False, device_name: str = "") -> None:
        """Get a token, open the signaling link and introduce ourselves."""
        self._device_name = device_name
        messages = await self._introduce(interactive=interactive)
        if messages is None:
            return
        self.machine.move(self.SIGNED_IN)
        self._reader = asyncio.ensure_future(self._read(messages))
        self.emit(SignedIn(user=self.user, name=self.name, server_trust=self.trust.how))

    async def _introduce(
        self, *, interactive: bool
    ) -> AsyncIterator[Message | ProtocolError] | None:
        """Sign in on a new websocket, up to ``welcome``; None when we ended meanwhile."""
        try:
            token = await sign_in(self.settings, interactive=interactive)
            await self._client.connect()
            await self._client.send(
                Hello(
                    token=token,
                    role=self.role,
                    device_name=self._device_name,
                    device_proof=self._device_proof(token),
                )
            )
        except (SignInError, SignalingClosed) as exc:
            raise EngineError(ClientErrorCode.SIGN_IN_FAILED, str(exc)) from exc
        messages = self._client.messages()
        first = await anext(messages, None)
        if self.state is self.ENDED:
            # Ended while the server was answering (the window closed, the app was stopped):
            # there is nothing left to sign in to.
            await self._client.close()
            return None
        if isinstance(first, Error):
            if first.code in REFUSALS:
                self.refusal = first.code
            raise EngineError(first.code, first.message)
        if not isinstance(first, Welcome):
            raise EngineError(
                ClientErrorCode.SIGN_IN_FAILED, "the server did not accept the sign-in"
            )
        self.user, self.name, self.server_key = first.user, first.name, first.server_key
        self.ice_servers = first.ice_servers
        try:
            self.trust = check_server_key(self.settings, first.server_key)
        except ServerKeyChanged as exc:
            await self._client.close()
            raise EngineError(ClientErrorCode.SERVER_KEY_CHANGED, str(exc)) from exc
        return messages

    def _device_proof(self, token: str) -> SignedEnvelope | None:
        """Hook: an enrolled sharer device proves itself for this very sign-in."""
        return None

    async def end(self, reason: EndReason | None = None) -> None:
        """End from this side. The peer and the server are told only when there is a session:
        before one, there is nothing for them to end, so we just close."""
        reason = reason or (
            EndReason.HELPER_ENDED if self.role is PeerRole.HELPER else EndReason.SHARER_ENDED
        )
        await self._finish(reason, tell_server=self.state in self.WITH_SESSION)

    async def _finish(self, reason: EndReason | None, *, tell_server: bool) -> None:
        """Close everything once. ``reason`` None: refused before any session, which the
        ``error`` event already said, so no ``ended`` follows it."""
        if self.state is self.ENDED:
            return
        self.machine.move(self.ENDED)
        self.end_reason = reason
        self._on_ending()
        if self.link is not None and reason is not None:
            self.link.send(Bye(reason=reason.value))
        if tell_server:
            with contextlib.suppress(SignalingClosed):
                await self._client.send(End(reason=reason))
        if self.link is not None:
            await self.link.close()
        await self._client.close()
        for task in (self._reader, self._reconnecting):
            if task is not None and task is not asyncio.current_task():
                task.cancel()
        if reason is not None:
            self.emit(Ended(reason=reason))
        self.finished.set()

    def _on_ending(self) -> None:
        """Hook for what must stop before anything else (the sharer releases held keys)."""

    def _lost(self, reason: EndReason) -> None:
        """Called from callbacks that cannot await: end in the background."""
        if self.state is not self.ENDED:
            self.spawn(self._finish(reason, tell_server=True))

    # ---- signaling -----------------------------------------------------------------

    async def _read(self, messages: AsyncIterator[Message | ProtocolError]) -> None:
        async for message in messages:
            if self.state is self.ENDED:
                # Already on its way out (stdin closed while a reply was in flight): what
                # the server still says changes nothing.
                return
            if isinstance(message, ProtocolError):
                log.warning("server message refused: %s", message.message)
                continue
            try:
                await self._dispatch(message)
            except Exception:
                # What the other side relayed could not be used (a broken SDP, say): this
                # session cannot go on, but the app must not fall over.
                log.exception("could not handle a %s message", message.type)
                await self._finish(EndReason.CONNECTION_FAILED, tell_server=True)
        if self.state is self.ENDED:
            return
        if self._can_carry_on():
            self._reconnecting = self.spawn(self._reconnect())
        else:
            await self._finish(EndReason.SIGNALING_LOST, tell_server=False)

    # ---- losing the server and finding it again ------------------------------------

    def _can_carry_on(self) -> bool:
        """Whether this state outlives the server: a session it can take back (subclasses
        add the states that need no session)."""
        return self.resume_token is not None and self.link is not None

    async def _reconnect(self) -> None:
        self.server_link.move(ServerLink.RECONNECTING)
        self.emit(ServerLost(message=SERVER_LOST_TEXT))
        for delay in backoff(
            self.settings.reconnect_first_seconds, self.settings.reconnect_max_seconds
        ):
            await asyncio.sleep(delay)
            if self.state is self.ENDED:
                return
            try:
                messages = await self._introduce(interactive=False)
            except EngineError as exc:
                if exc.code is ClientErrorCode.SERVER_KEY_CHANGED:
                    self.emit(ErrorReported(code=exc.code.value, message=exc.message))
                    await self._finish(EndReason.SIGNALING_LOST, tell_server=False)
                    return
                log.info("the server is still away: %s", exc.code)
                continue
            if messages is None:
                return
            self._reader = asyncio.ensure_future(self._read(messages))
            if self.resume_token is not None:
                self.server_link.move(ServerLink.RESUMING)
                await self._report(Resume(token=self.resume_token))
            else:
                self.server_link.move(ServerLink.ONLINE)
                await self._back_without_session()
            return

    async def _back_without_session(self) -> None:
        """Hook: signed in again with no session to take back (the helper asks for a code)."""
        self.emit(ServerBack(resumed=False, message="Connected to the server again."))

    async def _on_resumed(self) -> None:
        if self.server_link.state is not ServerLink.RESUMING:
            log.warning("resumed without asking refused")
            return
        self.server_link.move(ServerLink.ONLINE)
        waiting = self._outbox.take()
        for message in waiting:
            await self._report(message)
        self.emit(ServerBack(resumed=True, message=SERVER_BACK_TEXT))

    async def send_or_keep(self, message: Message) -> None:
        """Send now, or once the server has taken the session back (it went away)."""
        if self.server_link.state is ServerLink.ONLINE:
            try:
                await self._client.send(message)
                return
            except SignalingClosed:
                pass
        self._outbox.put(message)

    async def _dispatch(self, message: Message) -> None:
        if isinstance(message, EndedMessage):
            await self._finish(message.reason, tell_server=False)
        elif isinstance(message, ResumeToken):
            self.resume_token = message.token
        elif isinstance(message, Resumed):
            await self._on_resumed()
        elif isinstance(message, Error) and message.code is ErrorCode.RESUME_REFUSED:
            # The server will not take this session back, so nothing would record its end.
            self.emit(ErrorReported(code=message.code.value, message=message.message))
            await self._finish(EndReason.SIGNALING_LOST, tell_server=False)
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
        if self.server_link.state is not ServerLink.ONLINE:
            raise EngineError(
                ClientErrorCode.SIGNALING_LOST,
                "the server cannot be reached right now; try again once it is back",
            )

    async def send(self, message: Message) -> None:
        self._require_server()
        try:
            await self._client.send(message)
        except SignalingClosed as exc:
            raise EngineError(ClientErrorCode.SIGNALING_LOST, str(exc)) from exc

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
            ),
            servers,
        )
        return self.link

    def _on_link_connected(self) -> None:
        self._link_connected()
        self.emit(Connected(relayed=self.link is not None and self.link.relayed))

    def _link_connected(self) -> None:
        """Hook: the subclass moves its state to active."""

    def _on_peer_message(self, message: PeerMessage) -> None:
        if isinstance(message, Chat):
            other = "sharer" if self.role is PeerRole.HELPER else "helper"
            self._note_chat()
            self.emit(ChatReceived.model_validate({"from": other, "text": message.text}))
        elif isinstance(message, Bye):
            # The peer's own reason (it may have given up on us: peer_timeout), else "ended".
            ours = (
                EndReason.HELPER_ENDED if self.role is PeerRole.SHARER else EndReason.SHARER_ENDED
            )
            reason = next((r for r in EndReason if r.value == message.reason), ours)
            if self.state is not self.ENDED:
                self.spawn(self._finish(reason, tell_server=False))
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
        if self.link is None or not self.link.send(message):
            raise EngineError(
                ClientErrorCode.NOT_CONNECTED, "chat is available once the session is connected"
            )
        self._note_chat()

    def _note_chat(self) -> None:
        if not self._chat_reported:
            self._chat_reported = True
            self.spawn(self.send_or_keep(ReportFeature(feature=Feature.CHAT)))

    async def _report(self, message: Message) -> None:
        with contextlib.suppress(SignalingClosed):
            await self._client.send(message)
