"""Relayed media through the organisation's coturn, and no ICE server it did not configure.

coturn runs from the packaging template on loopback; the apps are real headless processes
and the sharer captures and injects on the suite's Xvfb display.
"""

from __future__ import annotations

import asyncio
import re
import socket

import pytest
from aioice import stun, turn

from client.ice import rtc_configuration
from client.settings import AppSettings
from client.turn_probe import usable_turn_first
from common.protocol import IceServer
from devtools.certificates import issue_server_certificate, make_authority
from devtools.headless import HeadlessApp
from devtools.server import start_server
from devtools.turn_server import start_turn_server
from devtools.waiting import wait_until
from signaling.turn import IceServerIssuer, turn_password

HELPER = "alice@contoso.example"
SHARER = "bob@contoso.example"


async def _allocate(server, username: str, password: str) -> tuple[str, int]:
    """Ask coturn for a relay address, as aioice does for a relayed candidate."""
    transport, _ = await turn.create_turn_endpoint(
        asyncio.DatagramProtocol,
        server_addr=("127.0.0.1", server.port),
        username=username,
        password=password,
        lifetime=600,
        channel_refresh_time=300,
    )
    try:
        return transport.get_extra_info("sockname")
    finally:
        transport.close()


def test_coturn_takes_issued_credentials_and_refuses_wrong_or_expired_ones(turn_server):
    issuer = IceServerIssuer([turn_server.url], turn_server.secret, lifetime_seconds=3600)
    (issued,) = issuer.for_user("oid-1")
    assert issued.username and issued.credential
    host, _ = asyncio.run(_allocate(turn_server, issued.username, issued.credential))
    assert host == "127.0.0.1"

    wrong = turn_password(b"not the secret", issued.username)
    with pytest.raises(stun.TransactionFailed, match="401"):
        asyncio.run(_allocate(turn_server, issued.username, wrong))

    past = IceServerIssuer([turn_server.url], turn_server.secret, 3600, clock=lambda: 0.0)
    (expired,) = past.for_user("oid-1")
    assert expired.username and expired.credential
    with pytest.raises(stun.TransactionFailed, match="401"):
        asyncio.run(_allocate(turn_server, expired.username, expired.credential))


def _candidates(sdp: str) -> list[str]:
    return re.findall(r"^a=candidate:.*$", sdp, flags=re.MULTILINE)


async def _gather(servers: list[IceServer], policy: str):
    from aiortc import RTCPeerConnection

    pc = RTCPeerConnection(rtc_configuration(servers, policy))  # type: ignore[arg-type]
    pc.createDataChannel("control")
    await pc.setLocalDescription(await pc.createOffer())
    connection = pc.sctp.transport.transport.iceGatherer._connection
    used = (connection.stun_server, connection.turn_server)
    sdp = pc.localDescription.sdp
    await pc.close()
    return used, sdp


def test_no_ice_server_is_contacted_unless_configured():
    (stun, turn_addr), sdp = asyncio.run(_gather([], "all"))
    # aiortc's default would be stun.l.google.com:19302.
    assert (stun, turn_addr) == (None, None)
    candidates = _candidates(sdp)
    assert candidates and all(" typ host" in c for c in candidates)


def test_relay_policy_gathers_only_the_configured_turn_relay(turn_server):
    issuer = IceServerIssuer([turn_server.url], turn_server.secret, lifetime_seconds=3600)
    (stun, turn_addr), sdp = asyncio.run(_gather(issuer.for_user("oid-1"), "relay"))
    assert stun is None and turn_addr == ("127.0.0.1", turn_server.port)
    candidates = _candidates(sdp)
    assert candidates and all(" typ relay" in c and " 127.0.0.1 " in c for c in candidates)


@pytest.mark.display
def test_relayed_session_carries_frames_and_input_and_says_relayed(
    tmp_path, dev_identity_file, turn_server, xvfb_display
):
    from tests.display_tools import xdotool_mouse_location

    server = start_server(
        dev_identity_file,
        tmp_path / "server-data",
        args=["--turn-url", turn_server.url, "--turn-secret-file", str(turn_server.secret_file)],
    )
    relay = {"HELPLINE_ICE_POLICY": "relay"}
    apps: list[HeadlessApp] = []
    try:
        helper = HeadlessApp("helper_app", "--server", server.url, "--user", HELPER, env=relay)
        apps.append(helper)
        code = helper.wait_for("code")["code"]
        sharer = HeadlessApp(
            "sharer_app",
            *("--server", server.url, "--user", SHARER, "--code", code, "--consent", "control"),
            env=relay,
        )
        apps.append(sharer)
        assert helper.wait_for("connected")["relayed"] is True
        assert sharer.wait_for("connected")["relayed"] is True
        stats = helper.wait_for("stats", timeout=60)
        while stats["frames"] == 0:
            stats = helper.wait_for("stats")
        assert stats["relayed"] is True

        helper.send("mouse_move", x=0.25, y=0.75)
        wait_until(
            lambda: xdotool_mouse_location(xvfb_display) == (320, 600),
            "input arrived through the relay",
        )
    finally:
        for app in apps:
            app.close()
        server.stop()


