"""A bare protocol client for the server tests: typed messages over a real websocket."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import websockets

from common.protocol import Hello, Message, encode_message, parse_message


class WsClient:
    def __init__(self, ws: Any) -> None:
        self.ws = ws

    @classmethod
    async def open(cls, server: Any, **headers: str) -> WsClient:
        ws = await websockets.connect(server.ws_url, additional_headers=headers, max_size=2**22)
        return cls(ws)

    @classmethod
    async def signed_in(cls, server: Any, upn: str, role: str, device: str = "") -> WsClient:
        client = await cls.open(server)
        await client.send(Hello(token=server.token_for(upn), role=role, device_name=device))
        welcome = await client.recv()
        assert welcome.type == "welcome", welcome
        return client

    async def send(self, message: Message) -> None:
        await self.ws.send(encode_message(message))

    async def send_raw(self, data: str | dict[str, Any]) -> None:
        await self.ws.send(data if isinstance(data, str) else json.dumps(data))

    async def recv(self, timeout: float = 10) -> Any:
        return parse_message(await asyncio.wait_for(self.ws.recv(), timeout))

    async def close(self) -> None:
        await self.ws.close()
