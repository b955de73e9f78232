"""A helper that speaks the real protocol but misbehaves on purpose.

It signs in like any helper, with a real RTCPeerConnection, so the sharer process under
test meets a genuine peer; then it can lie about its DTLS fingerprint or send garbage,
floods and unknown messages on the data channels.
"""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import websockets
from aiortc import RTCPeerConnection, RTCSessionDescription

from client.session.fingerprint import card_fingerprint
from common.peer_messages import (
    Heartbeat,
    HeartbeatAck,
    PeerMessageError,
    encode_peer_message,
    parse_peer_message,
)
from common.protocol import (
    ConsentResult,
    Hello,
    RequestCode,
    Signal,
    SignalKind,
    encode_message,
    parse_message,
)


class RogueHelper:
    def __init__(self, server_url: str, ws_url: str, upn: str = "alice@contoso.example") -> None:
        self.server_url = server_url
        self.ws_url = ws_url
        self.upn = upn
        self.pc = RTCPeerConnection()
        self.pc.addTransceiver("video", direction="recvonly")
        self.control = self.pc.createDataChannel("control")
        self.input = self.pc.createDataChannel("input")
        self.files = self.pc.createDataChannel("files")
        self.ws: Any = None
        self.opened = asyncio.Event()
        self.files_open = asyncio.Event()
        self.control.on("open", self.opened.set)
        self.files.on("open", self.files_open.set)
        # What the sharer said on the control channel, heartbeats aside.
        self.heard: list[Any] = []
        # Misbehaving, but alive: it answers heartbeats, or the sharer would rightly drop it.
        self.control.on("message", self._answer_heartbeat)

    def _answer_heartbeat(self, raw: str | bytes) -> None:
        try:
            message = parse_peer_message(raw)
        except PeerMessageError:
            return
        if isinstance(message, Heartbeat):
            self.control.send(
                encode_peer_message(HeartbeatAck(seq=message.seq, sent_ms=message.sent_ms))
            )
        elif not isinstance(message, HeartbeatAck):
            self.heard.append(message)

    async def sign_in_and_get_code(self, fingerprint_from: RTCPeerConnection | None = None) -> str:
        async with httpx.AsyncClient() as client:
            response = await client.post(self.server_url + "/dev-idp/token", json={"upn": self.upn})
        token = response.json()["access_token"]
        self.ws = await websockets.connect(self.ws_url)
        await self.ws.send(encode_message(Hello(token=token, role="helper")))
        await self.ws.recv()  # welcome
        card_pc = fingerprint_from or self.pc
        offer = await card_pc.createOffer()
        await self.ws.send(
            encode_message(RequestCode(dtls_fingerprint=card_fingerprint(offer.sdp)))
        )
        return parse_message(await self.ws.recv()).code  # type: ignore[union-attr]

    async def wait_consent_and_offer(self) -> str:
        while True:
            message = parse_message(await self.ws.recv())
            if isinstance(message, ConsentResult):
                break
        await self.pc.setLocalDescription(await self.pc.createOffer())
        await self.ws.send(
            encode_message(Signal(kind=SignalKind.OFFER, sdp=self.pc.localDescription.sdp))
        )
        return message.level.value

    async def complete(self, timeout: float = 30) -> None:
        """Read the answer and wait for the control channel to open."""
        while True:
            message = parse_message(await asyncio.wait_for(self.ws.recv(), timeout))
            if isinstance(message, Signal) and message.kind is SignalKind.ANSWER:
                await self.pc.setRemoteDescription(
                    RTCSessionDescription(sdp=message.sdp or "", type="answer")
                )
                break
        await asyncio.wait_for(self.opened.wait(), timeout)
        await asyncio.wait_for(self.files_open.wait(), timeout)

    async def hear(self, kind: type, timeout: float = 30) -> Any:
        """The first message of ``kind`` the sharer sent on the control channel."""
        deadline = asyncio.get_running_loop().time() + timeout
        while asyncio.get_running_loop().time() < deadline:
            for message in self.heard:
                if isinstance(message, kind):
                    self.heard.remove(message)
                    return message
            await asyncio.sleep(0.05)
        raise AssertionError(f"the sharer never sent {kind.__name__}; heard {self.heard}")

    async def close(self) -> None:
        await self.pc.close()
        if self.ws is not None:
            await self.ws.close()
