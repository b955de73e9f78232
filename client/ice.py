"""The peer connection's ICE configuration: the organisation's servers and nothing else.

aiortc falls back to Google's public STUN server when a configuration has no ``iceServers``
at all, so the list is always given, empty when the server hands out none.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Literal

from aiortc import RTCConfiguration, RTCIceServer, RTCPeerConnection
from aiortc.rtcconfiguration import RTCIceTransportPolicy

from common.protocol import IceServer

log = logging.getLogger(__name__)

IcePolicy = Literal["all", "relay"]


def rtc_configuration(servers: Sequence[IceServer], policy: IcePolicy) -> RTCConfiguration:
    if policy == "relay" and not any(
        url.startswith("turn") for server in servers for url in server.urls
    ):
        log.warning("relay-only ICE policy but the server offers no TURN server: cannot connect")
    return RTCConfiguration(
        iceServers=[
            RTCIceServer(urls=list(s.urls), username=s.username, credential=s.credential)
            for s in servers
        ],
        iceTransportPolicy=RTCIceTransportPolicy(policy),
    )


def is_relayed(pc: RTCPeerConnection) -> bool:
    """Whether the selected candidate pair goes through a TURN server on either end.

    aiortc 1.16 has no ``getSelectedCandidatePair`` nor candidate-pair stats, so this reads
    aioice's nominated pair; if a later version moves it, the answer is False, never a crash.
    """
    sctp = pc.sctp
    if sctp is None:
        return False
    connection = getattr(sctp.transport.transport, "_connection", None)
    pair = getattr(connection, "_nominated", {}).get(1)
    if pair is None:
        return False
    return "relay" in (pair.local_candidate.type, pair.remote_candidate.type)
