"""The agent's link: it comes back after the server does, and an action interrupted by the
agent stopping is reported as interrupted, never run a second time."""

from __future__ import annotations

from pathlib import Path

from devtools.server import start_server
from tests.device_agent.conftest import DEVICE_DIRECTORY, Devices, stop_agent


def test_the_agent_reconnects_and_never_runs_an_action_twice(devices: Devices, tmp_path: Path):
    data_dir = tmp_path / "device"
    device = devices.enroll(data_dir, "FIN-LAPTOP-7")
    agent = devices.agent(data_dir)
    try:
        agent.wait_for("checked_in")
        # A restart that is still counting down when everything around it goes away.
        restart = devices.action(device["id"], "restart", "--countdown", "3600").json
        agent.wait_for("action_started", id=restart["id"])
        port = devices.server.port
        devices.server.stop()
        agent.wait_for("agent_disconnected")
        devices.server = start_server(DEVICE_DIRECTORY, devices.server.data_dir, port=port)
        agent.wait_for("checked_in")  # back by itself, with backoff
        # Redelivered (it is running), and not started again.
        sync = devices.action(device["id"], "sync", "--wait").json
        agent.wait_for("action_finished", id=sync["id"])
        started = [e["id"] for e in agent.events if e.get("event") == "action_started"]
        assert started == [sync["id"]]
    finally:
        assert stop_agent(agent) == 0

    # The agent stopped mid-countdown: the next one reports it, and does not restart.
    again = devices.agent(data_dir)
    try:
        done = devices.helper("action-status", restart["id"], "--wait").json
        assert done["state"] == "failed" and done["result"].startswith("interrupted")
    finally:
        assert stop_agent(again) == 0
    names = [e.get("event") for e in again.events_after_exit()]
    assert "checked_in" in names
    assert "action_started" not in names and "restart_countdown" not in names
