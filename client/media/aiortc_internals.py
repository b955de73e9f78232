"""Every reach into aiortc's private internals, in one place, each with a test against the
pinned aiortc (tests/media/test_aiortc_internals.py), so an aiortc upgrade breaks here first.
"""

from __future__ import annotations

import aiortc.rtcrtpreceiver
from aiortc.codecs.base import Decoder
from aiortc.rtcrtpparameters import RTCRtpCodecParameters

from client.media.gear_decoder import GearDecoder

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
