"""Actions through the real API to a test agent on the real websocket: delivery, states,
exactly once (also across a reconnect and a server restart), cancel, confirmation, the
second approver, refusals, and the audit chain that records every change."""

from __future__ import annotations

import sqlite3
import subprocess
import sys

import pytest

from common.devices.actions import ActionState
from common.devices.agent_protocol import ActionUpdate, CheckIn, Deliver, Retire
from devtools.server import start_server
from tests.devices.agent import FakeAgent, enroll
from tests.devices.conftest import BOB, CAROL, ERIN, FRANK, NOBODY, SAM, VIC

NORMAL_CLOSE = 1000


def _state(api, action_id: str) -> dict:
    response = api(ERIN).get(f"/v1/devices/actions/{action_id}")
    assert response.status_code == 200, response.text
    return response.json()


async def _run(agent: FakeAgent, action_id: str, final: str = "succeeded", **fields) -> None:
    assert (await agent.report(action_id, "running", progress="started")).state == "running"
    ack = await agent.report(action_id, final, **fields)
    assert ack.state == final


@pytest.mark.parametrize(
    ("action", "fields", "final"),
    [
        ("sync", {}, "succeeded"),
        ("restart", {"countdown_seconds": 60}, "succeeded"),
        ("lock", {}, "failed"),
        ("fresh_start", {"keep_user_data": True, "confirm": "BOB-PC"}, "succeeded"),
    ],
)
async def test_an_action_is_pushed_to_the_connected_agent_and_ends(
    device_server, api, action, fields, final
):
    agent = enroll(device_server, BOB, "BOB-PC")
    await agent.connect(device_server)
    response = api(ERIN).act(agent.device_id, action, **fields)
    assert response.status_code == 201, response.text
    requested = response.json()
    assert (requested["state"], requested["requested_by"]) == ("pending", ERIN)

    pushed = await agent.recv_type(Deliver)
    assert [a.id for a in pushed.actions] == [requested["id"]]
    assert pushed.actions[0].state == "delivered"
    assert _state(api, requested["id"])["state"] == "delivered"

    result = "done" if final == "succeeded" else "no screen"
    await _run(
        agent, requested["id"], final, result=result, platform_command="loginctl lock-sessions"
    )
    record = _state(api, requested["id"])
    assert record["state"] == final and record["finished_at"]
    assert record["platform_command"] == "loginctl lock-sessions"
    assert record["progress"] == "started"
    if action == "restart":
        assert record["parameters"]["countdown_seconds"] == 60
    if action == "fresh_start":
        assert record["parameters"]["keep_user_data"] is True
    # A final state is final: a late or repeated update changes nothing.
    assert (await agent.report(requested["id"], "running")).state == final
    await agent.close()


async def test_rename_renames_the_device_when_it_succeeded(device_server, api):
    agent = enroll(device_server, BOB, "BOB-PC")
    await agent.connect(device_server)
    assert api(ERIN).act(agent.device_id, "rename").status_code == 422  # needs new_name
    action = api(ERIN).act(agent.device_id, "rename", new_name="FIN-042").json()
    await agent.recv_type(Deliver)
    assert api(ERIN).get(f"/v1/devices/{agent.device_id}").json()["name"] == "BOB-PC"
    await _run(agent, action["id"], platform_command="hostnamectl set-hostname FIN-042")
    assert api(ERIN).get(f"/v1/devices/{agent.device_id}").json()["name"] == "FIN-042"
    await agent.close()


async def test_a_diagnostics_report_is_stored_for_those_in_scope(device_server, api):
    agent = enroll(device_server, BOB, "BOB-PC")
    await agent.connect(device_server)
    action = api(ERIN).act(agent.device_id, "diagnostics").json()
    await agent.recv_type(Deliver)
    assert api(ERIN).get(f"/v1/devices/actions/{action['id']}/report").status_code == 404
    report = {"collected_at": "2026-11-30T01:00:00+00:00",
              "sections": {"system": {"kernel": "6.2"}, "disk_free_gb": 42}}  # fmt: skip
    await _run(agent, action["id"], report=report)
    assert _state(api, action["id"])["has_report"] is True

    got = api(ERIN).get(f"/v1/devices/actions/{action['id']}/report")
    assert got.status_code == 200
    assert got.json()["sections"] == {"system": {"kernel": "6.2"}, "disk_free_gb": 42}
    assert got.headers["content-disposition"].startswith("attachment")
    # reports over every group may read it; a viewer without actions or reports may not.
    assert api("dana@contoso.example").get(f"/v1/devices/actions/{action['id']}/report").is_success
    assert api(VIC).get(f"/v1/devices/actions/{action['id']}/report").status_code == 403
    assert api(SAM).get(f"/v1/devices/actions/{action['id']}/report").status_code == 403
    await agent.close()


