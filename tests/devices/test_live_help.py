"""Live help from a device: an enrolled one proves itself with its key and is what the helper
sees and the audit records; a forged, replayed or borrowed proof is refused; an unenrolled
one is marked so, or refused when the policy wants enrolment; scope follows device groups."""

from __future__ import annotations

from typing import Any

import httpx

from common.devices.signing import generate_device_key, live_help_proof
from common.protocol import Consent, End, Hello, RedeemCode, RequestCode
from devtools.server import start_server
from tests.devices.agent import FakeAgent, enroll
from tests.devices.conftest import BOB, CAROL, ERIN, directory_file
from tests.signaling.wsclient import WsClient

DANA = "dana@contoso.example"


async def _sharer(server, upn: str, agent: FakeAgent | None, *, token: str | None = None,
                  proof_token: str | None = None) -> tuple[WsClient, Any]:  # fmt: skip
    """A sharer's hello, with the device's proof when an agent is given; the first answer."""
    token = token or server.token_for(upn)
    proof = None
    if agent is not None:
        proof = live_help_proof(agent.key, agent.device_id, proof_token or token)
    client = await WsClient.open(server)
    await client.send(Hello(token=token, role="sharer", device_name="CLAIMED-PC",
                            device_proof=proof))  # fmt: skip
    return client, await client.recv()


async def _redeem(server, sharer: WsClient) -> tuple[WsClient, Any, Any]:
    helper = await WsClient.signed_in(server, ERIN, "helper")
    await helper.send(RequestCode(dtls_fingerprint="sha-256 AA:BB"))
    code = await helper.recv()
    await sharer.send(RedeemCode(code=code.code))
    return helper, await sharer.recv(), await helper.recv()


def _audit(server) -> list[dict[str, Any]]:
    token = server.token_for(DANA)
    response = httpx.get(server.url + "/v1/audit/sessions",
                         headers={"Authorization": f"Bearer {token}"}, timeout=10)  # fmt: skip
    assert response.status_code == 200, response.text
    return response.json()["sessions"]


async def test_an_enrolled_device_is_proven_shown_and_audited(device_server):
    agent = enroll(device_server, BOB, "BOB-PC")
    await agent.connect(device_server)  # a check-in, so the helper sees when it last was
    await agent.close()
    sharer, welcome = await _sharer(device_server, BOB, agent)
    assert welcome.type == "welcome"
    helper, identity, joined = await _redeem(device_server, sharer)
    assert identity.type == "helper_identity"
    assert joined.type == "sharer_joined"
    device = joined.device
    assert (device.enrolled, device.id, device.name) == (True, agent.device_id, "BOB-PC")
    assert (device.os, device.os_version) == ("Linux", "6.2")
    assert device.last_check_in is not None
    await sharer.send(Consent(level="view"))
    assert (await helper.recv()).type == "consent_result"
    await helper.send(End())
    await sharer.recv()

    [row] = _audit(device_server)
    assert (row["device_id"], row["device_enrolled"]) == (agent.device_id, True)
    assert row["device_name"] == "BOB-PC"  # the enrolled name, not what the app claimed
    for client in (helper, sharer):
        await client.close()


async def test_a_forged_device_proof_is_refused_at_sign_in(device_server):
    agent = enroll(device_server, BOB, "BOB-PC")
    impostor = FakeAgent(generate_device_key(), agent.device_id, "BOB-PC")
    sharer, answer = await _sharer(device_server, BOB, impostor)
    assert answer.type == "error" and answer.code == "device_refused"
    assert "does not verify" in answer.message
    await sharer.close()


