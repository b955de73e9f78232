"""Every place Helpline reaches into aiortc's (and aioice's) private parts, and why.

aiortc has no public hook for any of these. pyproject.toml keeps aiortc below its next minor
release, and each reach is one function or class here, tested against the real aiortc in
``tests/media/test_aiortc_internals.py``: an upgrade that moves one fails there, by name,
instead of somewhere in a session. Keep it that way: one reach, one function or class, its
reason in its docstring; nothing else in the code names a private attribute of aiortc.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass
from typing import Any

import aiortc.rtcrtpreceiver
import aiortc.rtcrtpsender
from aiortc import MediaStreamTrack, RTCPeerConnection, RTCRtpReceiver, RTCRtpSender
from aiortc.codecs.base import Decoder
from aiortc.jitterbuffer import JitterBuffer, JitterFrame
from aiortc.rtcrtpparameters import RTCRtpCodecParameters
from aiortc.rtcsctptransport import RTCSctpTransport
from aiortc.rtp import (
    RTCP_PSFB_APP,
    RtcpPsfbPacket,
    RtcpRrPacket,
    RtcpSrPacket,
    RtpPacket,
    unpack_remb_fci,
)

from client.media.gear_decoder import GearDecoder

log = logging.getLogger(__name__)
SendRtp = Callable[[bytes], Awaitable[None]]
DataChannelReceive = Callable[[RTCSctpTransport, int, int, bytes], Coroutine[Any, Any, None]]

_RECEIVER_JITTER_BUFFER = "_RTCRtpReceiver__jitter_buffer"
_SENDER_FORCE_KEYFRAME = "_RTCRtpSender__force_keyframe"


def replace_jitter_buffer(receiver: RTCRtpReceiver, buffer: JitterBuffer) -> bool:
    """Swap the receiver's jitter buffer for ours (``client.media.jitter``): aiortc's holds a
    frame until the next one starts and is too small for a sharp frame. False, and aiortc's
    own buffer kept, when the attribute is not there."""
    if not hasattr(receiver, _RECEIVER_JITTER_BUFFER):
        return False
    setattr(receiver, _RECEIVER_JITTER_BUFFER, buffer)
    return True


class OpenJitterBuffer(JitterBuffer):
    """aiortc's jitter buffer with its ring of packets readable and its frame release
    overridable: the marker-bit buffer decides itself when a frame is complete.

    aiortc's ``add`` calls ``_remove_frame`` after storing each packet; a subclass overrides
    :meth:`release_frame` instead, and reads the ring through :meth:`origin` and
    :meth:`packet_at`."""

    def origin(self) -> int | None:
        """The sequence number of the oldest packet slot held, None before the first."""
        return self._origin

    def packet_at(self, offset: int) -> RtpPacket | None:
        """The packet ``offset`` places after the origin, None where one is missing."""
        if self._origin is None:
            return None
        return self._packets[(self._origin + offset) % self.capacity]

    def release_frame(self, sequence_number: int) -> JitterFrame | None:
        """After the packet ``sequence_number`` was stored: a frame to hand to the decoder
        now, or None. aiortc's own rule by default."""
        return super()._remove_frame(sequence_number)

    def _remove_frame(self, sequence_number: int) -> JitterFrame | None:
        return self.release_frame(sequence_number)


def rtp_payload(packet: RtpPacket) -> bytes:
    """The depayloaded codec data aiortc's receiver stores on each packet (``_data``), which
    a frame the jitter buffer releases is made of."""
    data: bytes = packet._data  # type: ignore[attr-defined]
    return data


def keyframe_requested(sender: RTCRtpSender) -> bool:
    """Whether a keyframe request (PLI/FIR) waits, without taking it: on a still screen the
    capture thread sends a picture for the encoder thread to answer it with."""
    return bool(getattr(sender, _SENDER_FORCE_KEYFRAME, False))


def take_keyframe_request(sender: RTCRtpSender) -> bool:
    """Whether the receiver asked for a keyframe (PLI/FIR) since the last call, clearing
    the request: the track that encodes H.264 itself must honour it, and aiortc only sets a
    flag for its own encoder."""
    asked = bool(getattr(sender, _SENDER_FORCE_KEYFRAME, False))
    if asked:
        setattr(sender, _SENDER_FORCE_KEYFRAME, False)
    return asked


def keep_retransmission_history(packets: int) -> None:
    """Make every sender keep at least ``packets`` sent packets for retransmission (NACK).
    aiortc keeps 128, fewer than one sharp frame has, in a module global it reads at each
    send; this writes that global (process-wide, never lowered)."""
    aiortc.rtcrtpsender.RTP_HISTORY_SIZE = max(aiortc.rtcrtpsender.RTP_HISTORY_SIZE, packets)


def wrap_rtp_send(sender: RTCRtpSender, wrap: Callable[[SendRtp], SendRtp]) -> None:
    """Put ``wrap`` around the sender's transport's RTP send: the pacer spreads a big frame's
    packets over time, and aiortc has no pacer nor a send hook."""
    transport: Any = sender.transport
    transport._send_rtp = wrap(transport._send_rtp)


def wrap_data_channel_receive(wrap: Callable[[DataChannelReceive], DataChannelReceive]) -> None:
    """Put ``wrap`` around aiortc's data-channel receive, for every SCTP transport of the
    process: aiortc decodes text messages inside its receive loop, and one that is not UTF-8
    kills the loop (``client.session.text_guard``). Done once: a wrapper marked ``guarded``
    is not wrapped again."""
    current: Any = RTCSctpTransport._data_channel_receive
    if not getattr(current, "guarded", False):
        wrapped: Any = wrap(current)
        wrapped.guarded = True
        setattr(RTCSctpTransport, "_data_channel_receive", wrapped)  # noqa: B010


