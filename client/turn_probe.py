"""Finding a TURN URL that works on this network before the peer connection is made.

aiortc uses only the first TURN URL and never falls back to the next (see ``client.ice``).
When the organisation hands out several (say TURN over UDP on 3478 and TURN over TLS on 443
for networks that let only HTTPS out), each is tried in the preferred order with a real
allocation, as ICE itself would make one, and the first that gets a relay address is the one
the peer connection is given. With one TURN URL or none there is nothing to choose: no probe.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence

from aioice import turn
from aiortc.rtcicetransport import parse_stun_turn_uri

from client.ice import preference
from common.protocol import IceServer

log = logging.getLogger(__name__)


def _one_per_url(servers: Sequence[IceServer]) -> list[IceServer]:
    entries = [
        IceServer(urls=[url], username=s.username, credential=s.credential)
        for s in servers
        for url in s.urls
    ]
    return sorted(entries, key=lambda entry: preference(entry.urls[0]))


async def _allocates(server: IceServer, wait_seconds: float) -> bool:
    url = server.urls[0]
    try:
        parsed = parse_stun_turn_uri(url)
        transport, _ = await asyncio.wait_for(
            turn.create_turn_endpoint(
                asyncio.DatagramProtocol,
                server_addr=(parsed["host"], parsed["port"]),
                username=server.username,
                password=server.credential,
                ssl=parsed["scheme"] == "turns",
                transport=parsed["transport"],
            ),
            wait_seconds,
        )
    except Exception as exc:  # refused, unreachable, timed out, bad certificate: not this one
        log.info("TURN server %s gave no relay address: %s", url, type(exc).__name__)
        return False
    transport.close()
    return True


async def usable_turn_first(servers: Sequence[IceServer], wait_seconds: float) -> list[IceServer]:
    """The ICE servers with only the first TURN URL that allocates, or all of them in the
    preferred order when none does (ICE then fails as it would have, and says so)."""
    entries = _one_per_url(servers)
    relays = [e for e in entries if e.urls[0].startswith("turn")]
    if len(relays) < 2:
        return entries
    others = [e for e in entries if e not in relays]
    for relay in relays:
        if await _allocates(relay, wait_seconds):
            return [*others, relay]
    log.warning("no TURN server gave a relay address; relayed connections will fail")
    return entries
