"""An engine's link to the signaling server: sign-in, the reading loop, finding the server
again after it went away, taking the session back, and what waits meanwhile.

As :class:`~client.session.peer_link.PeerLink` owns the WebRTC negotiation, this owns the
conversation with the server up to the point where a message means something to a session;
the engine (its :class:`ServerLinkOwner`) decides what that is.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable, Coroutine
from typing import Any, Protocol

from client.session.errors import ClientErrorCode, EngineError
from client.session.events import EngineEvent, ErrorReported, ServerBack, ServerLost
from client.session.outcome import REFUSALS
from client.session.reconnect import Outbox, ServerLink, backoff, server_link_machine
from client.settings import AppSettings
from client.signaling_client import SignalingClient, SignalingClosed
from client.signin import SignInError, sign_in
from client.trust import ServerKeyChanged, ServerTrust, check_server_key
from common.devices.signing import SignedEnvelope
from common.protocol import (
    EndReason,
    Error,
    ErrorCode,
    Hello,
    IceServer,
    Message,
    PeerRole,
    ProtocolError,
    Resume,
    Resumed,
    ResumeToken,
    Welcome,
)

log = logging.getLogger(__name__)

SERVER_LOST_TEXT = (
    "The Helpline server cannot be reached. The session goes on; reconnecting to the server…"
)
SERVER_BACK_TEXT = "Connected to the server again; the session goes on as before."

MessageStream = AsyncIterator[Message | ProtocolError]


class ServerLinkOwner(Protocol):
    """What the link asks of its engine."""

    @property
    def has_ended(self) -> bool: ...

    def emit(self, event: EngineEvent) -> None: ...

    def spawn(self, coro: Coroutine[Any, Any, Any]) -> asyncio.Task[Any]: ...

    def refused_with(self, code: ErrorCode) -> None:
        """The server refused the sign-in itself for a reason the exit status tells."""

    async def on_server(self, message: Message) -> None:
        """A message for the session (everything but resume bookkeeping)."""

    async def on_resumed(self, message: Resumed) -> None:
        """The server took the session back; waiting messages are sent after this."""

    async def finish(self, reason: EndReason | None, *, tell_server: bool) -> None: ...

    def can_carry_on(self) -> bool:
        """Whether what the engine holds outlives the server going away."""

    async def back_without_session(self) -> None:
        """Signed in again with no session to take back."""


class ServerConnection:
    """The websocket to the server, with who we are on it and how far its key is trusted."""

    def __init__(
        self,
        settings: AppSettings,
        role: PeerRole,
        owner: ServerLinkOwner,
        client: SignalingClient | None = None,
        device_proof: Callable[[str], SignedEnvelope | None] = lambda _token: None,
    ) -> None:
        self.settings = settings
        self.role = role
        self._owner = owner
        self._client = client or SignalingClient(settings.ws_url, settings.ca_file)
        self._device_proof = device_proof
        self._device_name = ""
        self.user = ""
        self.name = ""
        self.server_key = ""
        self.ice_servers: list[IceServer] = []
        self.trust = ServerTrust(False, "none", "not signed in")
        # After a restart of the server: the token that carries our session on, the state of
        # our link to the server, and what waits for it to be back (see ``reconnect``).
        self.resume_token: str | None = None
        self.machine = server_link_machine()
        self._outbox = Outbox()
        self._reader: asyncio.Task[None] | None = None
        self._reconnecting: asyncio.Task[None] | None = None

    @property
    def state(self) -> ServerLink:
        return self.machine.state

    async def sign_in(self, *, interactive: bool, device_name: str) -> bool:
        """Sign in and start reading; False when the engine ended meanwhile."""
        self._device_name = device_name
        messages = await self._introduce(interactive=interactive)
        if messages is None:
            return False
        self._reader = asyncio.ensure_future(self._read(messages))
        return True

    async def _introduce(self, *, interactive: bool) -> MessageStream | None:
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
        if self._owner.has_ended:
            # Ended while the server was answering (the window closed, the app was stopped):
            # there is nothing left to sign in to.
            await self._client.close()
            return None
        if isinstance(first, Error):
            if first.code in REFUSALS:
                self._owner.refused_with(first.code)
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

    async def close(self) -> None:
        await self._client.close()
        for task in (self._reader, self._reconnecting):
            if task is not None and task is not asyncio.current_task():
                task.cancel()

    # ---- reading -------------------------------------------------------------------

    async def _read(self, messages: MessageStream) -> None:
        async for message in messages:
            if self._owner.has_ended:
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
                await self._owner.finish(EndReason.CONNECTION_FAILED, tell_server=True)
        if self._owner.has_ended:
            return
        if self._owner.can_carry_on():
            self._reconnecting = self._owner.spawn(self._reconnect())
        else:
            await self._owner.finish(EndReason.SIGNALING_LOST, tell_server=False)

    async def _dispatch(self, message: Message) -> None:
        if isinstance(message, ResumeToken):
            self.resume_token = message.token
        elif isinstance(message, Resumed):
            await self._on_resumed(message)
        else:
            await self._owner.on_server(message)

    # ---- losing the server and finding it again ------------------------------------

    def holds_session(self) -> bool:
        """Whether the server gave us a token to take our session back after a restart."""
        return self.resume_token is not None

    async def _reconnect(self) -> None:
        self.machine.move(ServerLink.RECONNECTING)
        self._owner.emit(ServerLost(message=SERVER_LOST_TEXT))
        for delay in backoff(
            self.settings.reconnect_first_seconds, self.settings.reconnect_max_seconds
        ):
            await asyncio.sleep(delay)
            if self._owner.has_ended:
                return
            try:
                messages = await self._introduce(interactive=False)
            except EngineError as exc:
                if exc.code is ClientErrorCode.SERVER_KEY_CHANGED:
                    self._owner.emit(ErrorReported(code=exc.code.value, message=exc.message))
                    await self._owner.finish(EndReason.SIGNALING_LOST, tell_server=False)
                    return
                log.info("the server is still away: %s", exc.code)
                continue
            if messages is None:
                return
            self._reader = asyncio.ensure_future(self._read(messages))
            if self.resume_token is not None:
                self.machine.move(ServerLink.RESUMING)
                await self.report(Resume(token=self.resume_token))
            else:
                self.machine.move(ServerLink.ONLINE)
                await self._owner.back_without_session()
            return

    async def _on_resumed(self, message: Resumed) -> None:
        if self.machine.state is not ServerLink.RESUMING:
            log.warning("resumed without asking refused")
            return
        self.machine.move(ServerLink.ONLINE)
        await self._owner.on_resumed(message)
        for waiting in self._outbox.take():
            await self.report(waiting)
        self._owner.emit(ServerBack(resumed=True, message=SERVER_BACK_TEXT))

    # ---- sending -------------------------------------------------------------------

    @property
    def online(self) -> bool:
        """Signed in on a live connection: what is sent now reaches the server."""
        return self.machine.state is ServerLink.ONLINE

    def require_online(self) -> None:
        if self.machine.state is not ServerLink.ONLINE:
            raise EngineError(
                ClientErrorCode.SIGNALING_LOST,
                "the server cannot be reached right now; try again once it is back",
            )

    async def send(self, message: Message) -> None:
        """Send now, or say why not (the server is away, the socket closed)."""
        self.require_online()
        try:
            await self._client.send(message)
        except SignalingClosed as exc:
            raise EngineError(ClientErrorCode.SIGNALING_LOST, str(exc)) from exc

    async def send_or_keep(self, message: Message) -> None:
        """Send now, or once the server has taken the session back (it went away)."""
        if self.machine.state is ServerLink.ONLINE:
            try:
                await self._client.send(message)
                return
            except SignalingClosed:
                pass
        self._outbox.put(message)

    async def report(self, message: Message) -> None:
        """Send if the socket is there; a lost one has nothing more to say."""
        with contextlib.suppress(SignalingClosed):
            await self._client.send(message)