async def test_actions_queued_offline_are_delivered_once_even_across_a_restart(
    tmp_path, device_server, api
):
    agent = enroll(device_server, BOB, "BOB-PC")
    first = api(ERIN).act(agent.device_id, "sync").json()
    second = api(ERIN).act(agent.device_id, "lock").json()
    assert _state(api, first["id"])["state"] == "pending"

    _, deliver = await agent.connect(device_server)
    assert [a.id for a in deliver.actions] == [first["id"], second["id"]]
    await _run(agent, first["id"])
    # The link drops before the lock was acknowledged: it comes again, with the same id.
    await agent.close()
    _, deliver = await agent.connect(device_server)
    assert [a.id for a in deliver.actions] == [second["id"]]
    await agent.report(second["id"], "running")
    await agent.close()

    third = api(ERIN).act(agent.device_id, "restart").json()
    device_server.stop()
    restarted = start_server(
        tmp_path / "devices-identity.toml", device_server.data_dir, log_path=tmp_path / "again.log"
    )
    try:
        _, deliver = await agent.connect(restarted)
        # Still running from before (same id again), and the one queued before the restart.
        assert [a.id for a in deliver.actions] == [second["id"], third["id"]]
        await agent.report(second["id"], "succeeded")
        await agent.report(third["id"], "succeeded")
        await agent.close()
        _, deliver = await agent.connect(restarted)
        assert deliver.actions == []
        await agent.close()
        # Every id was delivered; only unacknowledged ones more than once, never a finished one.
        assert agent.received.count(first["id"]) == 1
        assert agent.received.count(third["id"]) == 1
    finally:
        restarted.stop()


async def test_a_pending_action_can_be_cancelled_a_delivered_one_not(device_server, api):
    agent = enroll(device_server, BOB, "BOB-PC")
    action = api(ERIN).act(agent.device_id, "restart").json()
    assert action["parameters"]["countdown_seconds"] == 300  # the default countdown
    cancelled = api(FRANK).post(f"/v1/devices/actions/{action['id']}/cancel")
    assert cancelled.status_code == 200
    assert (cancelled.json()["state"], cancelled.json()["cancelled_by"]) == ("cancelled", FRANK)

    _, deliver = await agent.connect(device_server)
    assert deliver.actions == []
    lock = api(ERIN).act(agent.device_id, "lock").json()
    await agent.recv_type(Deliver)
    late = api(ERIN).post(f"/v1/devices/actions/{lock['id']}/cancel")
    assert late.status_code == 409 and "only a pending action" in late.json()["detail"]
    assert api(VIC).post(f"/v1/devices/actions/{lock['id']}/cancel").status_code == 403
    await agent.close()


async def test_wipe_needs_confirmation_and_a_second_approver(device_server, api):
    agent = enroll(device_server, BOB, "BOB-PC")
    await agent.connect(device_server)
    unconfirmed = api(ERIN).act(agent.device_id, "wipe")
    assert unconfirmed.status_code == 422 and "BOB-PC" in unconfirmed.json()["detail"]
    assert api(ERIN).act(agent.device_id, "wipe", confirm="OTHER-PC").status_code == 422

    wipe = api(ERIN).act(agent.device_id, "wipe", confirm="BOB-PC", keep_user_data=True).json()
    assert (wipe["state"], wipe["needs_approval"], wipe["approved_by"]) == ("pending", True, None)
    assert wipe["parameters"]["keep_user_data"] is True
    _, deliver = await agent.check_in()
    assert deliver.actions == []  # not before a second person approves

    own = api(ERIN).post(f"/v1/devices/actions/{wipe['id']}/approve")
    assert own.status_code == 403 and "own request" in own.json()["detail"]
    assert api(VIC).post(f"/v1/devices/actions/{wipe['id']}/approve").status_code == 403
    assert api(SAM).post(f"/v1/devices/actions/{wipe['id']}/approve").status_code == 403
    approved = api(FRANK).post(f"/v1/devices/actions/{wipe['id']}/approve")
    assert approved.status_code == 200 and approved.json()["approved_by"] == FRANK
    assert api(FRANK).post(f"/v1/devices/actions/{wipe['id']}/approve").status_code == 409

    pushed = await agent.recv_type(Deliver)
    assert [a.id for a in pushed.actions] == [wipe["id"]]
    await _run(agent, wipe["id"])
    lock = api(ERIN).act(agent.device_id, "lock").json()
    assert api(FRANK).post(f"/v1/devices/actions/{lock['id']}/approve").status_code == 409
    await agent.close()


