"""A receiving jitter buffer that hands over a frame as soon as its last packet is in.

aiortc's buffer treats a frame as complete only when a packet of the *next* frame arrives:
every frame is shown one frame interval late, and the last change before a quiet spell not
at all until something else is sent. The RTP marker bit (RFC 6184 5.1, RFC 7741 4.1) says
"last packet of this frame", and aiortc's sender sets it, so this buffer releases a frame
once its packets from first to marked are all present. It is also larger (4096 packets,
about 5 MB), so a sharp 1080p frame of dense text (up to about 1 MB) fits.

A packet lost beyond repair (aiortc keeps only 128 packets for retransmission, fewer than
one sharp frame has) would otherwise hold every later frame back until the buffer
overflows; after ``gap_timeout`` seconds the broken frame is dropped and a keyframe is
asked for (PLI), so the picture recovers instead of freezing.

The buffer is swapped into the helper's own RTCRtpReceiver; aiortc has no option for it.
"""

from __future__ import annotations

import logging
import time

from aiortc import RTCRtpReceiver
from aiortc.jitterbuffer import JitterFrame
from aiortc.rtp import RtpPacket

from client.media.aiortc_internals import OpenJitterBuffer, replace_jitter_buffer, rtp_payload

log = logging.getLogger(__name__)

CAPACITY = 4096


GAP_TIMEOUT = 0.3


class MarkerJitterBuffer(OpenJitterBuffer):
    def __init__(self, capacity: int = CAPACITY, gap_timeout: float = GAP_TIMEOUT) -> None:
        super().__init__(capacity=capacity, is_video=True)
        self.gap_timeout = gap_timeout
        self.frames_dropped = 0
        self._newest: int | None = None
        self._scan = False
        self._gap_since: float | None = None
        self._want_keyframe = False

    def add(self, packet: RtpPacket) -> tuple[bool, JitterFrame | None]:
        # Scanning on every packet is quadratic in a frame's packet count; only a marked
        # packet, one of a new frame, one that fills a gap, or a gap grown old can complete
        # (or end) a frame.
        filler = self._newest is not None and _before(packet.sequence_number, self._newest)
        if self._newest is None or not filler:
            self._newest = packet.sequence_number
        stale_gap = (
            self._gap_since is not None and time.monotonic() - self._gap_since > self.gap_timeout
        )
        self._scan = bool(packet.marker) or filler or stale_gap or self._starts_new_frame(packet)
        pli, frame = super().add(packet)
        if self._want_keyframe:
            self._want_keyframe, pli = False, True
        return pli, frame

    def _starts_new_frame(self, packet: RtpPacket) -> bool:
        first = self.packet_at(0)
        return first is not None and first.timestamp != packet.timestamp

    def release_frame(self, sequence_number: int) -> JitterFrame | None:
        if not self._scan:
            return None
        packets: list[RtpPacket] = []
        for count in range(self.capacity):
            packet = self.packet_at(count)
            if packet is None:
                return self._at_gap(count)
            if packets and packet.timestamp != packets[0].timestamp:
                # The marked packet of the previous frame was lost: complete by timestamp.
                return self._take(packets, count)
            packets.append(packet)
            if packet.marker:
                return self._take(packets, count + 1)
        return None

    def _at_gap(self, count: int) -> JitterFrame | None:
        """A packet is missing; give up on its frame once the gap is older than allowed."""
        missing = ((self.origin() or 0) + count) & 0xFFFF
        if self._newest is None or not _before(missing, self._newest):
            self._gap_since = None  # nothing after it has arrived: not lost, just not yet here
            return None
        now = time.monotonic()
        if self._gap_since is None:
            self._gap_since = now
            return None
        if now - self._gap_since <= self.gap_timeout:
            return None
        self._gap_since = None
        self._want_keyframe = True
        self.frames_dropped += 1
        log.info(
            "frame dropped: a packet stayed missing; asking for a keyframe",
            extra={"frames_dropped": self.frames_dropped},
        )
        self._drop_through_next_marker()
        return self.release_frame(self.origin() or 0)

    def _drop_through_next_marker(self) -> None:
        for count in range(self.capacity):
            packet = self.packet_at(count)
            if packet is not None and packet.marker:
                self.remove(count + 1)
                return
        self.remove(self.capacity)

    def _take(self, packets: list[RtpPacket], count: int) -> JitterFrame:
        self._gap_since = None
        self.remove(count)
        data = b"".join(rtp_payload(p) for p in packets)
        return JitterFrame(data=data, timestamp=packets[0].timestamp)


def _before(a: int, b: int) -> bool:
    """Sequence number ``a`` comes before ``b`` (16-bit wrap-around)."""
    return a != b and ((b - a) & 0xFFFF) < 0x8000


def use_marker_jitter_buffer(receiver: RTCRtpReceiver) -> bool:
    """Swap the buffer in; False (and aiortc's own behaviour) if aiortc changed inside."""
    if not replace_jitter_buffer(receiver, MarkerJitterBuffer()):
        log.warning("aiortc receiver has no jitter buffer attribute; keeping its own")
        return False
    return True
