"""What the fuzz suite found, each as a plain test that failed before its fix.

1. Both sides of a session closing at once: the server told the second one the session had
   ended, starlette raised ``WebSocketDisconnect`` for the send (not the ``RuntimeError``
   or ``OSError`` the connection expected), and the server logged a traceback.
2. A text frame that is not UTF-8: uvicorn closed the connection with 1007, as RFC 6455
   says, but logged it with a traceback, as if the server had failed.
"""

from __future__ import annotations

import asyncio

import pytest
from websockets.exceptions import ConnectionClosed

from common.protocol import Consent, RequestCode
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


async def test_a_text_frame_that_is_not_utf8_closes_only_that_connection(signaling_server):
    bystander = await WsClient.signed_in(signaling_server, "alice@contoso.example", "helper")
    client = await WsClient.signed_in(signaling_server, "carol@contoso.example", "sharer")
    await client.ws.send(b'{"v": 1, "type": "\xc0\xaf"}', text=True)
    with pytest.raises(ConnectionClosed) as closed:
        await asyncio.wait_for(client.ws.recv(), 30)
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 1007
    await bystander.send(RequestCode())
    assert (await bystander.recv()).type == "code"
    log = signaling_server.log_path.read_text()
    assert "Invalid UTF-8" in log and "Traceback" not in log, log[-3000:]
