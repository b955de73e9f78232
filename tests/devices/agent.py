"""A small device agent for the server's tests, built only from the contract in
``common.devices``: it enrols over HTTP and speaks signed envelopes on ``/v1/agent``.

It runs nothing; a test decides what each action's update says.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass, field
from typing import Any, TypeVar

import httpx
import websockets
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from pydantic import BaseModel

from common.devices.actions import ActionState
from common.devices.agent_protocol import (
    AGENT_PATH,
    ActionAck,
    ActionUpdate,
    AgentError,
    CheckedIn,
    CheckIn,
    Deliver,
    Retire,
    encode,
    parse_server_message,
)
from common.devices.records import EnrollResponse
from common.devices.signing import (
    SignedEnvelope,
    enroll_request,
    generate_device_key,
    sign_envelope,
)

M = TypeVar("M", bound=BaseModel)
ServerMessage = CheckedIn | Deliver | ActionAck | Retire | AgentError


def enroll(server: Any, upn: str, name: str, **facts: str) -> FakeAgent:
    key = generate_device_key()
    body = enroll_request(key, name=name, os=facts.get("os", "Linux"), os_version="6.1",
                          helpline_version="0.test")  # fmt: skip
    response = httpx.post(
        server.url + "/v1/devices/enroll",
        json=body.model_dump(mode="json"),
        headers={"Authorization": f"Bearer {server.token_for(upn)}"},
        timeout=10,
    )
    assert response.status_code == 201, response.text
    enrolled = EnrollResponse.model_validate(response.json())
    return FakeAgent(key=key, device_id=enrolled.device.id, name=enrolled.device.name)


@dataclass
class FakeAgent:
    key: Ed25519PrivateKey
    device_id: str
    name: str
    ws: Any = None
    # Every action id this agent was ever sent, in order (duplicates kept: tests count them).
    received: list[str] = field(default_factory=list)

    def envelope(self, body: BaseModel, *, now: float | None = None) -> SignedEnvelope:
        return sign_envelope(self.key, self.device_id, body, now=now)

    async def open(self, server: Any) -> None:
        url = server.url.replace("http://", "ws://") + AGENT_PATH
        self.ws = await websockets.connect(url, max_size=2**22)

    async def send(self, envelope: SignedEnvelope | dict[str, Any]) -> None:
        data = encode(envelope) if isinstance(envelope, SignedEnvelope) else json.dumps(envelope)
        await self.ws.send(data)

    async def recv(self, timeout: float = 10) -> ServerMessage:
        message = parse_server_message(await asyncio.wait_for(self.ws.recv(), timeout))
        if isinstance(message, Deliver):
            self.received.extend(a.id for a in message.actions)
        return message

    async def connect(self, server: Any) -> tuple[CheckedIn, Deliver]:
        """Open the link and check in; the server's answer and what it delivered."""
        await self.open(server)
        return await self.check_in()

    async def check_in(self) -> tuple[CheckedIn, Deliver]:
        await self.send(self.envelope(CheckIn(os="Linux", os_version="6.2")))
        checked = await self.recv_type(CheckedIn)
        return checked, await self.recv_type(Deliver)

    async def recv_type(self, kind: type[M], timeout: float = 10) -> M:
        """The next message of this kind; others before it (a pushed delivery) are kept."""
        while True:
            message = await self.recv(timeout)
            if isinstance(message, kind):
                return message
            assert not isinstance(message, AgentError | Retire), message

    async def report(self, action_id: str, state: str, **fields: Any) -> ActionAck:
        update = ActionUpdate(action_id=action_id, state=ActionState(state), **fields)
        await self.send(self.envelope(update))
        return await self.recv_type(ActionAck)

    async def closed(self, timeout: float = 10) -> int:
        """Wait for the server to close the link; its close code."""
        try:
            while True:
                await self.recv(timeout)
        except websockets.ConnectionClosed as closed:
            return closed.rcvd.code if closed.rcvd else 1006

    async def close(self) -> None:
        if self.ws is not None:
            await self.ws.close()
