"""The peer-to-peer half of a session: one RTCPeerConnection, three data channels, a heartbeat.

Both engines own one and speak to it in session terms (an offer to relay, an answer to
accept, a track to send, the loss the receiver reports); WebRTC itself stays behind this
class, so the engines can run in-process against a fake link (``SessionLink``). ICE consent
freshness notices a dead peer only after about 30 s, so a heartbeat on the control channel
does it within ``heartbeat_timeout`` seconds instead.

A congested link is not a vanished peer: on a slow uplink the control channel's messages
may wait behind a lost packet's retransmission for seconds, while the peer's RTP (to the
helper) or RTCP reports (to the sharer) still arrive. Any of them proves the peer's app is
running (aiortc sends them from the app's own event loop), so silence counts only when
neither the control channel nor media has been heard.

Files have a channel of their own (``files``), opened with the others but not waited for:
a session is usable without it. All channels share one SCTP association whose send queue is
first come, first served, so a sender keeps at most ``FILES_HIGH_WATER`` bytes of file data
waiting in it (``files_drained``): a control message then waits behind a few chunks, never
behind a whole file.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

from aiortc import (
    MediaStreamTrack,
    RTCDataChannel,
    RTCPeerConnection,
    RTCRtpSender,
    RTCSessionDescription,
)

from client.ice import is_relayed, rtc_configuration
from client.media.aiortc_internals import decode_h264_by_gear
from client.media.codecs import (
    EncodesH264,
    negotiated_video_codec,
    offer_decoding,
    offered_decoding,
    prefer_codecs,
)
from client.media.jitter import use_marker_jitter_buffer
from client.session import text_guard
from client.session.fingerprint import card_fingerprint, matches_card
from client.settings import AppSettings
from common.peer_messages import (
    Heartbeat,
    HeartbeatAck,
    PeerMessage,
    PeerMessageError,
    encode_peer_message,
    parse_peer_message,
)
from common.protocol import EndReason, IceServer

log = logging.getLogger(__name__)

CONTROL_LABEL = "control"
INPUT_LABEL = "input"
FILES_LABEL = "files"
# File data waiting in the association's queue: above HIGH the sender waits until LOW.
FILES_HIGH_WATER = 128 * 1024
FILES_LOW_WATER = 32 * 1024
FILES_WAKE_SECONDS = 1.0


class FingerprintMismatch(Exception):
    """The offer's DTLS certificate is not the one the helper's signed card names."""


@dataclass(frozen=True)
class LinkEvents:
    """What a link tells its engine; called on the loop, never awaited."""

    on_message: Callable[[PeerMessage], None]
    on_input: Callable[[str | bytes], None]
    on_connected: Callable[[], None]
    on_lost: Callable[[EndReason], None]
    on_video: Callable[[MediaStreamTrack], None]
    on_file_chunk: Callable[[bytes], None]


class SessionLink(Protocol):
    """What the engines need of a link: the real one below, or a test's in-memory fake."""

    rtt_ms: float | None

    @property
    def relayed(self) -> bool: ...

    async def offer_fingerprint(self) -> str: ...
    async def create_offer(self) -> str: ...
    async def accept_answer(self, sdp: str) -> None: ...
    async def accept_offer(self, sdp: str, *, card_fingerprint: str) -> None: ...
    def add_track(self, track: MediaStreamTrack) -> None: ...
    async def create_answer(self) -> str: ...
    async def remote_loss(self) -> float | None: ...
    async def bytes_received(self) -> int | None: ...
    def send(self, message: PeerMessage) -> bool: ...
    def send_input(self, raw: str) -> bool: ...
    def send_file_chunk(self, data: bytes) -> bool: ...
    async def files_drained(self) -> bool: ...
    async def close(self) -> None: ...


LinkFactory = Callable[[AppSettings, LinkEvents, Sequence[IceServer]], SessionLink]


