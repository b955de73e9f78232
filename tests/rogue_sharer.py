"""A sharer that speaks the real protocol but misbehaves on purpose, facing a real helper.

It signs in, redeems the helper's code, consents and answers the helper's offer with a real
RTCPeerConnection, so the helper process under test meets a genuine peer; then it sends
whatever it likes on the data channels the helper opened. It answers heartbeats, or the
helper would rightly drop it as silent.
"""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import websockets
from aiortc import RTCDataChannel, RTCPeerConnection, RTCSessionDescription

from common.peer_messages import (
    Heartbeat,
    HeartbeatAck,
    PeerMessageError,
    encode_peer_message,
    parse_peer_message,
)
from common.protocol import (
    Consent,
    Hello,
    RedeemCode,
    Signal,
    SignalKind,
    encode_message,
    parse_message,
)


class RogueSharer:
    def __init__(self, server_url: str, ws_url: str, upn: str = "bob@contoso.example") -> None:
        self.server_url = server_url
        self.ws_url = ws_url
        self.upn = upn
        self.pc = RTCPeerConnection()
        self.channels: dict[str, RTCDataChannel] = {}
        self.opened = asyncio.Event()
        self.ws: Any = None
        self.pc.on("datachannel", self._on_channel)

    def _on_channel(self, channel: RTCDataChannel) -> None:
        self.channels[channel.label] = channel
        if channel.label == "control":
            channel.on("message", self._answer_heartbeat)
        if {"control", "input"} <= self.channels.keys():
            self.opened.set()

    def _answer_heartbeat(self, raw: str | bytes) -> None:
        try:
            message = parse_peer_message(raw)
        except PeerMessageError:
            return
        if isinstance(message, Heartbeat):
            self.channels["control"].send(
                encode_peer_message(HeartbeatAck(seq=message.seq, sent_ms=message.sent_ms))
            )

    async def join(self, code: str, consent: str = "view", timeout: float = 60) -> None:
        """Redeem the code, consent, answer the offer, and wait for both channels."""
        async with httpx.AsyncClient() as client:
            response = await client.post(self.server_url + "/dev-idp/token", json={"upn": self.upn})
        self.ws = await websockets.connect(self.ws_url)
        await self.ws.send(
            encode_message(Hello(token=response.json()["access_token"], role="sharer"))
        )
        await self.ws.recv()  # welcome
        await self.ws.send(encode_message(RedeemCode(code=code)))
        assert parse_message(await self.ws.recv()).type == "helper_identity"
        await self.ws.send(encode_message(Consent(level=consent)))
        while True:
            message = parse_message(await asyncio.wait_for(self.ws.recv(), timeout))
            if isinstance(message, Signal) and message.kind is SignalKind.OFFER:
                break
        await self.pc.setRemoteDescription(
            RTCSessionDescription(sdp=message.sdp or "", type="offer")
        )
        await self.pc.setLocalDescription(await self.pc.createAnswer())
        await self.ws.send(
            encode_message(Signal(kind=SignalKind.ANSWER, sdp=self.pc.localDescription.sdp))
        )
        await asyncio.wait_for(self.opened.wait(), timeout)

    async def close(self) -> None:
        await self.pc.close()
        if self.ws is not None:
            await self.ws.close()
