"""The heartbeat's verdict on a fake clock: silence is measured, never waited out.

A real PeerLink faces a real aiortc peer in this process that opens the data channels and
then says nothing, as a frozen app would. The link's clock is a fake one the test moves; the
link's own heartbeat loop keeps running in real time at a short interval, and the test waits
for it to have looked (the silent peer counts the heartbeats it receives) before judging.
"""

from __future__ import annotations

import asyncio

from aiortc import RTCPeerConnection, RTCSessionDescription, VideoStreamTrack

from client.session.fingerprint import card_fingerprint
from client.session.peer_link import LinkEvents, PeerLink
from client.settings import AppSettings
from common.peer_messages import (
    Chat,
    Heartbeat,
    HeartbeatAck,
    PeerMessage,
    encode_peer_message,
    parse_peer_message,
)
from common.protocol import EndReason

TIMEOUT = 5.0
DEADLINE = 60.0


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class SilentPeer:
    """Opens the channels a helper opens, counts the heartbeats, answers only when told."""

    def __init__(self, *, video: bool = False) -> None:
        self.pc = RTCPeerConnection()
        if video:  # receives the link's video, so it sends receiver reports (RTCP)
            self.pc.addTransceiver("video", direction="recvonly")
        self.control = self.pc.createDataChannel("control")
        self.input = self.pc.createDataChannel("input")
        self.heartbeats = 0
        self.answering = False
        self.control.on("message", self._on_message)

    def _on_message(self, raw: str | bytes) -> None:
        message = parse_peer_message(raw)
        if isinstance(message, Heartbeat):
            self.heartbeats += 1
            if self.answering:
                ack = HeartbeatAck(seq=message.seq, sent_ms=message.sent_ms)
                self.control.send(encode_peer_message(ack))
                # Something the test can see arrive after the answer (the channel is ordered).
                self.control.send(encode_peer_message(Chat(text="still here")))


async def until(predicate, what: str) -> None:
    """Yield to the loop until the condition holds; the deadline only bounds a failing run."""

    async def poll() -> None:
        while not predicate():
            await asyncio.sleep(0.01)

    try:
        await asyncio.wait_for(poll(), DEADLINE)
    except TimeoutError:
        raise AssertionError(f"never happened: {what}") from None


async def _connected_link(
    clock: FakeClock,
    lost: list[EndReason],
    heard: list[PeerMessage] | None = None,
    *,
    video: bool = False,
) -> tuple[PeerLink, SilentPeer]:
    settings = AppSettings(heartbeat_interval=0.02, heartbeat_timeout=TIMEOUT)
    connected = asyncio.Event()
    events = LinkEvents(
        on_message=(heard if heard is not None else []).append,
        on_input=lambda _: None,
        on_connected=connected.set,
        on_lost=lost.append,
        on_video=lambda _: None,
        on_file_chunk=lambda _: None,
    )
    link = PeerLink(settings, events, clock=clock)
    peer = SilentPeer(video=video)
    await peer.pc.setLocalDescription(await peer.pc.createOffer())
    offer = peer.pc.localDescription.sdp
    await link.accept_offer(offer, card_fingerprint=card_fingerprint(offer))
    if video:
        link.add_track(VideoStreamTrack())
    answer = await link.create_answer()
    await peer.pc.setRemoteDescription(RTCSessionDescription(sdp=answer, type="answer"))
    await connected.wait()
    return link, peer


async def _heartbeats_pass(peer: SilentPeer, rounds: int = 3) -> None:
    """Let the link's loop look at the clock a few more times."""
    seen = peer.heartbeats
    await until(lambda: peer.heartbeats >= seen + rounds, "heartbeats")


async def test_a_silent_peer_is_lost_only_once_the_timeout_has_passed():
    clock, lost = FakeClock(), []
    link, peer = await _connected_link(clock, lost)
    try:
        await _heartbeats_pass(peer)
        assert lost == [], "no time has passed on the link's clock"
        clock.now += TIMEOUT - 0.1
        await _heartbeats_pass(peer)
        assert lost == [], "silent, but not for long enough"
        clock.now += 0.2
        await until(lambda: lost, "the peer declared lost")
        assert lost == [EndReason.PEER_TIMEOUT]
    finally:
        await link.close()
        await peer.pc.close()


async def test_a_peer_that_answers_is_never_lost_however_long_the_session():
    clock, lost, heard = FakeClock(), [], []
    link, peer = await _connected_link(clock, lost, heard)
    peer.answering = True
    try:
        for _ in range(10):  # fifty seconds of session, in steps shorter than the timeout
            clock.now += TIMEOUT - 0.5
            # Wait until the link has heard the peer at the new time, then move on.
            count = len(heard)
            await until(lambda n=count: len(heard) > n, "an answer heard")
        assert lost == []
        assert link.rtt_ms is not None, "the answers were heard"
        peer.answering = False
        clock.now += TIMEOUT + 0.1
        await until(lambda: lost, "the peer declared lost once it fell silent")
    finally:
        await link.close()
        await peer.pc.close()


async def test_a_congested_control_channel_is_not_a_vanished_peer_while_its_reports_arrive():
    """The peer never answers a heartbeat (its control channel starved on a slow link), but
    its receiver reports on our video keep coming: alive. Once they stop too: lost."""
    clock, lost = FakeClock(), []
    link, peer = await _connected_link(clock, lost, video=True)
    try:
        for _ in range(6):  # thirty seconds without one heartbeat answered
            clock.now += TIMEOUT - 0.5
            seen = link._media_seen
            await until(lambda s=seen: link._media_seen != s, "a receiver report looked at")
        assert lost == []
        await peer.pc.close()  # and now nothing at all comes from it
        clock.now += TIMEOUT + 0.1
        await until(lambda: lost, "the peer declared lost once nothing came")
        assert lost == [EndReason.PEER_TIMEOUT]
    finally:
        await link.close()
        await peer.pc.close()
