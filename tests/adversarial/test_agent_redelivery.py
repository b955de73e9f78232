"""A restart counting down is redelivered (every check-in brings what is running): the agent
keeps counting, and the server never records it as failed. Deterministic: the agent handles
server frames in order, so once a later sync has ended, the redelivery before it was handled.
"""

from __future__ import annotations

from pathlib import Path

from tests.device_agent.conftest import (
    Devices,
    stop_agent,
)


def test_a_redelivered_restart_that_is_counting_down_stays_running(
    devices: Devices, tmp_path: Path
):
    data_dir = tmp_path / "device"
    device = devices.enroll(data_dir, "FIN-LAPTOP-7")
    agent = devices.agent(data_dir)
    try:
        agent.wait_for("checked_in")
        restart = devices.action(device["id"], "restart", "--countdown", "3600").json
        agent.wait_for("restart_countdown", id=restart["id"])
        # The first sync's check-in redelivers the restart; the second sync's delivery comes
        # after that redelivery on the same link, and its end after the agent handled both.
        for _ in range(2):
            sync = devices.action(device["id"], "sync", "--wait")
            assert sync.status == 0 and sync.json["state"] == "succeeded", sync.err
        status = devices.helper("action-status", restart["id"]).json
        assert status["state"] == "running", status
        assert not [e for e in agent.events if e.get("id") == restart["id"]
                    and e.get("event") == "action_finished"]  # fmt: skip
    finally:
        assert stop_agent(agent) == 0
