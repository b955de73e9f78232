"""Codec choice: H.264 first (the capture track encodes it itself), VP8 after.

The answerer keeps the offer's order, so the offering side (the helper) states the
preference; a sharer that cannot encode H.264 still meets it on VP8.

The helper decodes with libavcodec, which takes High 4:4:4 Predictive as readily as the
Constrained Baseline that aiortc's H.264 offers name. SDP has no way to say "and more"
short of a profile aiortc would refuse to match, so the helper's offer carries more format
parameters on its H.264 formats (``H264Decoding``): ``FULL_CHROMA_PARAMETER`` for 4:4:4 and
``GEARS_PARAMETER`` for one decoder per encoder gear. A sharer uses each only when the
offer has it. Other receivers ignore unknown parameters (RFC 4855), and an older helper,
without them, gets 4:2:0 and a keyframe at each change of gear, as before.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from aiortc import RTCRtpSender, RTCRtpTransceiver
from aiortc.sdp import SessionDescription

PREFERRED = ("video/H264", "video/VP8")
FULL_CHROMA_PARAMETER = "x-helpline-chroma"
FULL_CHROMA_VALUE = "444"
GEARS_PARAMETER = "x-helpline-gears"
GEARS_VALUE = "2"
# What a full-colour sharp frame is encoded from and decodes to (motion frames stay 4:2:0).
FULL_CHROMA_FORMAT = "yuv444p"


@runtime_checkable
class EncodesH264(Protocol):
    """A track that hands aiortc finished H.264 packets once told H.264 was negotiated."""

    def encode_h264(
        self, sender: RTCRtpSender | None = None, decoding: H264Decoding | None = None
    ) -> None: ...


def prefer_codecs(transceiver: RTCRtpTransceiver, order: tuple[str, ...] = PREFERRED) -> None:
    capabilities = RTCRtpSender.getCapabilities("video")
    if capabilities is None:
        return
    chosen = [c for mime in order for c in capabilities.codecs if c.mimeType == mime]
    retransmission = [c for c in capabilities.codecs if c.mimeType == "video/rtx"]
    transceiver.setCodecPreferences(chosen + retransmission)


def negotiated_video_codec(sdp: str) -> str | None:
    """The codec a session description settled on for video (its first), e.g. "video/H264"."""
    for media in SessionDescription.parse(sdp).media:
        if media.kind == "video" and media.rtp.codecs:
            return media.rtp.codecs[0].mimeType
    return None


@dataclass(frozen=True)
class H264Decoding:
    """What the receiving side's H.264 decoder takes beyond aiortc's Constrained Baseline."""

    # High 4:4:4 Predictive: sharp frames keep every pixel's colour.
    full_chroma: bool = False
    # One decoder per parameter set id (``client.media.gear_decoder``): the motion gear goes
    # on from its own last frame after a sharp still.
    separate_gears: bool = False


OUR_HELPER = H264Decoding(full_chroma=True, separate_gears=True)


def offer_decoding(sdp: str, decoding: H264Decoding = OUR_HELPER) -> str:
    """The offer, saying on each H.264 format what this side's decoder takes."""
    description = SessionDescription.parse(sdp)
    for media in description.media:
        for codec in media.rtp.codecs:
            if codec.mimeType == "video/H264":
                if decoding.full_chroma:
                    codec.parameters[FULL_CHROMA_PARAMETER] = FULL_CHROMA_VALUE
                if decoding.separate_gears:
                    codec.parameters[GEARS_PARAMETER] = GEARS_VALUE
    return str(description)


def offered_decoding(offer_sdp: str) -> H264Decoding:
    """What the offering side said its H.264 decoder takes (``offer_decoding``)."""
    h264 = [
        codec.parameters
        for media in SessionDescription.parse(offer_sdp).media
        for codec in media.rtp.codecs
        if codec.mimeType == "video/H264"
    ]
    return H264Decoding(
        full_chroma=any(p.get(FULL_CHROMA_PARAMETER) == FULL_CHROMA_VALUE for p in h264),
        separate_gears=any(str(p.get(GEARS_PARAMETER)) == GEARS_VALUE for p in h264),
    )
