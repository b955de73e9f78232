"""The agent's websocket: a check-in signed by the device key is accepted; a forged, stale,
replayed or foreign one is refused and the link closed."""

from __future__ import annotations

import time

from common.devices.actions import ActionState
from common.devices.agent_protocol import ActionUpdate, AgentError, CheckIn, Deliver
from common.devices.signing import generate_device_key, sign_envelope
from tests.devices.agent import FakeAgent, enroll
from tests.devices.conftest import BOB, ERIN

POLICY_VIOLATION = 1008


async def _refused(agent, envelope) -> AgentError:
    await agent.send(envelope)
    error = await agent.recv()
    assert isinstance(error, AgentError), error
    assert await agent.closed() == POLICY_VIOLATION
    return error


async def test_a_signed_check_in_is_accepted_and_recorded(device_server, api):
    agent = enroll(device_server, BOB, "BOB-PC")
    checked, deliver = await agent.connect(device_server)
    assert checked.device.id == agent.device_id and checked.device.name == "BOB-PC"
    assert checked.check_in_seconds == 15 * 60
    assert abs(checked.server_time - time.time()) < 3600  # a clock, not a threshold on speed
    assert deliver.actions == []
    device = api(ERIN).get(f"/v1/devices/{agent.device_id}").json()
    assert device["last_check_in"] is not None and device["online"] is True
    assert device["os_version"] == "6.2"  # what the check-in said

    first = device["last_check_in"]
    await agent.check_in()  # later check-ins on the same link are signed too
    assert api(ERIN).get(f"/v1/devices/{agent.device_id}").json()["last_check_in"] >= first
    await agent.close()


async def test_a_check_in_signed_by_another_key_is_refused(device_server, api):
    agent = enroll(device_server, BOB, "BOB-PC")
    await agent.open(device_server)
    forged = sign_envelope(generate_device_key(), agent.device_id, CheckIn())
    error = await _refused(agent, forged)
    assert error.code == "device_refused" and "does not verify" in error.message
    assert api(ERIN).get(f"/v1/devices/{agent.device_id}").json()["last_check_in"] is None


async def test_a_tampered_body_is_refused(device_server):
    agent = enroll(device_server, BOB, "BOB-PC")
    await agent.open(device_server)
    envelope = agent.envelope(CheckIn(os="Linux")).model_dump(mode="json")
    envelope["body"]["os"] = "Windows"
    error = await _refused(agent, envelope)
    assert error.code == "device_refused"


async def test_a_replayed_check_in_is_refused(device_server):
    agent = enroll(device_server, BOB, "BOB-PC")
    envelope = agent.envelope(CheckIn())
    await agent.open(device_server)
    await agent.send(envelope)
    await agent.recv()  # checked_in
    await agent.close()

    again = FakeAgent(agent.key, agent.device_id, agent.name)
    await again.open(device_server)
    error = await _refused(again, envelope)
    assert error.code == "device_refused" and "used before" in error.message


async def test_a_stale_or_future_check_in_is_refused(device_server):
    agent = enroll(device_server, BOB, "BOB-PC")
    for when in (time.time() - 3600, time.time() + 3600):
        await agent.open(device_server)
        error = await _refused(agent, agent.envelope(CheckIn(), now=when))
        assert error.code == "device_refused" and "clock" in error.message


async def test_an_unknown_device_is_refused(device_server):
    stranger = sign_envelope(generate_device_key(), "0123456789abcdef", CheckIn())
    agent = enroll(device_server, BOB, "BOB-PC")
    await agent.open(device_server)
    error = await _refused(agent, stranger)
    assert error.code == "device_refused" and "not enrolled" in error.message


async def test_the_first_frame_must_be_a_signed_check_in(device_server):
    agent = enroll(device_server, BOB, "BOB-PC")
    await agent.open(device_server)
    await agent.send({"v": 1, "type": "check_in"})  # no envelope at all
    error = await agent.recv()
    assert isinstance(error, AgentError) and error.code == "invalid"
    assert await agent.closed() == POLICY_VIOLATION


async def test_bad_frames_after_check_in_cost_an_error_not_the_link(device_server):
    agent = enroll(device_server, BOB, "BOB-PC")
    await agent.connect(device_server)
    for frame in ("{nope", '{"v": 2}', '{"v": 1, "device_id": "x"}'):
        await agent.ws.send(frame)
        error = await agent.recv()
        assert isinstance(error, AgentError) and error.code in {
            "malformed", "unsupported_version", "invalid",
        }  # fmt: skip
    # Signed, but about an action this device does not have.
    await agent.send(agent.envelope(ActionUpdate(action_id="nope", state=ActionState.RUNNING)))
    error = await agent.recv()
    assert isinstance(error, AgentError) and "no such action" in error.message
    _, deliver = await agent.check_in()
    assert isinstance(deliver, Deliver)
    await agent.close()


async def test_an_oversized_report_is_refused_and_the_link_goes_on(device_server, api):
    agent = enroll(device_server, BOB, "BOB-PC")
    await agent.connect(device_server)
    action = api(ERIN).act(agent.device_id, "diagnostics").json()
    await agent.recv_type(Deliver)
    report = {"collected_at": "2026-11-30T01:00:00+00:00", "sections": {"log": "x" * 600_000}}
    huge = ActionUpdate(action_id=action["id"], state=ActionState.SUCCEEDED, report=report)
    await agent.send(agent.envelope(huge))
    error = await agent.recv()
    assert isinstance(error, AgentError) and error.code == "too_large"
    assert api(ERIN).get(f"/v1/devices/actions/{action['id']}").json()["state"] == "delivered"
    assert (await agent.report(action["id"], "failed", result="report too large")).state == "failed"
    await agent.close()