@pytest.mark.display
def test_a_direct_session_says_it_is_not_relayed(shared_server, xvfb_display):
    helper = HeadlessApp("helper_app", "--server", shared_server.url, "--user", HELPER)
    code = helper.wait_for("code")["code"]
    sharer = HeadlessApp(
        "sharer_app",
        *("--server", shared_server.url, "--user", SHARER, "--code", code),
        *("--consent", "view"),
    )
    try:
        assert helper.wait_for("connected")["relayed"] is False
        assert sharer.wait_for("connected")["relayed"] is False
        assert helper.wait_for("stats")["relayed"] is False
    finally:
        helper.close()
        sharer.close()


def test_turn_over_udp_comes_first_because_aiortc_uses_only_one_turn_url(turn_server):
    """The server may list turns: first (as the deployment template does); aiortc would then
    never try the UDP relay, which most networks allow and which costs least."""
    issuer = IceServerIssuer(
        ["turns:127.0.0.1:1?transport=tcp", "turn:127.0.0.1:2?transport=tcp", turn_server.url],
        turn_server.secret,
        lifetime_seconds=3600,
    )
    (_, turn_addr), sdp = asyncio.run(_gather(issuer.for_user("oid-1"), "relay"))
    assert turn_addr == ("127.0.0.1", turn_server.port)
    assert any(" typ relay" in c for c in _candidates(sdp))


def test_the_probe_skips_a_dead_relay_for_the_next_that_allocates(turn_server):
    dead = f"turn:127.0.0.1:{_unused_udp_port()}?transport=udp"
    over_tcp = f"turn:127.0.0.1:{turn_server.port}?transport=tcp"
    issuer = IceServerIssuer([over_tcp, dead], turn_server.secret, lifetime_seconds=3600)
    # The apps' own patience per relay: the dead one uses it all, the live one answers.
    patience = AppSettings().turn_probe_seconds
    chosen = asyncio.run(usable_turn_first(issuer.for_user("oid-1"), wait_seconds=patience))
    assert [s.urls for s in chosen] == [[over_tcp]]
    assert chosen[0].username and chosen[0].credential


@pytest.fixture
def tls_turn_server(tmp_path):
    """coturn speaking only TURN over TLS on its port, with a certificate from a test CA."""
    ca = make_authority(tmp_path / "turn-pki", "Helpline TURN Test CA")
    chain, key = issue_server_certificate(ca, tmp_path / "turn-pki")
    server = start_turn_server(tmp_path / "turns", tls=(chain, key))
    yield server, ca.cert_file
    server.stop()


def _unused_udp_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.display
@pytest.mark.parametrize("dead_udp_relay", [False, True], ids=["turns-alone", "udp-dead-first"])
def test_a_turns_url_relays_a_session_alone_or_when_the_udp_relay_fails(
    tmp_path, dev_identity_file, tls_turn_server, xvfb_display, dead_udp_relay
):
    """aiortc would use only the UDP relay it is given first; the apps probe it, find it
    dead (as on a network that lets only HTTPS out) and give the TLS one instead."""
    turns, ca_file = tls_turn_server
    assert turns.url.startswith("turns:")
    urls = [turns.url]
    if dead_udp_relay:
        urls.append(f"turn:127.0.0.1:{_unused_udp_port()}?transport=udp")
    server = start_server(
        dev_identity_file,
        tmp_path / "server-data",
        args=[
            *(arg for url in urls for arg in ("--turn-url", url)),
            *("--turn-secret-file", str(turns.secret_file)),
        ],
    )
    # aioice checks the TURN server's certificate against the system store; this CA is the
    # test's, so the apps' store is pointed at it.
    env = {"HELPLINE_ICE_POLICY": "relay", "SSL_CERT_FILE": str(ca_file)}
    apps: list[HeadlessApp] = []
    try:
        helper = HeadlessApp("helper_app", "--server", server.url, "--user", HELPER, env=env)
        apps.append(helper)
        code = helper.wait_for("code")["code"]
        sharer = HeadlessApp(
            "sharer_app",
            *("--server", server.url, "--user", SHARER, "--code", code, "--consent", "view"),
            env=env,
        )
        apps.append(sharer)
        assert helper.wait_for("connected")["relayed"] is True
        assert sharer.wait_for("connected")["relayed"] is True
        stats = helper.wait_for("stats")
        while stats["frames"] == 0:
            stats = helper.wait_for("stats")
        assert stats["relayed"] is True
    finally:
        for app in apps:
            app.close()
        server.stop()
