"""The helper's H.264 decoder: one libavcodec decoder per gear of the sharer's encoder.

The sharer encodes moving frames and sharp stills with two encoder contexts (see
``client.media.screen_encoder``), each naming its own parameter set ids: 0 for motion,
``SHARP_PARAMETER_SET_ID`` for sharp. One decoder would have to drop the motion stream's
reference pictures at every sharp IDR, so the first change after a still spell would need a
fresh motion keyframe (about 50-200 KB of text at 1080p, tens of ms to encode, pace and
decode). Fed to a decoder of its own, each stream keeps its references, and the first
change is a motion P-frame of a few hundred bytes.

A frame is routed by the parameter set id its first NAL unit names (SPS, PPS or slice
header), so a stream from any other H.264 encoder (all ids 0) goes to one decoder, exactly
as with aiortc's own.
"""

from __future__ import annotations

from typing import cast

import av
from aiortc.codecs.base import Decoder
from aiortc.jitterbuffer import JitterFrame
from aiortc.mediastreams import VIDEO_TIME_BASE
from av.frame import Frame
from av.video.codeccontext import VideoCodecContext

SHARP_PARAMETER_SET_ID = 1
_START = b"\x00\x00\x01"
_SLICE, _IDR, _SPS, _PPS = 1, 5, 7, 8
# Enough of a NAL unit's start for the ids: a slice header's first three fields, or an SPS's
# three bytes of profile and level then its id.
_HEAD = 16


class _Bits:
    """Exp-Golomb reading (H.264 7.2) over a NAL unit's first bytes."""

    def __init__(self, data: bytes) -> None:
        self._value = int.from_bytes(data, "big")
        self._left = 8 * len(data)

    def bits(self, n: int) -> int:
        if n > self._left:
            raise ValueError("NAL unit header is truncated")
        self._left -= n
        return (self._value >> self._left) & ((1 << n) - 1)

    def ue(self) -> int:
        zeros = 0
        while self.bits(1) == 0:
            zeros += 1
            if zeros > 31:
                raise ValueError("bad Exp-Golomb code")
        return (1 << zeros) - 1 + self.bits(zeros)


def _unescaped(payload: bytes) -> bytes:
    """The RBSP: emulation prevention bytes (00 00 03) taken out."""
    return payload.replace(b"\x00\x00\x03", b"\x00\x00")


def parameter_set_id(access_unit: bytes) -> int:
    """The parameter set id of the first SPS, PPS or slice in an Annex B access unit
    (0 when it names none or cannot be read: the stream of an ordinary encoder)."""
    start = access_unit.find(_START)
    while start != -1:
        begin = start + len(_START)
        nal_type = access_unit[begin] & 0x1F if begin < len(access_unit) else 0
        head = _unescaped(access_unit[begin + 1 : begin + 1 + _HEAD])
        try:
            if nal_type == _SPS:
                bits = _Bits(head)
                bits.bits(24)  # profile_idc, constraint flags, level_idc
                return bits.ue()
            if nal_type == _PPS:
                return _Bits(head).ue()
            if nal_type in (_SLICE, _IDR):
                bits = _Bits(head)
                bits.ue()  # first_mb_in_slice
                bits.ue()  # slice_type
                return bits.ue()
        except ValueError:
            return 0
        start = access_unit.find(_START, begin)
    return 0


class GearDecoder(Decoder):
    """aiortc's H264Decoder, with one libavcodec context per parameter set id."""

    def __init__(self) -> None:
        self._codecs: dict[int, VideoCodecContext] = {}

    def decode(self, encoded_frame: JitterFrame) -> list[Frame]:
        # Two decoders at most, whatever ids a peer sends: the stream is network input.
        sharp = parameter_set_id(encoded_frame.data) == SHARP_PARAMETER_SET_ID
        gear = SHARP_PARAMETER_SET_ID if sharp else 0
        codec = self._codecs.get(gear)
        if codec is None:
            codec = cast(VideoCodecContext, av.CodecContext.create("h264", "r"))
            self._codecs[gear] = codec
        packet = av.Packet(encoded_frame.data)
        packet.pts = encoded_frame.timestamp
        packet.time_base = VIDEO_TIME_BASE
        return cast(list[Frame], codec.decode(packet))
