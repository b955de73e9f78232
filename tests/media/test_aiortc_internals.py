"""Each reach into aiortc's internals, against the pinned aiortc itself."""

from __future__ import annotations

import time

import aiortc.rtcrtpsender
import pytest
from aiortc import RTCCertificate, RTCDtlsTransport, RTCIceGatherer, RTCIceTransport, RTCRtpSender
from aiortc.rtp import (
    RTCP_PSFB_APP,
    RtcpPsfbPacket,
    RtcpReceiverInfo,
    RtcpRrPacket,
    RtpPacket,
    pack_remb_fci,
)

from client.media.aiortc_internals import (
    SenderFeedback,
    is_priority_packet,
    observe_sender_feedback,
    resend_at_most_once_a_round_trip,
)


@pytest.fixture
async def sender():
    ice = RTCIceTransport(RTCIceGatherer())
    dtls = RTCDtlsTransport(ice, [RTCCertificate.generateCertificate()])
    sender = RTCRtpSender("video", dtls)
    yield sender
    await dtls.stop()


def _report(ssrc: int, *, lost: int, lsr: int, dlsr: int) -> RtcpRrPacket:
    info = RtcpReceiverInfo(
        ssrc=ssrc, fraction_lost=lost, packets_lost=0, highest_sequence=0, jitter=0,
        lsr=lsr, dlsr=dlsr,
    )  # fmt: skip
    return RtcpRrPacket(ssrc=1, reports=[info])


async def test_remb_and_receiver_reports_reach_the_listener_as_they_arrive(sender):
    heard: list[SenderFeedback] = []
    assert observe_sender_feedback(sender, heard.append)
    remb = RtcpPsfbPacket(
        fmt=RTCP_PSFB_APP, ssrc=1, media_ssrc=0, fci=pack_remb_fci(4_200_000, [sender._ssrc])
    )
    await sender._handle_rtcp_packet(remb)
    other = RtcpPsfbPacket(fmt=RTCP_PSFB_APP, ssrc=1, media_ssrc=0, fci=pack_remb_fci(1, [7]))
    await sender._handle_rtcp_packet(other)
    # As if our last sender report left 0.3 s ago and the receiver held it 0.1 s.
    sender._RTCRtpSender__lsr = 0x1234
    sender._RTCRtpSender__lsr_time = time.time() - 0.3
    await sender._handle_rtcp_packet(_report(sender._ssrc, lost=64, lsr=0x1234, dlsr=6554))
    assert heard[0] == SenderFeedback(remb_bps=4_200_000)
    assert len(heard) == 2, "another stream's REMB is not ours"
    assert heard[1].fraction_lost == 0.25
    assert heard[1].rtt == pytest.approx(0.2, abs=0.05)


async def test_a_lost_packet_is_resent_at_most_once_a_round_trip(sender):
    sent: list[bytes] = []

    async def record(data: bytes) -> None:
        sent.append(data)

    sender.transport._send_rtp = record
    packet = RtpPacket(payload_type=96, sequence_number=500, timestamp=1, ssrc=sender._ssrc)
    packet.payload = b"x" * 100
    sender._RTCRtpSender__rtp_history[500 % aiortc.rtcrtpsender.RTP_HISTORY_SIZE] = packet
    clock = [10.0]
    assert resend_at_most_once_a_round_trip(sender, lambda: 0.1, lambda: clock[0])
    for _ in range(5):  # the same sequence number in five NACKs in a row
        await sender._retransmit(500)
    assert len(sent) == 1
    clock[0] += 0.15
    await sender._retransmit(500)
    assert len(sent) == 2, "a round trip later its resend may have been lost too"


def test_feedback_and_retransmissions_go_before_new_media(sender):
    media = RtpPacket(payload_type=96, sequence_number=1, timestamp=1, ssrc=sender._ssrc)
    resent = RtpPacket(payload_type=97, sequence_number=1, timestamp=1, ssrc=sender._rtx_ssrc)
    report = bytes(RtcpRrPacket(ssrc=sender._ssrc, reports=[]))
    assert not is_priority_packet(media.serialize(), sender._ssrc)
    assert is_priority_packet(resent.serialize(), sender._ssrc)
    assert is_priority_packet(report, sender._ssrc)
