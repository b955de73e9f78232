"""DTLS certificate fingerprints in SDP, the link between a signed card and a media peer.

aiortc lists one fingerprint per digest algorithm, and a DTLS stack may accept a peer whose
certificate matches any one of them; so the card carries all of them and an offer matches
only if its set is exactly the card's.
"""

from __future__ import annotations

import re

_FINGERPRINT = re.compile(r"^a=fingerprint:(\S+) ([0-9A-Fa-f:]+)\s*$", re.MULTILINE)


def sdp_fingerprints(sdp: str) -> frozenset[str]:
    """All fingerprints in an SDP, as ``algorithm HEX:HEX:...`` with the hex upper-cased."""
    return frozenset(f"{alg.lower()} {value.upper()}" for alg, value in _FINGERPRINT.findall(sdp))


def card_fingerprint(sdp: str) -> str:
    """The form a card carries: every fingerprint of the SDP, sorted, comma-separated."""
    return ",".join(sorted(sdp_fingerprints(sdp)))


def matches_card(sdp: str, card_value: str) -> bool:
    """True only if the SDP's fingerprints are exactly those the card was issued for."""
    if not card_value:
        return False
    return sdp_fingerprints(sdp) == frozenset(card_value.split(","))
