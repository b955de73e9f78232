"""Bad input gets an error, never a crash, and other sessions do not notice."""

from __future__ import annotations

import json

import pytest
import websockets

from common.protocol import MAX_MESSAGE_BYTES, Consent, Control, Hello, RequestCode, Signal
from tests.signaling.test_pairing import ALICE, BOB, _pair
from tests.signaling.wsclient import WsClient

# Nested far past any parser's recursion limit, yet well under the size limit.
DEEP = "[" * 20_000 + "]" * 20_000


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("{not json", "malformed"),
        ("[1,2,3]", "malformed"),
        (json.dumps({"v": 1, "type": "teleport"}), "unknown_type"),
        (json.dumps({"v": 99, "type": "request_code"}), "unsupported_version"),
        (json.dumps({"v": 1, "type": "redeem_code"}), "invalid"),
        (json.dumps({"v": 1, "type": "consent", "level": "all"}), "invalid"),
        ("x" * (MAX_MESSAGE_BYTES + 1), "too_large"),
        (json.dumps({"v": 1, "type": ["request_code"]}), "unknown_type"),
        (json.dumps({"v": 1, "type": {"a": 1}}), "unknown_type"),
        ('{"v": 1, "type": "signal", "kind": "offer", "sdp": ' + DEEP + "}", "malformed"),
        (DEEP, "malformed"),
    ],
)
async def test_bad_frames_get_errors_and_the_connection_keeps_working(signaling_server, raw, code):
    helper = await WsClient.signed_in(signaling_server, ALICE, "helper")
    await helper.send_raw(raw)
    error = await helper.recv()
    assert (error.type, error.code.value) == ("error", code)
    await helper.send(RequestCode())
    assert (await helper.recv()).type == "code"


async def test_wrong_state_messages(signaling_server):
    helper = await WsClient.signed_in(signaling_server, ALICE, "helper")
    for message in (Signal(kind="offer", sdp="x"), Control(action="request_control")):
        await helper.send(message)
        assert (await helper.recv()).code.value == "wrong_state"
    sharer = await WsClient.signed_in(signaling_server, BOB, "sharer")
    await sharer.send(Consent(level="view"))
    assert (await sharer.recv()).code.value == "wrong_state"
    await sharer.send(Hello(token="again", role="sharer"))
    assert (await sharer.recv()).code.value == "wrong_state"


async def test_anything_before_hello_is_refused(signaling_server):
    client = await WsClient.open(signaling_server)
    await client.send(RequestCode())
    assert (await client.recv()).code.value == "unauthenticated"
    with pytest.raises(websockets.ConnectionClosed):
        await client.recv()


async def test_a_foreign_browser_origin_is_refused(signaling_server):
    with pytest.raises(websockets.InvalidStatus):
        await WsClient.open(signaling_server, Origin="https://evil.example")


async def test_a_huge_frame_closes_only_that_connection(signaling_server):
    helper, sharer, _ = await _pair(signaling_server)
    await sharer.recv()
    await helper.recv()
    rogue = await WsClient.signed_in(signaling_server, BOB, "sharer")
    await rogue.send_raw("x" * (4 * 1024 * 1024))
    with pytest.raises(websockets.ConnectionClosed):
        await rogue.recv()
    # The paired session goes on.
    await sharer.send(Consent(level="view"))
    assert (await helper.recv()).level.value == "view"


async def test_a_binary_frame_gets_an_error_and_the_connection_keeps_working(signaling_server):
    helper = await WsClient.signed_in(signaling_server, ALICE, "helper")
    await helper.ws.send(b'{"v": 1, "type": "request_code"}')
    error = await helper.recv()
    assert (error.type, error.code.value) == ("error", "malformed")
    await helper.send(RequestCode())
    assert (await helper.recv()).type == "code"


@pytest.mark.parametrize(
    "first",
    [json.dumps({"v": 1, "type": [1]}), DEEP, b"\x00\xff binary", "{not json"],
)
async def test_a_bad_first_frame_is_answered_without_a_traceback(signaling_server, first):
    client = await WsClient.open(signaling_server)
    await client.ws.send(first)
    assert (await client.recv()).type == "error"
    with pytest.raises(websockets.ConnectionClosed):
        await client.recv()
    # The server still answers, and said nothing about it in a traceback.
    await WsClient.signed_in(signaling_server, ALICE, "helper")
    assert "Traceback" not in signaling_server.log_path.read_text()
