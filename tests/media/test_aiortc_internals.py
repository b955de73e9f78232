"""Each reach into aiortc's private parts, against the real aiortc: an upgrade that moves one
fails here, named, rather than somewhere inside a session."""

from __future__ import annotations

import asyncio
import time

import aiortc.rtcrtpreceiver
import aiortc.rtcrtpsender
import pytest
from aiortc import (
    RTCCertificate,
    RTCDtlsTransport,
    RTCIceGatherer,
    RTCIceTransport,
    RTCPeerConnection,
    RTCRtpSender,
)
from aiortc.codecs import get_capabilities
from aiortc.codecs.h264 import H264Decoder
from aiortc.codecs.vpx import Vp8Decoder
from aiortc.jitterbuffer import JitterBuffer
from aiortc.rtcrtpparameters import RTCRtpCodecParameters
from aiortc.rtcrtpreceiver import RemoteStreamTrack
from aiortc.rtcsctptransport import RTCSctpTransport
from aiortc.rtp import (
    RTCP_PSFB_APP,
    RtcpPsfbPacket,
    RtcpReceiverInfo,
    RtcpRrPacket,
    RtpPacket,
    pack_remb_fci,
)

from client.media import aiortc_internals as internals
from client.media.aiortc_internals import (
    SenderFeedback,
    decode_h264_by_gear,
    is_priority_packet,
    observe_sender_feedback,
    resend_at_most_once_a_round_trip,
)
from client.media.gear_decoder import GearDecoder
from client.session import text_guard


def _packet(seq: int, timestamp: int, data: bytes, *, marker: bool = False) -> RtpPacket:
    packet = RtpPacket(sequence_number=seq, timestamp=timestamp, marker=int(marker))
    packet._data = data  # what aiortc's receiver stores after depayloading
    return packet


@pytest.fixture
async def pc():
    connection = RTCPeerConnection()
    yield connection
    await connection.close()


async def test_the_receiver_keeps_its_jitter_buffer_where_it_is_replaced(pc):
    receiver = pc.addTransceiver("video").receiver
    assert isinstance(receiver._RTCRtpReceiver__jitter_buffer, JitterBuffer)
    ours = internals.OpenJitterBuffer(capacity=64, is_video=True)
    assert internals.replace_jitter_buffer(receiver, ours)
    assert receiver._RTCRtpReceiver__jitter_buffer is ours


def test_the_jitter_buffer_ring_reads_and_its_add_asks_release_frame():
    asked: list[int] = []

    class Recording(internals.OpenJitterBuffer):
        def release_frame(self, sequence_number):
            asked.append(sequence_number)
            return super().release_frame(sequence_number)

    buffer = Recording(capacity=16, is_video=True)
    assert buffer.origin() is None and buffer.packet_at(0) is None
    buffer.add(_packet(100, 1, b"a"))
    buffer.add(_packet(102, 1, b"c"))
    assert asked == [100, 102]
    assert buffer.origin() == 100
    assert buffer.packet_at(0).sequence_number == 100
    assert buffer.packet_at(1) is None  # 101 not here yet
    assert buffer.packet_at(2).sequence_number == 102


def test_aiortc_builds_frames_from_the_payload_rtp_payload_reads():
    buffer = internals.OpenJitterBuffer(capacity=16, is_video=True)
    first = [_packet(1, 10, b"ab"), _packet(2, 10, b"cd", marker=True)]
    for packet in first:
        buffer.add(packet)
    _, frame = buffer.add(_packet(3, 20, b"ef"))  # aiortc's own rule: the next frame began
    assert frame is not None
    assert frame.data == b"".join(internals.rtp_payload(p) for p in first) == b"abcd"


