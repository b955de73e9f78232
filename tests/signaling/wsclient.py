"""A bare protocol client for the server tests: typed messages over a real websocket."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import websockets

from common.protocol import Hello, Message, ResumeToken, encode_message, parse_message


class WsClient:
    def __init__(self, ws: Any) -> None:
        self.ws = ws
        # Resume tokens come unasked once a session is active; kept aside, not in recv's way.
        self.resume_tokens: list[ResumeToken] = []

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
        """The next message other than a resume token (those go to ``resume_tokens``)."""
        while True:
            message = parse_message(await asyncio.wait_for(self.ws.recv(), timeout))
            if not isinstance(message, ResumeToken):
                return message
            self.resume_tokens.append(message)

    async def resume_token(self, timeout: float = 10) -> str:
        """The newest resume token, waiting for one when none has come yet."""
        while not self.resume_tokens:
            message = parse_message(await asyncio.wait_for(self.ws.recv(), timeout))
            if not isinstance(message, ResumeToken):
                raise AssertionError(f"expected a resume token, got {message}")
            self.resume_tokens.append(message)
        return self.resume_tokens[-1].token

    async def close(self) -> None:
        await self.ws.close()
