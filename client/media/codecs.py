"""Codec choice: H.264 first (the capture track encodes it itself), VP8 after.

The answerer keeps the offer's order, so the offering side (the helper) states the
preference; a sharer that cannot encode H.264 still meets it on VP8.

The helper decodes with libavcodec, which takes High 4:4:4 Predictive as readily as the
Constrained Baseline that aiortc's H.264 offers name. SDP has no way to say "and more"
short of a profile aiortc would refuse to match, so the helper's offer carries one more
format parameter on its H.264 formats, ``FULL_CHROMA_PARAMETER``; a sharer sends its sharp
pictures in 4:4:4 only when the offer has it. Other receivers ignore an unknown parameter
(RFC 4855), and an older helper, without it, gets 4:2:0 as before.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from aiortc import RTCRtpSender, RTCRtpTransceiver
from aiortc.sdp import SessionDescription

PREFERRED = ("video/H264", "video/VP8")
FULL_CHROMA_PARAMETER = "x-helpline-chroma"
FULL_CHROMA_VALUE = "444"
# What a full-colour sharp frame is encoded from and decodes to (motion frames stay 4:2:0).
FULL_CHROMA_FORMAT = "yuv444p"


@runtime_checkable
class EncodesH264(Protocol):
    """A track that hands aiortc finished H.264 packets once told H.264 was negotiated."""

    def encode_h264(
        self, sender: RTCRtpSender | None = None, *, full_chroma: bool = False
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


def offer_full_chroma(sdp: str) -> str:
    """The offer, saying on each H.264 format that this side decodes 4:4:4 too."""
    description = SessionDescription.parse(sdp)
    for media in description.media:
        for codec in media.rtp.codecs:
            if codec.mimeType == "video/H264":
                codec.parameters[FULL_CHROMA_PARAMETER] = FULL_CHROMA_VALUE
    return str(description)


def decodes_full_chroma(offer_sdp: str) -> bool:
    """Whether the offering side said it decodes H.264 4:4:4 (``offer_full_chroma``)."""
    return any(
        codec.mimeType == "video/H264"
        and codec.parameters.get(FULL_CHROMA_PARAMETER) == FULL_CHROMA_VALUE
        for media in SessionDescription.parse(offer_sdp).media
        for codec in media.rtp.codecs
    )