async def test_a_keyframe_request_from_the_receiver_is_taken_once(pc):
    sender = pc.addTransceiver("video").sender
    assert not internals.take_keyframe_request(sender)
    pli = RtcpPsfbPacket(fmt=1, ssrc=1, media_ssrc=sender._ssrc)  # RTCP_PSFB_PLI
    await sender._handle_rtcp_packet(pli)
    assert internals.keyframe_requested(sender), "seen without being taken"
    assert internals.take_keyframe_request(sender)
    assert not internals.keyframe_requested(sender)
    assert not internals.take_keyframe_request(sender)


def test_the_retransmission_history_is_the_sender_module_global_and_never_lowered():
    before = aiortc.rtcrtpsender.RTP_HISTORY_SIZE
    assert isinstance(before, int)
    internals.keep_retransmission_history(before + 1)
    assert aiortc.rtcrtpsender.RTP_HISTORY_SIZE == before + 1
    internals.keep_retransmission_history(1)
    assert aiortc.rtcrtpsender.RTP_HISTORY_SIZE == before + 1


async def test_the_rtp_send_is_wrapped_on_the_senders_transport(pc):
    sender = pc.addTransceiver("video").sender
    original = sender.transport._send_rtp
    sent: list[bytes] = []

    def wrap(send):
        assert send == original

        async def recording(data: bytes) -> None:
            sent.append(data)

        return recording

    internals.wrap_rtp_send(sender, wrap)
    await sender.transport._send_rtp(b"packet")
    assert sent == [b"packet"]


def test_the_data_channel_receive_is_wrapped_once_for_every_transport():
    text_guard.install()
    guarded = RTCSctpTransport._data_channel_receive
    assert getattr(guarded, "guarded", False)
    text_guard.install()
    assert RTCSctpTransport._data_channel_receive is guarded


async def test_the_nominated_pair_of_a_connected_peer_connection_is_read():
    offerer, answerer = RTCPeerConnection(), RTCPeerConnection()
    try:
        assert internals.nominated_candidate_types(offerer) is None
        offerer.createDataChannel("probe")
        await offerer.setLocalDescription(await offerer.createOffer())
        await answerer.setRemoteDescription(offerer.localDescription)
        await answerer.setLocalDescription(await answerer.createAnswer())
        await offerer.setRemoteDescription(answerer.localDescription)
        while offerer.connectionState != "connected":
            await asyncio.sleep(0.05)
        assert internals.nominated_candidate_types(offerer) == ("host", "host")
    finally:
        await offerer.close()
        await answerer.close()


async def test_a_remote_track_reads_its_frames_from_the_queue_we_skip_through():
    track = RemoteStreamTrack(kind="video")
    queue = internals.decoded_frame_queue(track)
    assert isinstance(queue, asyncio.Queue)
    frame = object()
    queue.put_nowait(frame)
    assert await track.recv() is frame


def _codec(mime: str) -> RTCRtpCodecParameters:
    capability = next(c for c in get_capabilities("video").codecs if c.mimeType == mime)
    return RTCRtpCodecParameters(mimeType=mime, clockRate=capability.clockRate, payloadType=96)


def test_receivers_decode_h264_by_gear_and_other_codecs_as_before(monkeypatch):
    # Put aiortc's own back after the test, whatever decode_h264_by_gear did.
    monkeypatch.setattr(aiortc.rtcrtpreceiver, "get_decoder", aiortc.rtcrtpreceiver.get_decoder)
    assert isinstance(aiortc.rtcrtpreceiver.get_decoder(_codec("video/H264")), H264Decoder)
    decode_h264_by_gear()
    assert isinstance(aiortc.rtcrtpreceiver.get_decoder(_codec("video/H264")), GearDecoder)
    assert isinstance(aiortc.rtcrtpreceiver.get_decoder(_codec("video/VP8")), Vp8Decoder)


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


async def test_the_senders_media_ssrc_is_read(sender):
    packet = RtpPacket(
        payload_type=96, sequence_number=1, timestamp=1, ssrc=internals.sender_ssrc(sender)
    )
    assert not is_priority_packet(packet.serialize(), internals.sender_ssrc(sender))