async def test_out_of_scope_and_no_permission_are_refused(device_server, api):
    bobs = enroll(device_server, BOB, "BOB-PC")
    carols = enroll(device_server, CAROL, "CAROL-PC")
    refused = api(VIC).act(bobs.device_id, "lock")
    assert refused.status_code == 403 and "does not grant actions" in refused.json()["detail"]
    out = api(ERIN).act(carols.device_id, "lock")
    assert out.status_code == 403 and "outside your support scope" in out.json()["detail"]
    assert api(SAM).act(bobs.device_id, "sync").status_code == 403
    assert api(NOBODY).act(bobs.device_id, "sync").status_code == 403
    assert api(ERIN).act(bobs.device_id, "format_c").status_code == 422
    assert api(ERIN).act(bobs.device_id, "lock", keep_user_data=True).status_code == 422
    assert api(ERIN).get(f"/v1/devices/{bobs.device_id}/actions").json()["actions"] == []


async def test_retire_unenrols_the_device(device_server, api):
    agent = enroll(device_server, BOB, "BOB-PC")
    await agent.connect(device_server)
    waiting = api(ERIN).act(agent.device_id, "lock").json()
    await agent.recv_type(Deliver)
    assert api(ERIN).act(agent.device_id, "retire").status_code == 422
    retire = api(ERIN).act(agent.device_id, "retire", confirm="BOB-PC").json()
    await agent.recv_type(Deliver)
    await agent.report(retire["id"], "running")
    await agent.send(
        agent.envelope(ActionUpdate(action_id=retire["id"], state=ActionState.SUCCEEDED))
    )
    assert (await agent.recv_type(Retire)).reason == "retired"
    assert await agent.closed() == NORMAL_CLOSE

    device = api(ERIN).get(f"/v1/devices/{agent.device_id}").json()
    assert device["status"] == "retired"
    assert _state(api, waiting["id"])["state"] == "failed"  # it will never run now
    assert api(ERIN).act(agent.device_id, "lock").status_code == 409
    await agent.open(device_server)
    await agent.send(agent.envelope(CheckIn()))
    assert (await agent.recv()).model_dump(include={"type", "reason"}) == {
        "type": "retire",
        "reason": "retired",
    }


async def test_delete_removes_the_record_and_the_device_retires_at_check_in(device_server, api):
    agent = enroll(device_server, BOB, "BOB-PC")
    queued = api(ERIN).act(agent.device_id, "lock").json()
    delete = api(ERIN).act(agent.device_id, "delete", confirm="BOB-PC")
    assert delete.status_code == 201 and delete.json()["state"] == "succeeded"
    assert api(ERIN).get(f"/v1/devices/{agent.device_id}").status_code == 404
    assert api(ERIN).get("/v1/devices").json()["devices"] == []
    assert api(ERIN).get(f"/v1/devices/actions/{queued['id']}").status_code == 404

    await agent.open(device_server)
    await agent.send(agent.envelope(CheckIn()))
    assert (await agent.recv()).model_dump(include={"type", "reason"}) == {
        "type": "retire",
        "reason": "deleted",
    }
    assert await agent.closed() == NORMAL_CLOSE


async def test_delete_tells_a_connected_agent_at_once(device_server, api):
    agent = enroll(device_server, BOB, "BOB-PC")
    await agent.connect(device_server)
    assert api(ERIN).act(agent.device_id, "delete", confirm="BOB-PC").status_code == 201
    assert (await agent.recv()).model_dump(include={"type", "reason"}) == {
        "type": "retire",
        "reason": "deleted",
    }
    assert await agent.closed() == NORMAL_CLOSE


async def test_every_change_is_on_the_audit_chain(tmp_path, device_server, api):
    agent = enroll(device_server, BOB, "BOB-PC")
    await agent.connect(device_server)
    action = api(ERIN).act(agent.device_id, "lock").json()
    await agent.recv_type(Deliver)
    await _run(agent, action["id"])
    await agent.close()
    device_server.stop()

    with sqlite3.connect(device_server.data_dir / "helpline.db") as db:
        kinds = [row[0] for row in db.execute("SELECT kind FROM audit_events ORDER BY seq")]
        states = [
            row[0]
            for row in db.execute(
                "SELECT json_extract(change, '$.state') FROM audit_events "
                "WHERE kind = 'device_action' ORDER BY seq"
            )
        ]
    assert "device_enrolled" in kinds
    assert states == ["pending", "delivered", "running", "succeeded"]
    verify = subprocess.run(
        [sys.executable, "-m", "signaling", "audit", "verify", "--data-dir",
         str(device_server.data_dir)],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert verify.returncode == 0, verify.stdout + verify.stderr
