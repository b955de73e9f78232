"""Codec choice: H.264 first (the capture track encodes it itself), VP8 after.

The answerer keeps the offer's order, so the offering side (the helper) states the
preference; a sharer that cannot encode H.264 still meets it on VP8.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from aiortc import RTCRtpSender, RTCRtpTransceiver
from aiortc.sdp import SessionDescription

PREFERRED = ("video/H264", "video/VP8")


@runtime_checkable
class EncodesH264(Protocol):
    """A track that hands aiortc finished H.264 packets once told H.264 was negotiated."""

    def encode_h264(self, sender: RTCRtpSender | None = None) -> None: ...


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
