"""The peer connection's ICE configuration: the organisation's servers and nothing else.

aiortc falls back to Google's public STUN server when a configuration has no ``iceServers``
at all, so the list is always given, empty when the server hands out none.

aiortc (through aioice) uses only the first STUN URL and the first TURN URL it can use, and
cannot fall back to another when that one fails. So the URLs are put in the order that serves
most networks first: TURN over UDP (the cheapest relay, and what coturn's 3478 answers), then
TURN over TCP, then TURN over TLS (``turns:``, for networks that let only HTTPS out). A
``turns:`` URL is used when it is the only TURN URL given; with several, ``client.turn_probe``
finds the first that works on this network before the peer connection is made.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Literal

from aiortc import RTCConfiguration, RTCIceServer, RTCPeerConnection
from aiortc.rtcconfiguration import RTCIceTransportPolicy

from client.media.aiortc_internals import nominated_candidate_types
from common.protocol import IceServer

log = logging.getLogger(__name__)

IcePolicy = Literal["all", "relay"]


def preference(url: str) -> int:
    """Lower first: STUN, then TURN over UDP, over TCP, over TLS."""
    if url.startswith("stun"):
        return 0
    if url.startswith("turns:"):
        return 3
    return 2 if "transport=tcp" in url.lower() else 1


def ordered_servers(servers: Sequence[IceServer]) -> list[RTCIceServer]:
    """One entry per URL (each keeps its credentials), most useful first, else as given."""
    entries = [
        (url, RTCIceServer(urls=[url], username=s.username, credential=s.credential))
        for s in servers
        for url in s.urls
    ]
    return [entry for _, entry in sorted(entries, key=lambda item: preference(item[0]))]


def rtc_configuration(servers: Sequence[IceServer], policy: IcePolicy) -> RTCConfiguration:
    if policy == "relay" and not any(
        url.startswith("turn") for server in servers for url in server.urls
    ):
        log.warning("relay-only ICE policy but the server offers no TURN server: cannot connect")
    return RTCConfiguration(
        iceServers=ordered_servers(servers),
        iceTransportPolicy=RTCIceTransportPolicy(policy),
    )


def is_relayed(pc: RTCPeerConnection) -> bool:
    """Whether the selected candidate pair goes through a TURN server on either end.

    aiortc 1.16 has no ``getSelectedCandidatePair`` nor candidate-pair stats, so this reads
    aioice's nominated pair; if a later version moves it, the answer is False, never a crash.
    """
    types = nominated_candidate_types(pc)
    return types is not None and "relay" in types
