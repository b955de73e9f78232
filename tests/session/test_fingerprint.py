from aiortc import RTCPeerConnection

from client.session.fingerprint import card_fingerprint, matches_card, sdp_fingerprints


async def _offer_sdp() -> tuple[RTCPeerConnection, str]:
    pc = RTCPeerConnection()
    pc.addTransceiver("video", direction="recvonly")
    pc.createDataChannel("control")
    offer = await pc.createOffer()
    return pc, offer.sdp


async def test_an_offer_matches_the_card_made_from_the_same_peer():
    pc, sdp = await _offer_sdp()
    try:
        card = card_fingerprint(sdp)
        # Every fingerprint line of the SDP, read here independently, and nothing else.
        lines = [line for line in sdp.splitlines() if line.startswith("a=fingerprint:")]
        assert lines, "aiortc offers carry DTLS fingerprints"
        expected = sorted(
            f"{alg.lower()} {value.upper()}"
            for alg, value in (line.removeprefix("a=fingerprint:").split() for line in lines)
        )
        assert card.split(",") == sorted(set(expected))
        assert all(entry.startswith("sha-") for entry in card.split(","))
        # The offer made later for the same peer still matches (same certificate).
        await pc.setLocalDescription(await pc.createOffer())
        assert matches_card(pc.localDescription.sdp, card)
    finally:
        await pc.close()


async def test_another_peer_does_not_match():
    pc1, sdp1 = await _offer_sdp()
    pc2, sdp2 = await _offer_sdp()
    try:
        assert not matches_card(sdp2, card_fingerprint(sdp1))
    finally:
        await pc1.close()
        await pc2.close()


async def test_one_extra_fingerprint_is_enough_to_refuse():
    pc1, sdp1 = await _offer_sdp()
    pc2, sdp2 = await _offer_sdp()
    try:
        card = card_fingerprint(sdp1)
        foreign = next(line for line in sdp2.splitlines() if line.startswith("a=fingerprint:"))
        spliced = sdp1.replace("a=fingerprint:", foreign + "\r\na=fingerprint:", 1)
        assert len(sdp_fingerprints(spliced)) == len(sdp_fingerprints(sdp1)) + 1
        assert not matches_card(spliced, card)
    finally:
        await pc1.close()
        await pc2.close()


def test_an_empty_card_matches_nothing():
    assert not matches_card("a=fingerprint:sha-256 AA:BB\r\n", "")
