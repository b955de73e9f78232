"""Stand-ins for the parts an engine talks to, so engines run in one process and one loop.

``FakeNetwork`` pairs links the way DTLS would: by the certificate fingerprint the offer
carries. ``ScriptedSignaling`` plays the server from a queue the test fills.
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Sequence
from typing import Any

from client.session.fingerprint import matches_card
from client.session.peer_link import FingerprintMismatch, LinkEvents
from client.settings import AppSettings
from common.peer_messages import encode_peer_message, parse_peer_message
from common.protocol import IceServer

_serial = itertools.count(1)


class FakeNetwork:
    def __init__(self, *, forge_offers: bool = False) -> None:
        self.offering: dict[str, FakeLink] = {}
        self.forge_offers = forge_offers
        self.links: list[FakeLink] = []

    def link(
        self, settings: AppSettings, events: LinkEvents, ice_servers: Sequence[IceServer] = ()
    ) -> FakeLink:
        link = FakeLink(self, events)
        self.links.append(link)
        return link


class FakeLink:
    def __init__(self, network: FakeNetwork, events: LinkEvents) -> None:
        self.network = network
        self.events = events
        self.rtt_ms: float | None = 1.0
        self.relayed = False
        self.fingerprint = f"sha-256 {next(_serial):02X}:AA:BB"
        self.peer: FakeLink | None = None
        self.track: Any = None
        self.closed = False

    async def offer_fingerprint(self) -> str:
        self.network.offering[self.fingerprint] = self
        return self.fingerprint

    async def create_offer(self) -> str:
        shown = "sha-256 FF:FF:FF" if self.network.forge_offers else self.fingerprint
        self.network.offering[shown] = self
        return "a=fingerprint:" + shown + "\r\n"

    async def accept_answer(self, sdp: str) -> None:
        assert self.peer is not None and sdp == "answer"
        for side in (self, self.peer):
            side.events.on_connected()

    async def accept_offer(self, sdp: str, *, card_fingerprint: str) -> None:
        if not matches_card(sdp, card_fingerprint):
            raise FingerprintMismatch
        helper = self.network.offering[sdp.removeprefix("a=fingerprint:").strip()]
        self.peer, helper.peer = helper, self

    def add_track(self, track: Any) -> None:
        self.track = track

    async def create_answer(self) -> str:
        return "answer"

    async def bytes_received(self) -> int | None:
        return None

    async def remote_loss(self) -> float | None:
        return None

    def send(self, message: Any) -> bool:
        if self.peer is None or self.closed:
            return False
        # Through the wire format, as the real channel does.
        wire = encode_peer_message(message)
        peer = self.peer
        asyncio.get_running_loop().call_soon(
            lambda: peer.closed or peer.events.on_message(parse_peer_message(wire))
        )
        return True

    def send_input(self, raw: str) -> bool:
        if self.peer is None or self.closed:
            return False
        self.peer.events.on_input(raw)
        return True

    def send_file_chunk(self, data: bytes) -> bool:
        if self.peer is None or self.closed:
            return False
        peer = self.peer
        asyncio.get_running_loop().call_soon(lambda: peer.closed or peer.events.on_file_chunk(data))
        return True

    async def files_drained(self) -> bool:
        await asyncio.sleep(0)  # the chunks already sent reach the peer first
        return self.peer is not None and not self.closed

    async def close(self) -> None:
        self.closed = True


class ScriptedSignaling:
    """The server's side of the websocket, as a script: the test puts what it says."""

    def __init__(self) -> None:
        self.incoming: asyncio.Queue[Any] = asyncio.Queue()
        self.sent: list[Any] = []
        self.closed = False

    async def connect(self) -> None:
        return None

    async def send(self, message: Any) -> None:
        self.sent.append(message)

    async def messages(self):
        while (message := await self.incoming.get()) is not None:
            yield message

    async def close(self) -> None:
        self.closed = True
        self.incoming.put_nowait(None)


class RecordingTrack:
    def __init__(self) -> None:
        self.paused: list[bool] = []
        self.stopped = False
        self.too_slow = False  # the capture track's verdict on its link, set by a test

    def set_paused(self, paused: bool) -> None:
        self.paused.append(paused)

    def report_loss(self, fraction: float) -> None:
        pass

    def stop(self) -> None:
        self.stopped = True


class RecordingInjector:
    def __init__(self) -> None:
        self.injected: list[Any] = []
        self.released = 0

    def inject(self, event: Any) -> None:
        self.injected.append(event)

    def release_all(self) -> None:
        self.released += 1

    def close(self) -> None:
        pass
