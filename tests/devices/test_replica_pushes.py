"""Device actions across replicas (Redis and PostgreSQL): what is requested at one replica is
pushed at once to the agent connected to another, exactly once, and what the agent reports
there is what the first replica answers."""

from __future__ import annotations

import pytest

from common.devices.agent_protocol import Deliver
from devtools.server import start_server
from tests.devices.agent import enroll
from tests.devices.conftest import BOB, ERIN, FRANK, Api, directory_file

NORMAL_CLOSE = 1000


@pytest.fixture
def device_replicas(tmp_path, replica_env):
    identity = directory_file(tmp_path)
    data_dir = tmp_path / "server-data"
    servers = [start_server(identity, data_dir, replica_env) for _ in range(2)]
    yield servers
    for server in servers:
        server.stop()


async def test_an_action_requested_at_one_replica_reaches_the_agent_at_the_other(
    device_replicas,
):
    asked, agents = device_replicas
    agent = enroll(agents, BOB, "BOB-PC")
    await agent.connect(agents)  # its next check-in is 15 minutes away: only a push is seen
    erin = Api(asked, ERIN)
    lock = erin.act(agent.device_id, "lock").json()
    diagnostics = erin.act(agent.device_id, "diagnostics").json()
    pushed = []
    while len(pushed) < 2:
        pushed += [a.id for a in (await agent.recv_type(Deliver)).actions]
    assert sorted(pushed) == sorted([lock["id"], diagnostics["id"]])  # each once
    assert erin.get(f"/v1/devices/actions/{lock['id']}").json()["state"] == "delivered"

    # The agent's reports, made at its replica, are what the asking replica answers.
    assert (await agent.report(lock["id"], "running")).state == "running"
    assert (await agent.report(lock["id"], "succeeded", result="locked")).state == "succeeded"
    report = {"collected_at": "2026-12-03T01:00:00+00:00", "sections": {"disk_free_gb": 42}}
    assert (await agent.report(diagnostics["id"], "running")).state == "running"
    assert (await agent.report(diagnostics["id"], "succeeded", report=report)).state == "succeeded"
    done = erin.get(f"/v1/devices/actions/{lock['id']}").json()
    assert (done["state"], done["result"]) == ("succeeded", "locked")
    got = erin.get(f"/v1/devices/actions/{diagnostics['id']}/report")
    assert got.status_code == 200 and got.json()["sections"] == {"disk_free_gb": 42}

    # A check-in sends nothing twice: what was delivered and finished is not delivered again.
    _, again = await agent.check_in()
    assert again.actions == []
    await agent.close()


async def test_an_approval_and_a_delete_at_one_replica_reach_the_agent_at_the_other(
    device_replicas,
):
    asked, agents = device_replicas
    agent = enroll(agents, BOB, "BOB-PC")
    await agent.connect(agents)
    wipe = Api(asked, ERIN).act(agent.device_id, "wipe", confirm="BOB-PC").json()
    assert Api(asked, FRANK).post(f"/v1/devices/actions/{wipe['id']}/approve").is_success
    pushed = await agent.recv_type(Deliver)
    assert [a.id for a in pushed.actions] == [wipe["id"]]
    assert (await agent.report(wipe["id"], "running")).state == "running"
    assert (await agent.report(wipe["id"], "failed", result="not here")).state == "failed"

    assert Api(asked, ERIN).act(agent.device_id, "delete", confirm="BOB-PC").status_code == 201
    assert (await agent.recv()).model_dump(include={"type", "reason"}) == {
        "type": "retire",
        "reason": "deleted",
    }
    assert await agent.closed() == NORMAL_CLOSE
