"""What the fuzz suite found, each as a plain test that failed before its fix.

1. Both sides of a session closing at once: the server told the second one the session had
   ended, starlette raised ``WebSocketDisconnect`` for the send (not the ``RuntimeError``
   or ``OSError`` the connection expected), and the server logged a traceback.
2. A text frame that is not UTF-8: uvicorn closed the connection with 1007, as RFC 6455
   says, but logged it with a traceback, as if the server had failed; and when it was the
   first frame, before sign-in, the server's own close of that connection raised and logged
   another.
3. An unknown field with a long name: the error told it back in a message longer than an
   ``error`` may carry, so building the error raised; before sign-in the server logged a
   traceback, after it the connection was dropped. The sharer's input reasons carried such
   names whole too. Field paths in errors are now bounded and escaped.
4. A data-channel *text* message that is not UTF-8: aiortc's decode raised inside its DTLS
   receive loop, which died; media, input and heartbeats stopped and the session ended as
   ``peer_timeout`` five seconds later. Now the message is one refused, counted input event.
"""

from __future__ import annotations

import asyncio
import json

import pytest
from websockets.exceptions import ConnectionClosed

from common.input_events import InputError, parse_input
from common.protocol import Consent, RequestCode
from devtools.headless import HeadlessApp
from tests.adversarial.harness import LoopThread, send_frame
from tests.adversarial.strategies import TextBytes
from tests.rogue_helper import RogueHelper
from tests.signaling.test_pairing import _pair
from tests.signaling.wsclient import WsClient

ROUNDS = 20


async def test_both_sides_leaving_at_once_is_no_server_fault(signaling_server):
    for _ in range(ROUNDS):
        helper, sharer, _ = await _pair(signaling_server)
        assert (await sharer.recv()).type == "helper_identity"
        await sharer.send(Consent(level="view"))
        assert [(await helper.recv()).type for _ in range(2)] == ["sharer_joined", "consent_result"]
        # Dropped at once, as two apps killed together are: no close handshake to wait on.
        helper.ws.transport.abort()
        sharer.ws.transport.abort()
    # The server is still there, and had nothing to report about it.
    again = await WsClient.signed_in(signaling_server, "alice@contoso.example", "helper")
    await again.send(RequestCode())
    assert (await again.recv()).type == "code"
    log = signaling_server.log_path.read_text()
    assert "Traceback" not in log, log[-3000:]


@pytest.mark.parametrize("signed_in", [True, False])
async def test_an_unknown_field_with_a_long_name_gets_a_short_error(signaling_server, signed_in):
    frame = json.dumps({"v": 1, "type": "request_code", "\u202e" + "0" * 5000: 1})
    if signed_in:
        client = await WsClient.signed_in(signaling_server, "alice@contoso.example", "helper")
    else:
        client = await WsClient.open(signaling_server)
    await client.send_raw(frame)
    error = await client.recv()
    assert error.code.value == "invalid" and len(error.message) < 200, error
    assert "\\u202e" in error.message, "the name is escaped, not shown"
    if signed_in:
        await client.send(RequestCode())
        assert (await client.recv()).type == "code"
    else:
        with pytest.raises(ConnectionClosed):
            await client.recv()
    log = signaling_server.log_path.read_text()
    assert "Traceback" not in log, log[-3000:]


def test_input_reasons_name_unknown_fields_briefly():
    with pytest.raises(InputError) as refused:
        parse_input(json.dumps({"type": "click", "\x1b[31m" + "k" * 3000: 1}))
    assert len(refused.value.reason) < 200 and "\x1b" not in refused.value.reason


@pytest.mark.parametrize("signed_in", [True, False])
async def test_a_text_frame_that_is_not_utf8_closes_only_that_connection(
    signaling_server, signed_in
):
    bystander = await WsClient.signed_in(signaling_server, "alice@contoso.example", "helper")
    if signed_in:
        client = await WsClient.signed_in(signaling_server, "carol@contoso.example", "sharer")
    else:
        client = await WsClient.open(signaling_server)
    await client.ws.send(b'{"v": 1, "type": "\xc0\xaf"}', text=True)
    with pytest.raises(ConnectionClosed) as closed:
        await asyncio.wait_for(client.ws.recv(), 30)
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 1007
    await bystander.send(RequestCode())
    assert (await bystander.recv()).type == "code"
    log = signaling_server.log_path.read_text()
    assert "Invalid UTF-8" in log and "Traceback" not in log, log[-3000:]


async def _rogue_helper(server) -> RogueHelper:
    return RogueHelper(server.url, server.ws_url)


@pytest.mark.display
def test_data_channel_text_that_is_not_utf8_is_one_refused_event(signaling_server, private_display):
    with LoopThread() as loops:
        rogue = loops.run(_rogue_helper(signaling_server))
        code = loops.run(rogue.sign_in_and_get_code())
        sharer = HeadlessApp(
            "sharer_app", "--server", signaling_server.url, "--user", "bob@contoso.example",
            "--code", code, "--consent", "view", env={"DISPLAY": private_display},
        )  # fmt: skip
        try:
            loops.run(rogue.wait_consent_and_offer())
            loops.run(rogue.complete())
            sharer.wait_for("connected")
            for channel in (rogue.input, rogue.control):
                loops.run(send_frame(channel, TextBytes(b'{"type": "\xff\xfe"}')))
            loops.call(rogue.control.send, json.dumps({"type": "chat", "text": "still here"}))
            assert sharer.wait_for("chat")["text"] == "still here"
            blocked = sharer.wait_for("input_blocked")
            assert (blocked["reason"], blocked["count"]) == (
                "invalid: input event is not valid JSON",
                1,
            )
            assert not [e for e in sharer.events if e.get("event") in ("ended", "error")]
            assert not any("Traceback" in line for line in sharer.stderr), "".join(sharer.stderr)
        finally:
            sharer.close()
            loops.run(rogue.close())
