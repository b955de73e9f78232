"""Each reach into aiortc's internals, against the pinned aiortc."""

from __future__ import annotations

import aiortc.rtcrtpreceiver
from aiortc.codecs import get_capabilities
from aiortc.codecs.h264 import H264Decoder
from aiortc.codecs.vpx import Vp8Decoder
from aiortc.rtcrtpparameters import RTCRtpCodecParameters

from client.media.aiortc_internals import decode_h264_by_gear
from client.media.gear_decoder import GearDecoder


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
