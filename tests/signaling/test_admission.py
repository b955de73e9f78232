"""Hostile connections: floods of silent sockets, too many websockets, forged addresses,
browser pages from origins that are not on the allow-list."""

from __future__ import annotations

import asyncio
import json
import select
import socket
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
import websockets
from starlette.websockets import WebSocketDisconnect

from common.protocol import Hello, RedeemCode, RequestCode, encode_message, parse_message
from devtools.server import start_server
from tests.signaling.inprocess import in_process_server
from tests.signaling.test_pairing import ALICE, BOB
from tests.signaling.wsclient import WsClient

FLOOD = 400


def _port(server) -> int:
    return int(server.url.rsplit(":", 1)[1])


def _wait_until_closed_by_server(sockets: list[socket.socket], count: int) -> None:
    """Block until at least ``count`` of these sockets saw the server close them."""
    closed: set[socket.socket] = set()
    while len(closed) < count:
        readable, _, _ = select.select([s for s in sockets if s not in closed], [], [], 30)
        assert readable, f"only {len(closed)} of {len(sockets)} closed by the server"
        for sock in readable:
            try:
                data = sock.recv(4096)
            except ConnectionResetError:
                data = b""
            if not data:
                closed.add(sock)


@pytest.fixture
def guarded_server(tmp_path, dev_identity_file):
    server = start_server(
        dev_identity_file,
        tmp_path / "data",
        env={"HELPLINE_REQUEST_TIMEOUT_SECONDS": "2", "HELPLINE_HELLO_TIMEOUT_SECONDS": "2"},
    )
    yield server
    server.stop()


async def test_a_flood_of_silent_sockets_leaves_health_and_sessions_answering(guarded_server):
    helper = await WsClient.signed_in(guarded_server, ALICE, "helper")
    flood = []
    for n in range(FLOOD):
        sock = socket.create_connection(("127.0.0.1", _port(guarded_server)))
        if n % 2:
            sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")  # half a request
        flood.append(sock)
    try:
        assert httpx.get(guarded_server.url + "/healthz", timeout=30).json()["status"] == "ok"
        await helper.send(RequestCode())
        assert (await helper.recv(timeout=30)).type == "code"
        sharer = await WsClient.signed_in(guarded_server, BOB, "sharer")
        await sharer.send(RedeemCode(code="ABCD-EFGH"))
        assert (await sharer.recv(timeout=30)).code.value == "invalid_code"
        # Every silent or half-sent socket is closed by the server: the oldest at once when
        # the budget is full, the rest when their time to send a request is up.
        _wait_until_closed_by_server(flood, FLOOD)
    finally:
        for sock in flood:
            sock.close()


async def test_an_upgraded_socket_that_never_says_hello_is_closed(guarded_server):
    silent = await WsClient.open(guarded_server)
    with pytest.raises(websockets.ConnectionClosed):
        await silent.ws.recv()


async def test_open_websockets_are_bounded_per_address(tmp_path, dev_identity_file):
    server = start_server(
        dev_identity_file, tmp_path / "data", env={"HELPLINE_MAX_WEBSOCKETS_PER_ADDRESS": "3"}
    )
    try:
        held = [await WsClient.signed_in(server, BOB, "sharer") for _ in range(3)]
        with pytest.raises(websockets.InvalidStatus):
            await WsClient.open(server)
        await held[0].close()
        # The slot is given back once the server has seen the close; wait for that.
        for _ in range(600):
            try:
                await WsClient.signed_in(server, BOB, "sharer")
                break
            except websockets.InvalidStatus:
                await asyncio.sleep(0.05)
        else:
            raise AssertionError("a closed websocket's slot was never given back")
    finally:
        server.stop()


def _source_of_refusal(server, forwarded: str) -> str:
    async def refuse():
        client = await WsClient.open(server, **{"X-Forwarded-For": forwarded})
        await client.send(Hello(token=server.token_for(BOB), role="sharer"))
        await client.recv()
        await client.send(RedeemCode(code="ABCD-EFGH"))
        await client.recv()
        await client.close()

    asyncio.run(refuse())
    out = subprocess.run(
        [sys.executable, "-m", "signaling", "audit", "list", "--data-dir", str(server.data_dir)],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout.splitlines()[0])["source_address"]


def test_forwarded_addresses_are_ignored_unless_the_proxy_is_trusted(tmp_path, dev_identity_file):
    server = start_server(dev_identity_file, tmp_path / "plain")
    try:
        assert _source_of_refusal(server, "203.0.113.9") == "127.0.0.1"
    finally:
        server.stop()


def test_a_trusted_proxy_is_believed_but_only_for_real_addresses(tmp_path, dev_identity_file):
    env = {"HELPLINE_TRUSTED_PROXIES": '["127.0.0.1"]'}
    server = start_server(dev_identity_file, tmp_path / "proxied", env=env)
    try:
        assert _source_of_refusal(server, "203.0.113.9") == "203.0.113.9"
    finally:
        server.stop()
    server = start_server(dev_identity_file, tmp_path / "garbage", env=env)
    try:
        assert _source_of_refusal(server, "<script>, 999.1.1.1") == ""
    finally:
        server.stop()


def test_the_open_file_limit_is_raised_to_what_the_system_allows(signaling_server):
    import resource

    limits = Path(f"/proc/{signaling_server.proc.pid}/limits").read_text()
    [line] = [line for line in limits.splitlines() if line.startswith("Max open files")]
    soft, hard = line.split()[3:5]
    _, our_hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    assert soft == hard == str(our_hard)


ALLOWED_ORIGIN = "https://helpline.example"


@pytest.fixture
def origin_server(tmp_path):
    with in_process_server(tmp_path, allowed_origins=[ALLOWED_ORIGIN]) as running:
        yield running


def _hello_from(server, headers: dict[str, str]) -> str:
    """What the server answers a hello on a websocket opened with ``headers``."""
    with server.client.websocket_connect("/v1/ws", headers=headers) as ws:
        ws.send_text(encode_message(Hello(token=server.token_for(ALICE), role="helper")))
        return parse_message(ws.receive_text()).type


@pytest.mark.parametrize(
    "origin",
    [
        "https://helpline.example.evil.example",  # the allowed origin as a prefix
        "https://helpline.exampl",  # a prefix of the allowed origin
        "https://evil.example",
        "https://evil.example/https://helpline.example",
        "http://helpline.example",  # another scheme
        "https://helpline.example:8443",  # another port
        "null",  # a sandboxed page or a file
        "",
    ],
)
def test_only_an_allowed_origin_exactly_is_let_in(origin_server, origin):
    with pytest.raises(WebSocketDisconnect) as refused:
        _hello_from(origin_server, {"origin": origin})
    assert refused.value.code == 1008


def test_the_allowed_origin_and_apps_without_an_origin_sign_in(origin_server):
    assert _hello_from(origin_server, {"origin": ALLOWED_ORIGIN}) == "welcome"
    assert _hello_from(origin_server, {}) == "welcome"  # desktop apps send no Origin
