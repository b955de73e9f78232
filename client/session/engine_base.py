"""What both session engines share: sign-in, the signaling loop, and ending exactly once."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Coroutine
from enum import Enum
from typing import Any, Generic, TypeVar

from client.session.events import EventEmitter
from client.session.peer_link import PeerLink
from client.settings import AppSettings
from client.signaling_client import SignalingClient, SignalingClosed
from client.signin import SignInError, sign_in
from client.trust import ServerKeyChanged, ServerTrust, check_server_key
from common.peer_messages import Bye, Chat, PeerMessage
from common.permissions import Feature
from common.protocol import (
    End,
    Ended,
    EndReason,
    Error,
    Hello,
    IceServer,
    Message,
    PeerRole,
    ProtocolError,
    ReportConnected,
    ReportFeature,
    Welcome,
)
from common.state_machine import StateMachine

log = logging.getLogger(__name__)

S = TypeVar("S", bound=Enum)


class EngineError(Exception):
    """A command that cannot be carried out now; ``code`` goes into the ``error`` event."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class SessionEngine(EventEmitter, Generic[S]):
    """Base for the helper and sharer engines; subclasses handle their side's messages."""

    role: PeerRole
    ENDED: S
    SIGNED_IN: S

    def __init__(self, settings: AppSettings, machine: StateMachine[S]) -> None:
        super().__init__()
        self.settings = settings
        self.machine = machine
        self.user = ""
        self.name = ""
        self.server_key = ""
        self.ice_servers: list[IceServer] = []
        self.trust = ServerTrust(False, "none", "not signed in")
        self.link: PeerLink | None = None
        self.end_reason: EndReason | None = None
        self._client = SignalingClient(settings.ws_url, settings.ca_file)
        self._reader: asyncio.Task[None] | None = None
        self._background: set[asyncio.Task[Any]] = set()
        self._chat_reported = False
        self.finished = asyncio.Event()

    def spawn(self, coro: Coroutine[Any, Any, Any]) -> asyncio.Task[Any]:
        """Run in the background, keeping a reference so the task is not collected early."""
        task = asyncio.ensure_future(coro)
        self._background.add(task)
        task.add_done_callback(self._background.discard)
        return task

    @property
    def state(self) -> S:
        return self.machine.state

    # ---- lifecycle -----------------------------------------------------------------

    async def sign_in(self, *, interactive: bool = False, device_name: str = "") -> None:
        """Get a token, open the signaling link and introduce ourselves."""
        try:
            token = await sign_in(self.settings, interactive=interactive)
            await self._client.connect()
            await self._client.send(Hello(token=token, role=self.role, device_name=device_name))
        except (SignInError, SignalingClosed) as exc:
            raise EngineError("sign_in_failed", str(exc)) from exc
        messages = self._client.messages()
        first = await anext(messages, None)
        if isinstance(first, Error):
            raise EngineError(first.code.value, first.message)
        if not isinstance(first, Welcome):
            raise EngineError("sign_in_failed", "the server did not accept the sign-in")
        self.user, self.name, self.server_key = first.user, first.name, first.server_key
        self.ice_servers = first.ice_servers
        try:
            self.trust = check_server_key(self.settings, first.server_key)
        except ServerKeyChanged as exc:
            await self._client.close()
            raise EngineError("server_key_changed", str(exc)) from exc
        self.machine.move(self.SIGNED_IN)
        self._reader = asyncio.ensure_future(self._read(messages))
        self.emit("signed_in", user=self.user, name=self.name, server_trust=self.trust.how)

    async def end(self, reason: EndReason | None = None) -> None:
        """End from this side: tell the peer and the server, then close everything."""
        reason = reason or (
            EndReason.HELPER_ENDED if self.role is PeerRole.HELPER else EndReason.SHARER_ENDED
        )
        await self._finish(reason, tell_server=True)

    async def _finish(self, reason: EndReason, *, tell_server: bool) -> None:
        if self.state is self.ENDED:
            return
        self.machine.move(self.ENDED)
        self.end_reason = reason
        self._on_ending()
        if self.link is not None:
            self.link.send(Bye(reason=reason.value))
        if tell_server:
            with contextlib.suppress(SignalingClosed):
                await self._client.send(End(reason=reason))
        if self.link is not None:
            await self.link.close()
        await self._client.close()
        self.emit("ended", reason=reason.value)
        self.finished.set()

    def _on_ending(self) -> None:
        """Hook for what must stop before anything else (the sharer releases held keys)."""

    def _lost(self, reason: EndReason) -> None:
        """Called from callbacks that cannot await: end in the background."""
        if self.state is not self.ENDED:
            self.spawn(self._finish(reason, tell_server=True))

    # ---- signaling -----------------------------------------------------------------

    async def _read(self, messages: Any) -> None:
        async for message in messages:
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
        if self.state is not self.ENDED:
            await self._finish(EndReason.SIGNALING_LOST, tell_server=False)

    async def _dispatch(self, message: Message) -> None:
        if isinstance(message, Ended):
            await self._finish(message.reason, tell_server=False)
        elif isinstance(message, Error):
            self.emit("error", code=message.code.value, message=message.message)
            await self._on_server_error(message)
        else:
            await self._on_server_message(message)

    async def _on_server_message(self, message: Message) -> None:
        raise NotImplementedError

    async def _on_server_error(self, message: Error) -> None:
        """Most server errors are only reported; subclasses react to those that matter."""

    async def send(self, message: Message) -> None:
        try:
            await self._client.send(message)
        except SignalingClosed as exc:
            raise EngineError("signaling_lost", str(exc)) from exc

    # ---- peer link -----------------------------------------------------------------

    def _new_link(self) -> PeerLink:
        self.link = PeerLink(
            self.settings,
            on_message=self._on_peer_message,
            on_input=self._on_input,
            on_connected=self._on_link_connected,
            on_lost=self._lost,
            ice_servers=self.ice_servers,
        )
        return self.link

    def _on_link_connected(self) -> None:
        self.spawn(self._report(ReportConnected()))
        self._link_connected()
        self.emit("connected", relayed=self.link is not None and self.link.relayed)

    def _link_connected(self) -> None:
        """Hook: the subclass moves its state to active."""

    def _on_peer_message(self, message: PeerMessage) -> None:
        if isinstance(message, Chat):
            other = "sharer" if self.role is PeerRole.HELPER else "helper"
            self._note_chat()
            self.emit("chat", **{"from": other, "text": message.text})
        elif isinstance(message, Bye):
            ours = (
                EndReason.HELPER_ENDED if self.role is PeerRole.SHARER else EndReason.SHARER_ENDED
            )
            if self.state is not self.ENDED:
                self.spawn(self._finish(ours, tell_server=False))

    def _on_input(self, raw: str | bytes) -> None:
        """Only the sharer accepts input; the helper ignores anything on that channel."""

    async def chat(self, text: str) -> None:
        try:
            message = Chat(text=text)
        except ValueError as exc:
            raise EngineError(
                "invalid", "chat text must be 1 to 4000 printable characters"
            ) from exc
        if self.link is None or not self.link.send(message):
            raise EngineError("not_connected", "chat is available once the session is connected")
        self._note_chat()

    def _note_chat(self) -> None:
        if not self._chat_reported:
            self._chat_reported = True
            self.spawn(self._report(ReportFeature(feature=Feature.CHAT)))

    async def _report(self, message: Message) -> None:
        with contextlib.suppress(SignalingClosed):
            await self._client.send(message)
