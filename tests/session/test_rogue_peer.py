"""A real sharer process facing a helper that lies or floods: it must refuse and survive."""

from __future__ import annotations

import asyncio
import json

import pytest
from aiortc import RTCPeerConnection

from common.protocol import Consent, RedeemCode, Signal, encode_message, parse_message
from devtools.headless import HeadlessApp
from tests.display_tools import xdotool_mouse_location
from tests.rogue_helper import RogueHelper
from tests.rogue_server import RogueServer, altered_after_signing, signed_by_another_key

pytestmark = pytest.mark.display


LOW_LIMIT = 20


def _sharer(
    server, code: str, consent: str, display: str | None = None, max_input_per_second: int = 0
) -> HeadlessApp:
    env = {"DISPLAY": display} if display else {}
    if max_input_per_second:
        env["HELPLINE_MAX_INPUT_EVENTS_PER_SECOND"] = str(max_input_per_second)
    return HeadlessApp(
        "sharer_app", "--server", server.url, "--user", "bob@contoso.example",
        "--code", code, "--consent", consent, env=env,
    )  # fmt: skip


async def test_an_offer_from_another_peer_than_the_card_is_refused(shared_server, xvfb_display):
    rogue = RogueHelper(shared_server.url, shared_server.ws_url)
    impostor_card_pc = RTCPeerConnection()
    impostor_card_pc.addTransceiver("video", direction="recvonly")
    sharer = None
    try:
        # The card is issued for one certificate, the offer comes from another.
        code = await rogue.sign_in_and_get_code(fingerprint_from=impostor_card_pc)
        sharer = _sharer(shared_server, code, "view")
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


async def test_a_broken_offer_ends_the_session_cleanly(shared_server, xvfb_display):
    rogue = RogueHelper(shared_server.url, shared_server.ws_url)
    sharer = None
    try:
        code = await rogue.sign_in_and_get_code()
        sharer = _sharer(shared_server, code, "view")
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


def _blocked(events: list[dict], reason: str | None = None) -> int:
    """How many input events the sharer has reported refusing (for reasons starting with
    ``reason``, or for any reason)."""
    return sum(
        e["count"]
        for e in events
        if e.get("event") == "input_blocked" and e["reason"].startswith(reason or "")
    )


async def test_garbage_floods_and_unknown_messages_do_not_get_through(
    shared_server, private_display
):
    rogue = RogueHelper(shared_server.url, shared_server.ws_url)
    sharer = None
    try:
        code = await rogue.sign_in_and_get_code()
        sharer = _sharer(shared_server, code, "view", private_display)
        await rogue.wait_consent_and_offer()
        await rogue.complete()
        await asyncio.to_thread(sharer.wait_for, "connected")
        start = await asyncio.to_thread(xdotool_mouse_location, private_display)

        # View-only: a well-formed move is blocked.
        rogue.input.send(json.dumps({"type": "mouse_move", "x": 0.9, "y": 0.9}))
        blocked = await asyncio.to_thread(sharer.wait_for, "input_blocked")
        assert blocked["reason"] == "view_only"

        # Garbage on both channels.
        garbage = ["{", "[]", "\x00" * 100, json.dumps({"type": "rm -rf"}), "x" * 100_000,
                   json.dumps({"type": "mouse_move", "x": -1, "y": 3})]  # fmt: skip
        for raw in garbage:
            rogue.input.send(raw)
            rogue.control.send(raw)
        rogue.control.send(json.dumps({"type": "grant_control"}))  # not a peer message
        # A flood, still view-only, in rounds the sharer has counted before the next goes
        # out: one huge burst would also starve the rogue's own heartbeat answers, and the
        # sharer would rightly drop it as silent.
        refused_before = len(garbage)  # the first blocked move was taken above
        for round_number in range(1, 7):
            for _ in range(500):
                rogue.input.send(json.dumps({"type": "mouse_move", "x": 0.1, "y": 0.1}))
            events = await asyncio.to_thread(
                sharer.wait_until,
                lambda events, n=round_number: _blocked(events) >= refused_before + 500 * n,
            )
        assert _blocked(events) == refused_before + 3000
        assert await asyncio.to_thread(xdotool_mouse_location, private_display) == start
        reasons = {e["reason"] for e in events if e.get("event") == "input_blocked"}
        assert reasons == {"view_only"} | {r for r in reasons if r.startswith("invalid")}
        assert _blocked(events, "view_only") == 3000
        # Batched: a flood is reported in counts, not one event per refused input.
        assert max(e["count"] for e in events if e.get("event") == "input_blocked") > 1

        # And the sharer still works: chat from the rogue arrives.
        rogue.control.send(json.dumps({"type": "chat", "text": "still alive?"}))
        assert (await asyncio.to_thread(sharer.wait_for, "chat"))["text"] == "still alive?"
    finally:
        await rogue.close()
        if sharer is not None:
            sharer.close()


