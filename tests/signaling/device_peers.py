"""Enrolled devices for the in-process server's tests: a key the test holds, and the sharer
app's websocket signed in with that device's proof, as ``sharer_app`` does."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from common.devices.agent_protocol import (
    AGENT_PATH,
    CheckIn,
    ToAgent,
    encode,
    parse_server_message,
)
from common.devices.signing import enroll_request, live_help_proof, sign_envelope
from common.protocol import AwaitHelp, Hello
from tests.signaling.inprocess import InProcessServer, Peer


@dataclass(frozen=True)
class Device:
    key: Ed25519PrivateKey
    id: str
    name: str


def enrolled(server: InProcessServer, owner: str, name: str) -> Device:
    key = Ed25519PrivateKey.generate()
    body = enroll_request(key, name=name, os="Linux", os_version="6.1")
    response = server.client.post(
        "/v1/devices/enroll",
        json=body.model_dump(mode="json"),
        headers={"Authorization": f"Bearer {server.token_for(owner)}"},
    )
    assert response.status_code == 201, response.text
    return Device(key=key, id=str(response.json()["device"]["id"]), name=name)


def on_device(server: InProcessServer, upn: str, device: Device) -> Peer:
    """The sharer app on ``device``, signed in as ``upn`` and proving the device."""
    peer = server.connect()
    token = server.token_for(upn)
    proof = live_help_proof(device.key, device.id, token)
    peer.send(Hello(token=token, role="sharer", device_proof=proof))
    welcome: Any = peer.recv()
    assert welcome.type == "welcome", welcome
    return peer


def awaiting_help(server: InProcessServer, upn: str, device: Device) -> Peer:
    """``--await-help``: the server has it once it says ``awaiting_help``."""
    peer = on_device(server, upn, device)
    peer.send(AwaitHelp())
    awaiting = peer.recv()
    assert awaiting.type == "awaiting_help" and awaiting.device.id == device.id, awaiting
    return peer


class AgentLink:
    """The device's agent on ``/v1/agent``: checked in, so the device is online."""

    def __init__(self, server: InProcessServer, device: Device, stack: Any) -> None:
        self.ws = stack.enter_context(server.client.websocket_connect(AGENT_PATH))
        self.ws.send_text(encode(sign_envelope(device.key, device.id, CheckIn(os="Linux"))))
        assert self.recv().type == "checked_in"
        assert self.recv().type == "actions"

    def recv(self) -> ToAgent:
        return parse_server_message(self.ws.receive_text())
