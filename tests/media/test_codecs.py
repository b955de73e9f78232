"""Codec negotiation between our two apps: the helper says it decodes H.264 4:4:4."""

from __future__ import annotations

from aiortc import RTCPeerConnection, RTCSessionDescription

from client.media.codecs import (
    decodes_full_chroma,
    negotiated_video_codec,
    offer_full_chroma,
    prefer_codecs,
)


async def _answer_to(full_chroma: bool) -> tuple[bool, str | None]:
    """What a real aiortc answerer makes of the helper's offer, with and without the mark."""
    helper, sharer = RTCPeerConnection(), RTCPeerConnection()
    try:
        prefer_codecs(helper.addTransceiver("video", direction="recvonly"))
        await helper.setLocalDescription(await helper.createOffer())
        offer = helper.localDescription.sdp
        if full_chroma:
            offer = offer_full_chroma(offer)
        await sharer.setRemoteDescription(RTCSessionDescription(sdp=offer, type="offer"))
        await sharer.setLocalDescription(await sharer.createAnswer())
        await helper.setRemoteDescription(sharer.localDescription)
        return (
            decodes_full_chroma(sharer.remoteDescription.sdp),
            negotiated_video_codec(sharer.localDescription.sdp),
        )
    finally:
        await helper.close()
        await sharer.close()


async def test_a_marked_offer_says_full_colour_and_still_settles_on_h264():
    assert await _answer_to(full_chroma=True) == (True, "video/H264")


async def test_an_unmarked_offer_gets_420_as_before():
    assert await _answer_to(full_chroma=False) == (False, "video/H264")
