"""The apps' end of the signaling websocket: typed messages in and out, nothing else."""

from __future__ import annotations

from collections.abc import AsyncIterator

import websockets
from websockets.asyncio.client import ClientConnection

from common.protocol import (
    MAX_MESSAGE_BYTES,
    Message,
    ProtocolError,
    encode_message,
    parse_message,
)


class SignalingClosed(Exception):
    """The server went away."""


class SignalingClient:
    def __init__(self, ws_url: str) -> None:
        self._url = ws_url
        self._ws: ClientConnection | None = None

    async def connect(self) -> None:
        try:
            self._ws = await websockets.connect(
                self._url, max_size=MAX_MESSAGE_BYTES, open_timeout=10, ping_interval=5
            )
        except (OSError, websockets.WebSocketException) as exc:
            raise SignalingClosed(f"cannot reach the signaling server: {exc}") from exc

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