async def test_a_flood_with_full_control_is_rate_limited(shared_server, private_display):
    """The limit holds in a real session whose helper has full control.

    Refusals are counted, not timed: the flood goes out in rounds, each closed by an
    invalid event on the same ordered channel, whose report means the whole round has been
    through the sharer's gate. The limit is a token bucket on the sharer's clock, so a
    sharer slowed down by a busy machine takes a flood in slower than the default 500 a
    second and rightly lets it through; the limit here is set so low (20 a second, against
    2000 moves a round) that no machine is that slow. A limit that is not enforced fails
    after the last round.
    """
    rogue = RogueHelper(shared_server.url, shared_server.ws_url)
    sharer = None
    try:
        code = await rogue.sign_in_and_get_code()
        sharer = _sharer(
            shared_server, code, "control", private_display, max_input_per_second=LOW_LIMIT
        )
        assert await rogue.wait_consent_and_offer() == "control"
        await rogue.complete()
        await asyncio.to_thread(sharer.wait_for, "connected")
        assert (await asyncio.to_thread(sharer.wait_for, "control"))["granted"] is True

        move = json.dumps({"type": "mouse_move", "x": 0.5, "y": 0.5})
        marker = json.dumps({"type": "mouse_move", "x": 2, "y": 2})
        refused = 0
        for round_number in range(1, 11):
            for _ in range(2000):
                rogue.input.send(move)
            rogue.input.send(marker)
            events = await asyncio.to_thread(
                sharer.wait_until, lambda events, n=round_number: _blocked(events, "invalid") >= n
            )
            refused = _blocked(events, "rate_limited")
            if refused:
                break
        assert refused > 0, "2000 moves at once, ten times over, and none was refused"
        assert _blocked(events, "view_only") == 0, "the refusals are the limiter's"
    finally:
        await rogue.close()
        if sharer is not None:
            sharer.close()


@pytest.mark.parametrize("forge", [signed_by_another_key, altered_after_signing])
async def test_a_forged_identity_card_ends_the_session_before_any_consent(forge, xvfb_display):
    async with RogueServer(forge).running() as server:
        sharer = HeadlessApp(
            "sharer_app", "--server", server.url, "--user", "bob@contoso.example",
            "--code", "K7QM3XHP", "--consent", "control",
        )  # fmt: skip
        try:
            error = await asyncio.to_thread(sharer.wait_for, "error")
            assert error["code"] == "identity_unverified"
            await asyncio.to_thread(sharer.wait_for, "ended")
            assert await asyncio.to_thread(sharer.close) == 3, "refused (README: exit status)"
        finally:
            sharer.close()
    assert not any(e.get("event") == "helper_identity" for e in sharer.events)
    assert any(isinstance(m, RedeemCode) for m in server.received), "the card was asked for"
    assert not any(isinstance(m, Consent) for m in server.received), "nothing was consented"