async def test_a_proof_is_good_for_its_own_sign_in_only(device_server):
    agent = enroll(device_server, BOB, "BOB-PC")
    token = device_server.token_for(BOB)
    proof = live_help_proof(agent.key, agent.device_id, token)
    first = await WsClient.open(device_server)
    await first.send(Hello(token=token, role="sharer", device_proof=proof))
    assert (await first.recv()).type == "welcome"

    replay = await WsClient.open(device_server)
    await replay.send(Hello(token=token, role="sharer", device_proof=proof))
    refused = await replay.recv()
    assert refused.code == "device_refused" and "used before" in refused.message

    # A proof made for another user's token cannot be carried over to this one.
    sharer, answer = await _sharer(device_server, CAROL, agent, proof_token="someone-else")
    assert answer.code == "device_refused" and "not for this sign-in" in answer.message
    for client in (first, replay, sharer):
        await client.close()


async def test_an_unenrolled_device_is_marked_so(device_server):
    sharer, welcome = await _sharer(device_server, BOB, None)
    assert welcome.type == "welcome"
    helper, _, joined = await _redeem(device_server, sharer)
    assert joined.device.enrolled is False and joined.device.id == ""
    assert joined.device.name == "CLAIMED-PC" and joined.device_name == "CLAIMED-PC"
    await sharer.send(Consent(level="decline"))
    [row] = _audit(device_server)
    assert (row["device_id"], row["device_enrolled"], row["device_name"]) == (
        "", False, "CLAIMED-PC",
    )  # fmt: skip
    for client in (helper, sharer):
        await client.close()


async def test_scope_follows_the_device_groups_not_the_user(device_server):
    # Carol is in hr, outside Erin's scope; on Bob's finance device she may be helped.
    bobs_pc = enroll(device_server, BOB, "BOB-PC")
    sharer, _ = await _sharer(device_server, CAROL, bobs_pc)
    helper, identity, joined = await _redeem(device_server, sharer)
    assert identity.type == "helper_identity" and joined.device.id == bobs_pc.device_id
    for client in (helper, sharer):
        await client.close()

    carols_pc = enroll(device_server, CAROL, "CAROL-PC")
    sharer, _ = await _sharer(device_server, BOB, carols_pc)
    helper, refused, told = await _redeem(device_server, sharer)
    assert refused.code == "out_of_scope" and told.code == "out_of_scope"
    for client in (helper, sharer):
        await client.close()


async def test_a_deleted_device_cannot_prove_itself(device_server, api):
    agent = enroll(device_server, BOB, "BOB-PC")
    assert api(ERIN).act(agent.device_id, "delete", confirm="BOB-PC").status_code == 201
    sharer, answer = await _sharer(device_server, BOB, agent)
    assert answer.code == "device_refused" and "not enrolled" in answer.message
    await sharer.close()


async def test_the_policy_may_refuse_unenrolled_devices(tmp_path):
    folder = tmp_path / "strict"
    folder.mkdir()
    server = start_server(directory_file(folder, allow_unenrolled=False), folder / "data")
    try:
        sharer, _ = await _sharer(server, BOB, None)
        helper, refused, told = await _redeem(server, sharer)
        assert refused.code == "device_refused" and "not enrolled" in refused.message
        assert told.code == "device_refused"
        [row] = _audit(server)
        assert row["outcome"] == "device_refused" and row["device_enrolled"] is False
        for client in (helper, sharer):
            await client.close()

        agent = enroll(server, BOB, "BOB-PC")
        sharer, _ = await _sharer(server, BOB, agent)
        helper, identity, joined = await _redeem(server, sharer)
        assert identity.type == "helper_identity" and joined.device.enrolled
        for client in (helper, sharer):
            await client.close()
    finally:
        server.stop()


async def test_only_a_sharer_sends_a_device_proof(device_server):
    agent = enroll(device_server, BOB, "BOB-PC")
    token = device_server.token_for(ERIN)
    helper = await WsClient.open(device_server)
    proof = live_help_proof(agent.key, agent.device_id, token)
    await helper.send(Hello(token=token, role="helper", device_proof=proof))
    refused = await helper.recv()
    assert refused.code == "invalid" and "only a sharer" in refused.message
    await helper.close()