def nominated_candidate_types(pc: RTCPeerConnection) -> tuple[str, str] | None:
    """The local and remote candidate types of the pair ICE nominated (aioice's
    ``_nominated``), None before one: aiortc has neither ``getSelectedCandidatePair`` nor
    candidate-pair stats, and ``relayed`` in the events comes from this."""
    sctp = pc.sctp
    if sctp is None:
        return None
    connection = getattr(sctp.transport.transport, "_connection", None)
    pair = getattr(connection, "_nominated", {}).get(1)
    if pair is None:
        return None
    return pair.local_candidate.type, pair.remote_candidate.type


def decoded_frame_queue(track: MediaStreamTrack) -> Any:
    """The unbounded queue of decoded frames behind a remote track (``_queue``), or None:
    the helper skips to the newest frame instead of showing stale ones one by one."""
    return getattr(track, "_queue", None)


_aiortc_get_decoder = aiortc.rtcrtpreceiver.get_decoder


def _get_decoder(codec: RTCRtpCodecParameters) -> Decoder:
    if codec.mimeType.lower() == "video/h264":
        return GearDecoder()
    return _aiortc_get_decoder(codec)


def decode_h264_by_gear() -> None:
    """Receivers in this process decode H.264 with ``GearDecoder``. aiortc's decoder thread
    looks ``get_decoder`` up in its receiver module for each new codec and has no option
    for it, so the name is replaced there (once; every receiver is ours to decode)."""
    aiortc.rtcrtpreceiver.get_decoder = _get_decoder


def sender_ssrc(sender: RTCRtpSender) -> int:
    """The SSRC of ``sender``'s media stream, which the pacer tells from retransmissions: aiortc
    keeps it private."""
    return int(sender._ssrc)


RESEND_MEMORY = 4096
RESEND_FORGET_SECONDS = 5.0
_LSR = "_RTCRtpSender__lsr"
_LSR_TIME = "_RTCRtpSender__lsr_time"


@dataclass(frozen=True)
class SenderFeedback:
    """One piece of the receiver's feedback on our stream."""

    remb_bps: float | None = None
    fraction_lost: float | None = None  # 0 to 1
    rtt: float | None = None  # seconds, this report's own round trip


def observe_sender_feedback(
    sender: RTCRtpSender, listener: Callable[[SenderFeedback], None]
) -> bool:
    """Call ``listener`` with each REMB and receiver report for ``sender``'s stream, after
    aiortc has handled it; False (nothing observed) if aiortc changed inside."""
    handle: Callable[[object], Awaitable[None]] | None = getattr(
        sender, "_handle_rtcp_packet", None
    )
    if handle is None or not hasattr(sender, _LSR) or not hasattr(sender, _LSR_TIME):
        log.warning("aiortc sender has no RTCP hook; the send rate will not adapt")
        return False

    async def observed(packet: object) -> None:
        lsr, lsr_time = getattr(sender, _LSR), getattr(sender, _LSR_TIME)
        arrived = time.time()
        await handle(packet)
        for feedback in _feedback(sender, packet, lsr, lsr_time, arrived):
            listener(feedback)

    sender._handle_rtcp_packet = observed  # type: ignore[method-assign]
    return True


def resend_at_most_once_a_round_trip(
    sender: RTCRtpSender, round_trip: Callable[[], float], clock: Callable[[], float]
) -> bool:
    """Wrap ``sender``'s retransmission so a sequence number is resent at most once per
    ``round_trip()`` seconds; False (aiortc's behaviour) if aiortc changed inside."""
    resend: Callable[[int], Awaitable[None]] | None = getattr(sender, "_retransmit", None)
    if resend is None:
        log.warning("aiortc sender has no retransmission hook; resends are not limited")
        return False
    last: dict[int, float] = {}

    async def limited(sequence_number: int) -> None:
        now = clock()
        if now - last.get(sequence_number, float("-inf")) < round_trip():
            return
        last[sequence_number] = now
        if len(last) > RESEND_MEMORY:
            for old in [s for s, at in last.items() if now - at > RESEND_FORGET_SECONDS]:
                del last[old]
        await resend(sequence_number)

    sender._retransmit = limited  # type: ignore[method-assign]
    return True


def is_priority_packet(data: bytes, media_ssrc: int) -> bool:
    """RTCP (feedback the peer waits on) and retransmissions go before new media."""
    if len(data) < 12:
        return True
    if 200 <= data[1] <= 207:  # RTCP packet types: SR, RR, SDES, BYE, APP, RTPFB, PSFB
        return True
    return int.from_bytes(data[8:12], "big") != media_ssrc


def _feedback(
    sender: RTCRtpSender, packet: object, lsr: int | None, lsr_time: float | None, now: float
) -> list[SenderFeedback]:
    if isinstance(packet, RtcpRrPacket | RtcpSrPacket):
        found = []
        for report in packet.reports:
            if report.ssrc != sender._ssrc:
                continue
            rtt = None
            if lsr is not None and lsr_time is not None and report.lsr == lsr and report.dlsr:
                rtt = max(0.0, now - lsr_time - report.dlsr / 65536)
            found.append(SenderFeedback(fraction_lost=report.fraction_lost / 256, rtt=rtt))
        return found
    if isinstance(packet, RtcpPsfbPacket) and packet.fmt == RTCP_PSFB_APP:
        try:
            bitrate, ssrcs = unpack_remb_fci(packet.fci)
        except ValueError:
            return []
        if sender._ssrc in ssrcs:
            return [SenderFeedback(remb_bps=float(bitrate))]
    return []
