"""The helper's decoder per encoder gear, on real libx264 streams."""

from __future__ import annotations

import fractions

import av
import numpy as np
from aiortc.jitterbuffer import JitterFrame

from client.media.gear_decoder import GearDecoder, parameter_set_id


def _stream(sps_id: int, frames: int = 3, pix_fmt: str = "yuv420p") -> list[bytes]:
    codec = av.CodecContext.create("libx264", "w")
    codec.width, codec.height, codec.pix_fmt = 320, 240, pix_fmt
    codec.time_base = fractions.Fraction(1, 90_000)
    codec.options = {
        "preset": "ultrafast",
        "tune": "zerolatency",
        "x264-params": f"sps-id={sps_id}:keyint=infinite",
    }
    rng = np.random.default_rng(sps_id)
    out = []
    for pts in range(frames):
        rgb = rng.integers(0, 255, (240, 320, 3), dtype=np.uint8)
        frame = av.VideoFrame.from_ndarray(rgb, format="rgb24").reformat(format=pix_fmt)
        frame.pts = pts
        out += [bytes(p) for p in codec.encode(frame)]
    return out


def test_the_id_is_read_from_keyframes_and_from_later_slices():
    assert [parameter_set_id(unit) for unit in _stream(0)] == [0, 0, 0]
    assert [parameter_set_id(unit) for unit in _stream(1)] == [1, 1, 1]
    assert [parameter_set_id(unit) for unit in _stream(7)] == [7, 7, 7]


def test_anything_unreadable_goes_to_the_first_decoder():
    assert parameter_set_id(b"") == 0
    assert parameter_set_id(b"\x00\x00\x01\x67") == 0  # a truncated SPS
    assert parameter_set_id(b"\x00\x00\x00\x01\x61" + b"\x00" * 20) == 0  # bad Exp-Golomb


def test_two_interleaved_streams_each_keep_their_references():
    motion, sharp = _stream(0, 4), _stream(1, 2, "yuv444p")
    decoder = GearDecoder()
    units = [motion[0], motion[1], sharp[0], sharp[1], motion[2], motion[3]]
    shown = [decoder.decode(JitterFrame(unit, pts)) for pts, unit in enumerate(units)]
    formats = [frames[0].format.name for frames in shown]
    assert formats == ["yuv420p", "yuv420p", "yuv444p", "yuv444p", "yuv420p", "yuv420p"]
    assert not shown[4][0].key_frame, "motion went on from its own last frame"


def test_ids_other_than_the_two_gears_share_the_first_decoder():
    decoder = GearDecoder()
    for pts, unit in enumerate(_stream(7, 2) + _stream(9, 1)):
        decoder.decode(JitterFrame(unit, pts))
    assert len(decoder._codecs) == 1, "a peer's made-up ids cannot multiply decoders"