class PeerLink:
    def __init__(
        self,
        settings: AppSettings,
        events: LinkEvents,
        ice_servers: Sequence[IceServer] = (),
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._settings = settings
        self._events = events
        # Silence is measured on this clock; tests pass a fake one to expire it at will.
        self._clock = clock
        text_guard.install()  # a peer's bad text costs one message, not the link
        # Only the organisation's ICE servers (none: host candidates only), never a default.
        self._pc = RTCPeerConnection(rtc_configuration(ice_servers, settings.ice_policy))
        self.control: RTCDataChannel | None = None
        self.input: RTCDataChannel | None = None
        self.files: RTCDataChannel | None = None
        self.rtt_ms: float | None = None
        self._sender: RTCRtpSender | None = None
        self._track: MediaStreamTrack | None = None
        self._offering = False
        self._last_heard = clock()
        self._media_seen: tuple[tuple[str, float], ...] = ()
        self._heartbeat_task: asyncio.Task[None] | None = None
        self._connected = False
        self._closed = False
        self._pc.on("connectionstatechange", self._on_state_change)
        self._pc.on("datachannel", self.attach_channel)
        self._pc.on("track", self._on_track)

    @property
    def relayed(self) -> bool:
        """Media goes through the organisation's TURN server, not directly."""
        return is_relayed(self._pc)

    # ---- negotiation: the helper offers ------------------------------------------------

    async def offer_fingerprint(self) -> str:
        """Our DTLS certificate's fingerprints as a card carries them (they are in any offer)."""
        self._start_offering()
        offer = await self._pc.createOffer()
        return card_fingerprint(offer.sdp)

    async def create_offer(self) -> str:
        """The complete offer: aiortc gathers every candidate in setLocalDescription."""
        self._start_offering()
        await self._pc.setLocalDescription(await self._pc.createOffer())
        # Our decoder takes H.264 4:4:4 and a decoder per gear: the sharer may use both.
        return offer_decoding(str(self._pc.localDescription.sdp))

    async def accept_answer(self, sdp: str) -> None:
        await self._pc.setRemoteDescription(RTCSessionDescription(sdp=sdp, type="answer"))

    def _start_offering(self) -> None:
        """The offering side receives video (codec preference stated here) and opens both
        data channels."""
        if self._offering:
            return
        self._offering = True
        transceiver = self._pc.addTransceiver("video", direction="recvonly")
        prefer_codecs(transceiver)
        decode_h264_by_gear()
        use_marker_jitter_buffer(transceiver.receiver)
        self.attach_channel(self._pc.createDataChannel(CONTROL_LABEL, ordered=True))
        self.attach_channel(self._pc.createDataChannel(INPUT_LABEL, ordered=True))
        self.attach_channel(self._pc.createDataChannel(FILES_LABEL, ordered=True))

    # ---- negotiation: the sharer answers -----------------------------------------------

    async def accept_offer(self, sdp: str, *, card_fingerprint: str) -> None:
        """Apply the offer only if it comes from the certificate the verified card names."""
        if not matches_card(sdp, card_fingerprint):
            raise FingerprintMismatch
        await self._pc.setRemoteDescription(RTCSessionDescription(sdp=sdp, type="offer"))

    def add_track(self, track: MediaStreamTrack) -> None:
        """addTrack reuses the transceiver the offer created; the answer becomes sendonly."""
        self._sender = self._pc.addTrack(track)
        self._track = track

    async def create_answer(self) -> str:
        await self._pc.setLocalDescription(await self._pc.createAnswer())
        sdp = str(self._pc.localDescription.sdp)
        # A screen track encodes H.264 itself (sharp stills); other codecs are aiortc's.
        track = self._track
        if isinstance(track, EncodesH264) and negotiated_video_codec(sdp) == "video/H264":
            offer = self._pc.remoteDescription
            decoding = offered_decoding(offer.sdp) if offer is not None else None
            track.encode_h264(self._sender, decoding)
        return sdp

    async def bytes_received(self) -> int | None:
        """All the transport has received from the peer (media, RTCP, data channels)."""
        report = await self._pc.getStats()
        totals = [s.bytesReceived for s in report.values() if s.type == "transport"]
        return int(sum(totals)) if totals else None

    async def remote_loss(self) -> float | None:
        """The fraction of our video the receiver lost, from its RTCP reports (None: no
        report yet)."""
        if self._sender is None:
            return None
        for stats in (await self._sender.getStats()).values():
            if stats.type == "remote-inbound-rtp":
                # RTCP carries the lost fraction in 1/256ths.
                return float(stats.fractionLost) / 256
        return None

    # ---- channels ----------------------------------------------------------------------

    def attach_channel(self, channel: RTCDataChannel) -> None:
        if channel.label == CONTROL_LABEL and self.control is None:
            self.control = channel
            channel.on("message", self._on_control_raw)
            channel.on("open", self._maybe_connected)
            if channel.readyState == "open":
                self._maybe_connected()
        elif channel.label == INPUT_LABEL and self.input is None:
            self.input = channel
            channel.on("message", self._events.on_input)
            channel.on("open", self._maybe_connected)
            if channel.readyState == "open":
                self._maybe_connected()
        elif channel.label == FILES_LABEL and self.files is None:
            self.files = channel
            channel.bufferedAmountLowThreshold = FILES_LOW_WATER
            channel.on("message", self._on_file_raw)
        else:
            log.warning("unexpected data channel refused")
            channel.close()

    def send(self, message: PeerMessage) -> bool:
        if self.control is None or self.control.readyState != "open":
            return False
        self.control.send(encode_peer_message(message))
        return True

    def send_input(self, raw: str) -> bool:
        if self.input is None or self.input.readyState != "open":
            return False
        self.input.send(raw)
        return True

    def send_file_chunk(self, data: bytes) -> bool:
        if self.files is None or self.files.readyState != "open":
            return False
        self.files.send(data)
        return True

    async def files_drained(self) -> bool:
        """Wait until the file channel's queue is short again; False once it is closed."""
        channel = self.files
        while channel is not None and channel.readyState == "open":
            if channel.bufferedAmount <= FILES_HIGH_WATER:
                return True
            await _buffer_low(channel)
        return False

    async def close(self) -> None:
        self._closed = True
        if self._heartbeat_task is not None:
            self._heartbeat_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._heartbeat_task
        await self._pc.close()

    def _on_track(self, track: MediaStreamTrack) -> None:
        if track.kind == "video":
            self._events.on_video(track)

    def _on_state_change(self) -> None:
        state = self._pc.connectionState
        log.info("peer connection state %s", state)
        if state == "connected":
            self._maybe_connected()
        elif state == "failed" and not self._closed:
            self._events.on_lost(EndReason.CONNECTION_FAILED)

    def _maybe_connected(self) -> None:
        if self._connected or self._pc.connectionState != "connected":
            return
        # Connected means usable: both channels open, so no first command is lost.
        channels = (self.control, self.input)
        if any(c is None or c.readyState != "open" for c in channels):
            return
        self._connected = True
        self._last_heard = self._clock()
        self._heartbeat_task = asyncio.ensure_future(self._heartbeat())
        self._events.on_connected()

    def _on_control_raw(self, raw: str | bytes) -> None:
        self._last_heard = self._clock()
        try:
            message = parse_peer_message(raw)
        except PeerMessageError as exc:
            log.warning("control message refused: %s", exc.reason)
            return
        if isinstance(message, Heartbeat):
            self.send(HeartbeatAck(seq=message.seq, sent_ms=message.sent_ms))
        elif isinstance(message, HeartbeatAck):
            self.rtt_ms = max(0.0, _now_ms() - message.sent_ms)
        else:
            self._events.on_message(message)

    def _on_file_raw(self, raw: str | bytes) -> None:
        self._last_heard = self._clock()
        if isinstance(raw, bytes):
            self._events.on_file_chunk(raw)

    async def _heartbeat(self) -> None:
        seq = 0
        interval = self._settings.heartbeat_interval
        while not self._closed:
            self.send(Heartbeat(seq=seq, sent_ms=_now_ms()))
            seq += 1
            await asyncio.sleep(interval)
            if await self._media_heard():
                self._last_heard = self._clock()
            silent = self._clock() - self._last_heard
            if silent > self._settings.heartbeat_timeout:
                log.warning("peer silent for %.1f s", silent)
                self._events.on_lost(EndReason.PEER_TIMEOUT)
                return

    async def _media_heard(self) -> bool:
        """Media or its reports arrived from the peer since the last look."""
        seen = []
        for stats in (await self._pc.getStats()).values():
            if stats.type == "inbound-rtp":  # the peer's RTP, on the helper
                seen.append((stats.id, float(stats.packetsReceived)))
            elif stats.type == "remote-inbound-rtp":  # its receiver reports, on the sharer
                seen.append((stats.id, stats.timestamp.timestamp()))
        heard = bool(seen) and tuple(seen) != self._media_seen
        self._media_seen = tuple(seen)
        return heard


async def _buffer_low(channel: RTCDataChannel) -> None:
    """Until the channel's queue falls to its low threshold, or ``FILES_WAKE_SECONDS``: a
    channel that closes says nothing to this waiter, so it looks again now and then."""
    low: asyncio.Future[None] = asyncio.get_running_loop().create_future()

    def wake() -> None:
        if not low.done():
            low.set_result(None)

    channel.on("bufferedamountlow", wake)
    try:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(low, FILES_WAKE_SECONDS)
    finally:
        channel.remove_listener("bufferedamountlow", wake)


def _now_ms() -> float:
    return time.monotonic() * 1000.0
