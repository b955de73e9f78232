"""The helper's jitter buffer: a frame leaves when its marked packet is in, big frames fit,
and a packet lost for good costs one frame and a keyframe request, not a frozen picture."""

from __future__ import annotations

import time

from aiortc import RTCPeerConnection
from aiortc.rtp import RtpPacket

from client.media.jitter import CAPACITY, MarkerJitterBuffer, use_marker_jitter_buffer


def _packets(first_seq: int, timestamp: int, count: int) -> list[RtpPacket]:
    packets = []
    for i in range(count):
        packet = RtpPacket(sequence_number=(first_seq + i) & 0xFFFF, timestamp=timestamp)
        packet.marker = int(i == count - 1)
        packet._data = bytes([i % 256])
        packets.append(packet)
    return packets


def _feed(buffer: MarkerJitterBuffer, packets: list[RtpPacket]) -> list[tuple[bool, object]]:
    return [buffer.add(p) for p in packets]


def test_a_frame_is_released_by_its_own_last_packet_not_the_next_frame():
    buffer = MarkerJitterBuffer()
    results = _feed(buffer, _packets(100, 9000, 3))
    assert [frame is None for _, frame in results] == [True, True, False]
    frame = results[-1][1]
    assert frame.timestamp == 9000 and frame.data == bytes([0, 1, 2])


def test_a_sharp_frame_of_a_thousand_packets_fits_across_the_sequence_wrap():
    buffer = MarkerJitterBuffer()
    results = _feed(buffer, _packets(65_000, 1, 1000))
    frames = [frame for _, frame in results if frame is not None]
    assert len(frames) == 1 and len(frames[0].data) == 1000
    assert CAPACITY > 1000, "aiortc's own buffer holds 512 packets"


def test_a_lost_marker_still_completes_the_frame_when_the_next_one_starts():
    buffer = MarkerJitterBuffer()
    first = _packets(10, 100, 3)[:-1]  # the marked packet never comes
    _feed(buffer, first)
    _, frame = buffer.add(_packets(12, 200, 2)[0])
    assert frame is not None and frame.timestamp == 100


def test_a_packet_lost_for_good_costs_one_frame_and_asks_for_a_keyframe(monkeypatch):
    clock = [1000.0]
    monkeypatch.setattr(time, "monotonic", lambda: clock[0])
    buffer = MarkerJitterBuffer(gap_timeout=0.3)
    broken = _packets(0, 100, 4)
    del broken[1]
    results = _feed(buffer, broken)
    assert all(frame is None for _, frame in results)
    following = _packets(4, 200, 2)
    assert buffer.add(following[0]) == (False, None), "a fresh gap may still be repaired"
    clock[0] += 0.5
    pli, frame = buffer.add(following[1])
    assert pli, "the sender is asked for a keyframe"
    assert frame is not None and frame.timestamp == 200, "the next whole frame goes on"
    assert buffer.frames_dropped == 1


def test_a_retransmitted_packet_fills_its_gap_in_time():
    buffer = MarkerJitterBuffer()
    packets = _packets(0, 100, 4)
    _feed(buffer, [packets[0], packets[2], packets[3]])
    pli, frame = buffer.add(packets[1])
    assert not pli and frame is not None and len(frame.data) == 4


async def test_the_buffer_goes_into_a_real_receiver():
    pc = RTCPeerConnection()
    try:
        receiver = pc.addTransceiver("video", direction="recvonly").receiver
        assert use_marker_jitter_buffer(receiver)
        assert isinstance(receiver._RTCRtpReceiver__jitter_buffer, MarkerJitterBuffer)
    finally:
        await pc.close()
