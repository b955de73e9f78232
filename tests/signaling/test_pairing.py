"""Pairing over real websockets against a real server process."""

from __future__ import annotations

import httpx
import pytest

from common.identity_card import CardVerificationError, verify_card
from common.protocol import (
    Consent,
    Control,
    End,
    RedeemCode,
    RequestCode,
    Signal,
)
from tests.signaling.wsclient import WsClient

ALICE = "alice@contoso.example"
VICTOR = "victor@contoso.example"
BOB = "bob@contoso.example"
CAROL = "carol@contoso.example"


async def _pair(server, helper_upn=ALICE, sharer_upn=BOB):
    helper = await WsClient.signed_in(server, helper_upn, "helper")
    await helper.send(RequestCode(dtls_fingerprint="sha-256 AA:BB"))
    code = await helper.recv()
    sharer = await WsClient.signed_in(server, sharer_upn, "sharer", device="BOB-LAPTOP")
    await sharer.send(RedeemCode(code=code.code.lower().replace("-", " ")))
    return helper, sharer, code


async def test_view_flow_with_verified_card_and_relay(signaling_server):
    helper, sharer, code = await _pair(signaling_server)
    assert code.type == "code" and len(code.code) == 9
    identity = await sharer.recv()
    assert identity.type == "helper_identity"
    assert identity.offered_levels == ["view", "control"]
    key = httpx.get(signaling_server.url + "/v1/server-key").json()["public_key"]
    card = verify_card(identity.signed_card, key)
    assert (card.name, card.company, card.verified_domain, card.job_title) == (
        "Alice Example", "Contoso", "contoso.example", "Support Engineer",
    )  # fmt: skip
    assert card.dtls_fingerprint == "sha-256 AA:BB"
    tampered = identity.signed_card.model_dump(mode="json")
    tampered["card"]["name"] = "Mallory"
    with pytest.raises(CardVerificationError):
        verify_card(tampered, key)

    joined = await helper.recv()
    assert joined.type == "sharer_joined" and joined.sharer == BOB
    assert joined.device_name == "BOB-LAPTOP"

    await sharer.send(Consent(level="view"))
    assert (await helper.recv()).level.value == "view"
    await helper.send(Signal(kind="offer", sdp="v=0 offer"))
    assert (await sharer.recv()).sdp == "v=0 offer"
    await sharer.send(Signal(kind="answer", sdp="v=0 answer"))
    assert (await helper.recv()).sdp == "v=0 answer"
    await helper.send(Control(action="request_control"))
    assert (await sharer.recv()).action.value == "request_control"
    await sharer.send(Control(action="grant_control"))
    assert (await helper.recv()).action.value == "grant_control"
    await sharer.send(Control(action="revoke_control"))
    assert (await helper.recv()).action.value == "revoke_control"
    await helper.send(End())
    assert (await sharer.recv()).reason.value == "helper_ended"


async def test_control_flow_and_sharer_end(signaling_server):
    helper, sharer, _ = await _pair(signaling_server)
    await sharer.recv()
    await helper.recv()
    await sharer.send(Consent(level="control"))
    assert (await helper.recv()).level.value == "control"
    await sharer.send(End())
    assert (await helper.recv()).reason.value == "sharer_ended"


async def test_decline_tells_the_helper_and_ends(signaling_server):
    helper, sharer, _ = await _pair(signaling_server)
    await sharer.recv()
    await helper.recv()
    await sharer.send(Consent(level="decline"))
    assert (await helper.recv()).level.value == "declined"
    assert (await helper.recv()).reason.value == "declined"


async def test_viewer_role_gets_view_only_and_cannot_take_control(signaling_server):
    helper, sharer, _ = await _pair(signaling_server, helper_upn=VICTOR)
    identity = await sharer.recv()
    assert identity.offered_levels == ["view"]
    await helper.recv()
    await sharer.send(Consent(level="control"))
    assert (await sharer.recv()).code.value == "not_offered"
    await sharer.send(Consent(level="view"))
    await helper.recv()
    await helper.send(Control(action="request_control"))
    assert (await helper.recv()).code.value == "not_offered"
    await sharer.send(Control(action="grant_control"))
    assert (await sharer.recv()).code.value == "not_offered"


async def test_out_of_scope_sharer_is_refused_before_any_card(signaling_server):
    helper, sharer, _ = await _pair(signaling_server, sharer_upn=CAROL)
    refused = await sharer.recv()
    assert refused.type == "error" and refused.code.value == "out_of_scope"
    assert "Alice Example" in refused.message
    assert (await helper.recv()).code.value == "out_of_scope"


async def test_wrong_used_and_cancelled_codes_get_the_same_answer(signaling_server):
    _helper, sharer, code = await _pair(signaling_server)
    await sharer.recv()
    # Used: a second sharer with the same code.
    other = await WsClient.signed_in(signaling_server, BOB, "sharer")
    await other.send(RedeemCode(code=code.code))
    used = await other.recv()
    # Wrong.
    await other.send(RedeemCode(code="ABCD-EFGH"))
    wrong = await other.recv()
    # Cancelled: the helper of a fresh code ends before anyone redeems it.
    helper2 = await WsClient.signed_in(signaling_server, ALICE, "helper")
    await helper2.send(RequestCode())
    code2 = await helper2.recv()
    await helper2.send(End())
    # Answered on the same connection after the End, so the code is gone by then.
    await helper2.send(Signal(kind="offer", sdp="v=0"))
    assert (await helper2.recv()).code.value == "wrong_state"
    await other.send(RedeemCode(code=code2.code))
    cancelled = await other.recv()
    assert used.code.value == wrong.code.value == cancelled.code.value == "invalid_code"
    assert used.message == wrong.message == cancelled.message


async def test_failed_redeems_are_rate_limited_with_retry_after(signaling_server):
    sharer = await WsClient.signed_in(signaling_server, BOB, "sharer")
    for _ in range(5):
        await sharer.send(RedeemCode(code="ABCD-EFGH"))
        assert (await sharer.recv()).code.value == "invalid_code"
    await sharer.send(RedeemCode(code="ABCD-EFGH"))
    limited = await sharer.recv()
    assert limited.code.value == "rate_limited"
    assert 0 < limited.retry_after <= 300
    # Even a right code is refused while limited: guessing gains nothing.
    helper = await WsClient.signed_in(signaling_server, ALICE, "helper")
    await helper.send(RequestCode())
    code = await helper.recv()
    await sharer.send(RedeemCode(code=code.code))
    assert (await sharer.recv()).code.value == "rate_limited"
    # Another account on the same address is not locked out by Bob's guesses.
    carol = await WsClient.signed_in(signaling_server, CAROL, "sharer")
    await carol.send(RedeemCode(code="ABCD-EFGH"))
    assert (await carol.recv()).code.value == "invalid_code"


async def test_roles_are_enforced_per_message(signaling_server):
    sharer = await WsClient.signed_in(signaling_server, BOB, "sharer")
    await sharer.send(RequestCode())
    assert (await sharer.recv()).code.value == "forbidden"
    helper = await WsClient.signed_in(signaling_server, ALICE, "helper")
    await helper.send(RedeemCode(code="ABCD-EFGH"))
    assert (await helper.recv()).code.value == "forbidden"
    # A user with no helping role cannot get a code.
    dana = await WsClient.signed_in(signaling_server, "dana@contoso.example", "helper")
    await dana.send(RequestCode())
    assert (await dana.recv()).code.value == "forbidden"
