"""Every reach into aiortc's private internals, in one place, each tested against the pinned
aiortc (tests/media/test_aiortc_internals.py), so an aiortc upgrade breaks one module loudly
instead of the picture quietly.

- The sender's RTCP feedback (REMB, receiver reports): aiortc hands REMB only to an encoder
  with a ``target_bitrate`` (ours is not aiortc's) and keeps the round trip smoothed over
  many seconds; the bandwidth estimate needs each figure as it arrives.
- The sender's retransmissions: aiortc's receiver repeats every still-missing sequence
  number in each NACK it sends (one per new gap), and aiortc's sender resends each one every
  time, so on a lossy link one lost packet is resent many times over, and the storm fills
  the link the pacer keeps for new frames. A packet is resent at most once a round trip, as
  libwebrtc does.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from aiortc import RTCRtpSender
from aiortc.rtp import RTCP_PSFB_APP, RtcpPsfbPacket, RtcpRrPacket, RtcpSrPacket, unpack_remb_fci

log = logging.getLogger(__name__)

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
