"""A real sharer process facing a helper that lies or floods: it must refuse and survive."""

from __future__ import annotations

import asyncio
import json

import pytest
from aiortc import RTCPeerConnection

from common.protocol import Signal, encode_message, parse_message
from tests.display_tools import xdotool_mouse_location
from tests.headless_driver import HeadlessApp
from tests.rogue_helper import RogueHelper

pytestmark = pytest.mark.display


def _sharer(server, code: str, consent: str) -> HeadlessApp:
    return HeadlessApp(
        "sharer_app", "--server", server.url, "--user", "bob@contoso.example",
        "--code", code, "--consent", consent,
    )  # fmt: skip


async def test_an_offer_from_another_peer_than_the_card_is_refused(signaling_server, xvfb_display):
    rogue = RogueHelper(signaling_server.url, signaling_server.ws_url)
    impostor_card_pc = RTCPeerConnection()
    impostor_card_pc.addTransceiver("video", direction="recvonly")
    sharer = None
    try:
        # The card is issued for one certificate, the offer comes from another.
        code = await rogue.sign_in_and_get_code(fingerprint_from=impostor_card_pc)
        sharer = _sharer(signaling_server, code, "view")
        await asyncio.to_thread(sharer.wait_for, "helper_identity")
        await rogue.wait_consent_and_offer()
        error = await asyncio.to_thread(sharer.wait_for, "error")
        assert error["code"] == "identity_mismatch"
        ended = await asyncio.to_thread(sharer.wait_for, "ended")
        assert ended["reason"] == "identity_mismatch"
        assert not any(e.get("event") == "connected" for e in sharer.events)
    finally:
        await impostor_card_pc.close()
        await rogue.close()
        if sharer is not None:
            sharer.close()


async def test_a_broken_offer_ends_the_session_cleanly(signaling_server, xvfb_display):
    rogue = RogueHelper(signaling_server.url, signaling_server.ws_url)
    sharer = None
    try:
        code = await rogue.sign_in_and_get_code()
        sharer = _sharer(signaling_server, code, "view")
        await asyncio.to_thread(sharer.wait_for, "helper_identity")
        while True:  # wait for consent, then send an offer that only looks right
            message = parse_message(await rogue.ws.recv())
            if message.type == "consent_result":
                break
        real = (await rogue.pc.createOffer()).sdp
        fingerprints = "\r\n".join(
            line for line in real.splitlines() if line.startswith("a=fingerprint:")
        )
        broken = f"v=0\r\nthis is not SDP\r\n{fingerprints}\r\n"
        await rogue.ws.send(encode_message(Signal(kind="offer", sdp=broken)))
        ended = await asyncio.to_thread(sharer.wait_for, "ended")
        assert ended["reason"] == "connection_failed"
        assert sharer.close() == 1, "connection failed (README: exit status)"
    finally:
        await rogue.close()
        if sharer is not None:
            sharer.close()


async def test_garbage_floods_and_unknown_messages_do_not_get_through(
    signaling_server, xvfb_display
):
    rogue = RogueHelper(signaling_server.url, signaling_server.ws_url)
    sharer = None
    try:
        code = await rogue.sign_in_and_get_code()
        sharer = _sharer(signaling_server, code, "view")
        await rogue.wait_consent_and_offer()
        await rogue.complete()
        await asyncio.to_thread(sharer.wait_for, "connected")
        start = await asyncio.to_thread(xdotool_mouse_location, xvfb_display)

        # View-only: a well-formed move is blocked.
        rogue.input.send(json.dumps({"type": "mouse_move", "x": 0.9, "y": 0.9}))
        blocked = await asyncio.to_thread(sharer.wait_for, "input_blocked")
        assert blocked["reason"] == "view_only"

        # Garbage on both channels.
        for raw in ["{", "[]", "\x00" * 100, json.dumps({"type": "rm -rf"}), "x" * 100_000,
                    json.dumps({"type": "mouse_move", "x": -1, "y": 3})]:  # fmt: skip
            rogue.input.send(raw)
            rogue.control.send(raw)
        rogue.control.send(json.dumps({"type": "grant_control"}))  # not a peer message
        # A flood, still view-only.
        for _ in range(3000):
            rogue.input.send(json.dumps({"type": "mouse_move", "x": 0.1, "y": 0.1}))
        # Every refused event is counted (the channel delivers them at its own pace).
        counted = 0
        for _ in range(120):
            events = await asyncio.to_thread(sharer.drain, 0.5)
            counted = sum(e["count"] for e in events if e.get("event") == "input_blocked")
            if counted >= 3001:
                break
        assert counted >= 3001
        assert await asyncio.to_thread(xdotool_mouse_location, xvfb_display) == start
        reasons = {e["reason"] for e in events if e.get("event") == "input_blocked"}
        assert "view_only" in reasons
        assert any(r.startswith("invalid") for r in reasons)
        # Batched: far fewer reports than events.
        assert sum(1 for e in events if e.get("event") == "input_blocked") < 50

        # And the sharer still works: chat from the rogue arrives.
        rogue.control.send(json.dumps({"type": "chat", "text": "still alive?"}))
        assert (await asyncio.to_thread(sharer.wait_for, "chat"))["text"] == "still alive?"
    finally:
        await rogue.close()
        if sharer is not None:
            sharer.close()
