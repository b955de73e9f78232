"""Codec negotiation between our two apps: the helper says what its H.264 decoder takes."""

from __future__ import annotations

from aiortc import RTCPeerConnection, RTCSessionDescription

from client.media.codecs import (
    OUR_HELPER,
    H264Decoding,
    negotiated_video_codec,
    offer_decoding,
    offered_decoding,
    prefer_codecs,
)


async def _answer_to(marked: bool) -> tuple[H264Decoding, str | None]:
    """What a real aiortc answerer makes of the helper's offer, with and without the mark."""
    helper, sharer = RTCPeerConnection(), RTCPeerConnection()
    try:
        prefer_codecs(helper.addTransceiver("video", direction="recvonly"))
        await helper.setLocalDescription(await helper.createOffer())
        offer = helper.localDescription.sdp
        if marked:
            offer = offer_decoding(offer)
        await sharer.setRemoteDescription(RTCSessionDescription(sdp=offer, type="offer"))
        await sharer.setLocalDescription(await sharer.createAnswer())
        await helper.setRemoteDescription(sharer.localDescription)
        return (
            offered_decoding(sharer.remoteDescription.sdp),
            negotiated_video_codec(sharer.localDescription.sdp),
        )
    finally:
        await helper.close()
        await sharer.close()


async def test_a_marked_offer_says_full_colour_and_gears_and_still_settles_on_h264():
    assert await _answer_to(marked=True) == (OUR_HELPER, "video/H264")


async def test_an_unmarked_offer_gets_what_aiortc_decodes_as_before():
    assert await _answer_to(marked=False) == (H264Decoding(), "video/H264")
