"""Destructive device actions against the real server: each needs the device's exact name,
the ones that erase a machine need a second person, nobody approves their own request in any
letter case, and a device cannot report on an action it was never sent, nor on another
device's.

The agent here is ``tests.devices.agent``: a client of the real ``/v1/agent`` websocket that
reports whatever a test tells it to, as a hostile device would.
"""

from __future__ import annotations

import pytest

from common.devices.actions import ActionState
from common.devices.agent_protocol import ActionUpdate, AgentError, Deliver
from devtools.server import start_server
from tests.devices.agent import enroll
from tests.devices.conftest import BOB, DIRECTORY, ERIN, FRANK, Api

MIXED = "Max.Mixed@Contoso.example"  # a device admin whose UPN comes in mixed case, as Entra's do


@pytest.fixture
def server(tmp_path):
    directory = tmp_path / "directory.toml"
    directory.write_text(
        DIRECTORY.format(allow_unenrolled="true")
        + f'\n[[users]]\nupn = "{MIXED}"\nname = "Max Mixed"\nroles = ["device-admin"]\n'
    )
    server = start_server(directory, tmp_path / "server-data")
    yield server
    server.stop()


def _state(server, action_id: str) -> str:
    response = Api(server, ERIN).get(f"/v1/devices/actions/{action_id}")
    assert response.status_code == 200, response.text
    return str(response.json()["state"])


async def test_a_fresh_start_that_erases_user_data_needs_the_name_and_a_second_person(server):
    agent = enroll(server, BOB, "BOB-PC")
    await agent.connect(server)
    erin = Api(server, ERIN)
    unconfirmed = erin.act(agent.device_id, "fresh_start")
    assert unconfirmed.status_code == 422 and "BOB-PC" in unconfirmed.json()["detail"]
    fresh = erin.act(agent.device_id, "fresh_start", confirm="BOB-PC")
    assert fresh.status_code == 201, fresh.text
    record = fresh.json()
    assert record["needs_approval"] is True and record["state"] == "pending"
    assert agent.received == []
    assert erin.post(f"/v1/devices/actions/{record['id']}/approve").status_code == 403
    assert _state(server, record["id"]) == "pending"
    approved = Api(server, FRANK).post(f"/v1/devices/actions/{record['id']}/approve")
    assert approved.status_code == 200 and approved.json()["approved_by"] == FRANK
    pushed = await agent.recv_type(Deliver)
    assert [a.id for a in pushed.actions] == [record["id"]]
    await agent.close()


async def test_a_fresh_start_that_keeps_user_data_needs_the_name_but_no_second_person(server):
    agent = enroll(server, BOB, "BOB-PC")
    erin = Api(server, ERIN)
    assert erin.act(agent.device_id, "fresh_start", keep_user_data=True).status_code == 422
    kept = erin.act(agent.device_id, "fresh_start", keep_user_data=True, confirm="BOB-PC")
    assert kept.status_code == 201 and kept.json()["needs_approval"] is False


def test_delete_needs_the_device_name(server):
    agent = enroll(server, BOB, "BOB-PC")
    erin = Api(server, ERIN)
    for confirm in (None, "BOB", "OTHER-PC"):
        refused = erin.act(agent.device_id, "delete", **({"confirm": confirm} if confirm else {}))
        assert refused.status_code == 422, refused.text
        assert "BOB-PC" in refused.json()["detail"]
    assert erin.get(f"/v1/devices/{agent.device_id}").status_code == 200
    deleted = erin.act(agent.device_id, "delete", confirm="BOB-PC")
    assert deleted.status_code == 201 and deleted.json()["state"] == "succeeded"


@pytest.mark.parametrize("action", ["wipe", "retire", "fresh_start", "delete"])
@pytest.mark.parametrize("confirm", ["BOB", "PC", "BOB-P", "OB-PC", "bob-pc", "BOB-PC2", " "])
def test_only_the_exact_name_confirms(server, action, confirm):
    agent = enroll(server, BOB, "BOB-PC")
    refused = Api(server, ERIN).act(agent.device_id, action, confirm=confirm)
    assert refused.status_code == 422, (confirm, refused.text)


async def test_nobody_approves_their_own_wipe_in_any_letter_case(server):
    agent = enroll(server, BOB, "BOB-PC")
    await agent.connect(server)
    for requester, approver in ((MIXED, MIXED), (MIXED, MIXED.lower()), (MIXED, MIXED.upper())):
        wipe = Api(server, requester).act(agent.device_id, "wipe", confirm="BOB-PC")
        assert wipe.status_code == 201, wipe.text
        own = Api(server, approver).post(f"/v1/devices/actions/{wipe.json()['id']}/approve")
        assert own.status_code == 403, own.text
        assert _state(server, wipe.json()["id"]) == "pending"
    assert agent.received == []
    await agent.close()


async def test_a_device_cannot_report_on_an_action_it_was_never_sent(server):
    agent = enroll(server, BOB, "BOB-PC")
    await agent.connect(server)
    wipe = Api(server, ERIN).act(agent.device_id, "wipe", confirm="BOB-PC").json()
    for state in ("succeeded", "failed", "running"):
        ack = await agent.report(wipe["id"], state, result="done")
        assert ack.state == "pending"
    record = Api(server, ERIN).get(f"/v1/devices/actions/{wipe['id']}").json()
    assert (record["state"], record["result"], record["finished_at"]) == ("pending", "", None)
    await agent.close()


async def test_a_device_cannot_report_on_another_devices_action(server):
    """A device that learnt the id of an action delivered to another machine cannot end it."""
    target = enroll(server, BOB, "BOB-PC")
    other = enroll(server, BOB, "BOB-LAPTOP")
    await target.connect(server)
    await other.connect(server)
    lock = Api(server, ERIN).act(target.device_id, "lock").json()
    pushed = await target.recv_type(Deliver)
    assert [a.id for a in pushed.actions] == [lock["id"]]
    forged = ActionUpdate(action_id=lock["id"], state=ActionState.FAILED, result="forged")
    await other.send(other.envelope(forged))
    refused = await other.recv()
    assert isinstance(refused, AgentError) and "no such action" in refused.message, refused
    record = Api(server, ERIN).get(f"/v1/devices/actions/{lock['id']}").json()
    assert (record["state"], record["result"]) == ("delivered", "")
    await target.close()
    await other.close()
