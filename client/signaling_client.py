"""The apps' end of the signaling websocket: typed messages in and out, nothing else."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import websockets
from websockets.asyncio.client import ClientConnection, connect
from websockets.uri import parse_uri

from client.transport_security import (
    InsecureServerError,
    client_tls,
    explain_tls_failure,
    require_safe_for_token,
)
from common.protocol import (
    MAX_MESSAGE_BYTES,
    Message,
    ProtocolError,
    encode_message,
    parse_message,
)


class SignalingClosed(Exception):
    """The server went away."""


class _SameOriginRedirects(connect):
    """websockets follows redirects anywhere but to a downgrade; the apps follow one only to
    the same scheme, host and port. Elsewhere the sign-in token in ``hello`` would go to a host
    that ``require_safe_for_token`` never judged (``ws://0.0.0.0``, ``ws://[::ffff:127.0.0.1]``)."""

    def process_redirect(self, exc: Exception) -> Exception | str:
        target = super().process_redirect(exc)
        if isinstance(target, Exception):
            return target
        old, new = self.ws_uri, parse_uri(target)
        if (old.secure, old.host, old.port) != (new.secure, new.host, new.port):
            return InsecureServerError(
                f"refusing the server's redirect to {target}: the apps follow redirects only "
                "within the same server; give that address with --server if it is yours"
            )
        return target


class SignalingClient:
    def __init__(self, ws_url: str, ca_file: Path | None = None) -> None:
        self._url = ws_url
        self._ca_file = ca_file
        self._ws: ClientConnection | None = None

    async def connect(self) -> None:
        try:
            require_safe_for_token(self._url)
            tls = client_tls(self._ca_file) if self._url.startswith("wss:") else None
            self._ws = await _SameOriginRedirects(
                self._url, max_size=MAX_MESSAGE_BYTES, open_timeout=10, ping_interval=5, ssl=tls
            )
        except InsecureServerError as exc:
            raise SignalingClosed(str(exc)) from exc
        except (OSError, websockets.WebSocketException) as exc:
            reason = explain_tls_failure(exc) or str(exc)
            raise SignalingClosed(f"cannot reach the signaling server: {reason}") from exc

    async def send(self, message: Message) -> None:
        if self._ws is None:
            raise SignalingClosed("not connected")
        try:
            await self._ws.send(encode_message(message))
        except websockets.ConnectionClosed as exc:
            raise SignalingClosed("the signaling server closed the connection") from exc

    async def messages(self) -> AsyncIterator[Message | ProtocolError]:
        """Yield each parsed message, or the error for one that did not parse."""
        if self._ws is None:
            raise SignalingClosed("not connected")
        try:
            async for raw in self._ws:
                try:
                    yield parse_message(raw)
                except ProtocolError as exc:
                    yield exc
        except websockets.ConnectionClosed:
            pass

    async def close(self) -> None:
        if self._ws is not None:
            await self._ws.close()
