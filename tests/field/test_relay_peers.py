"""The packaged coturn configuration refuses to relay into the organisation's network.

A real coturn runs from ``packaging/coturn/turnserver.conf`` as it ships, narrowed only to
loopback and, unlike the other tests' coturn, without allowing loopback peers: what is
checked is the template's own list. For each peer address a client with issued credentials
asks coturn for a channel to it (TURN ChannelBind): 403 is a refused peer, success an allowed
one. IPv6 peers need an IPv6 allocation (coturn answers 443 for a family mismatch before it
looks at the peer), so a second coturn listens on ``::1``.
"""

from __future__ import annotations

import asyncio
import ipaddress

import pytest
from aioice import stun
from aioice.turn import UDP_TRANSPORT, TurnClientUdpProtocol

from devtools.turn_server import TurnServer, start_turn_server
from signaling.turn import IceServerIssuer

# RFC 6156: REQUESTED-ADDRESS-FAMILY, 0x02 for IPv6 then three reserved bytes.
REQUESTED_ADDRESS_FAMILY = (
    0x0017, "REQUESTED-ADDRESS-FAMILY", stun.pack_unsigned, stun.unpack_unsigned,
)  # fmt: skip
IPV6 = 0x02000000

REFUSED_V4 = [
    "0.0.0.1", "10.0.0.1", "100.64.0.1", "127.0.0.1", "169.254.169.254", "172.16.0.1",
    "192.0.0.8", "192.168.1.1", "198.18.0.1", "198.19.255.254", "240.0.0.1",
]  # fmt: skip
REFUSED_V6 = [
    "::1", "::ffff:10.0.0.1", "64:ff9b::a00:1", "64:ff9b:1::a00:1", "2002:7f00:1::1",
    "fc00::1", "fd12:3456::1", "fe80::1",
]  # fmt: skip
# Public addresses (documentation ranges, which coturn has no reason to refuse).
ALLOWED = ["203.0.113.5", "2001:db8::5"]


@pytest.fixture
def address_family_attribute(monkeypatch):
    """aioice does not name the attribute an IPv6 allocation needs; for this test only."""
    monkeypatch.setitem(
        stun.ATTRIBUTES_BY_NAME, REQUESTED_ADDRESS_FAMILY[1], REQUESTED_ADDRESS_FAMILY
    )
    monkeypatch.setitem(
        stun.ATTRIBUTES_BY_TYPE, REQUESTED_ADDRESS_FAMILY[0], REQUESTED_ADDRESS_FAMILY
    )


async def _answers(turn: TurnServer, peers: list[str]) -> dict[str, int]:
    """coturn's answer to a channel to each peer: 0 when granted, else the STUN error code."""
    [server] = IceServerIssuer([turn.url], turn.secret, 600).for_user("peer-check")
    _, client = await asyncio.get_running_loop().create_datagram_endpoint(
        lambda: TurnClientUdpProtocol(
            (turn.address, turn.port), server.username, server.credential, 600, 300
        ),
        remote_addr=(turn.address, turn.port),
    )
    try:
        allocate = stun.Message(
            message_method=stun.Method.ALLOCATE, message_class=stun.Class.REQUEST
        )
        allocate.attributes["LIFETIME"] = 600
        allocate.attributes["REQUESTED-TRANSPORT"] = UDP_TRANSPORT
        if ":" in turn.address:
            allocate.attributes["REQUESTED-ADDRESS-FAMILY"] = IPV6
        await client.request_with_retry(allocate)
        answers = {}
        for number, peer in enumerate(peers, start=0x4000):
            try:
                await client.channel_bind(number, (peer, 9))
                answers[peer] = 0
            except stun.TransactionFailed as exc:
                answers[peer] = exc.response.error_code
        return answers
    finally:
        client.transport.close()


@pytest.mark.parametrize(("address", "refused"), [("127.0.0.1", REFUSED_V4), ("::1", REFUSED_V6)])
async def test_the_packaged_configuration_refuses_every_internal_peer(
    tmp_path, address_family_attribute, address, refused
):
    turn = start_turn_server(tmp_path / "turn", address=address, loopback_peers=False)
    try:
        allowed = [
            a for a in ALLOWED if ipaddress.ip_address(a).version == (6 if ":" in address else 4)
        ]
        answers = await _answers(turn, refused + allowed)
    finally:
        turn.stop()
    assert {peer: answers[peer] for peer in refused} == dict.fromkeys(refused, 403)
    assert {peer: answers[peer] for peer in allowed} == dict.fromkeys(allowed, 0)
