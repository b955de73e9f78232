"""Codec choice: H.264 first (aiortc drives libx264 with the zero-latency tune), VP8 after.

The answerer keeps the offer's order, so the offering side (the helper) states the
preference; a sharer that cannot encode H.264 still meets it on VP8.
"""

from __future__ import annotations

from aiortc import RTCRtpSender, RTCRtpTransceiver

PREFERRED = ("video/H264", "video/VP8")


def prefer_codecs(transceiver: RTCRtpTransceiver, order: tuple[str, ...] = PREFERRED) -> None:
    capabilities = RTCRtpSender.getCapabilities("video")
    if capabilities is None:
        return
    chosen = [c for mime in order for c in capabilities.codecs if c.mimeType == mime]
    retransmission = [c for c in capabilities.codecs if c.mimeType == "video/rtx"]
    transceiver.setCodecPreferences(chosen + retransmission)
