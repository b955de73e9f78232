"""Delivery: queued while the agent is away, exactly once, across a server restart; cancel;
and the device retiring itself when the server deleted it."""

from __future__ import annotations

import json
from pathlib import Path

from devtools.server import start_server
from tests.device_agent.conftest import DEVICE_DIRECTORY, Devices, stop_agent


def _journal_ids(data_dir: Path) -> list[str]:
    lines = (data_dir / "actions.jsonl").read_text().splitlines()
    return [json.loads(line)["id"] for line in lines if json.loads(line)["state"] == "running"]


def test_queued_actions_run_once_when_the_agent_returns_even_after_a_server_restart(
    devices: Devices, tmp_path: Path
):
    data_dir = tmp_path / "device"
    device = devices.enroll(data_dir, "FIN-LAPTOP-7")
    lock = devices.action(device["id"], "lock").json
    rename = devices.action(device["id"], "rename", "--new-name", "FIN-9").json
    assert lock["state"] == rename["state"] == "pending"

    devices.server.stop()
    devices.server = start_server(DEVICE_DIRECTORY, devices.server.data_dir)
    agent = devices.agent(data_dir)
    try:
        for record in (lock, rename):
            done = devices.helper("action-status", record["id"], "--wait").json
            assert done["state"] == "succeeded"
        for record in (lock, rename):
            agent.wait_for("action_finished", id=record["id"])
        started = [e["id"] for e in agent.events if e.get("event") == "action_started"]
    finally:
        assert stop_agent(agent) == 0

    # The agent comes back and the server delivers nothing twice; the journal is the proof.
    again = devices.agent(data_dir)
    try:
        again.wait_for("checked_in")
        sync = devices.action(device["id"], "sync", "--wait").json
        assert sync["state"] == "succeeded"
        again.wait_for("action_finished", id=sync["id"])
        assert [e for e in again.events if e.get("event") == "action_started"] == [
            {"event": "action_started", "id": sync["id"], "action": "sync"}
        ]
    finally:
        assert stop_agent(again) == 0
    assert sorted(started) == sorted([lock["id"], rename["id"]])
    assert sorted(_journal_ids(data_dir)) == sorted([lock["id"], rename["id"], sync["id"]])


def test_a_pending_action_can_be_cancelled_and_is_never_delivered(devices: Devices, tmp_path: Path):
    data_dir = tmp_path / "device"
    device = devices.enroll(data_dir, "FIN-LAPTOP-7")
    lock = devices.action(device["id"], "lock").json
    cancelled = devices.helper("cancel", lock["id"])
    assert cancelled.status == 0 and cancelled.json["state"] == "cancelled"
    assert devices.helper("cancel", lock["id"]).status == 3  # nothing left to cancel
    agent = devices.agent(data_dir)
    try:
        agent.wait_for("checked_in")
        sync = devices.action(device["id"], "sync", "--wait").json
        agent.wait_for("action_finished", id=sync["id"])
        assert lock["id"] not in json.dumps(agent.events)
    finally:
        assert stop_agent(agent) == 0


def test_a_deleted_device_retires_itself_at_its_next_check_in(devices: Devices, tmp_path: Path):
    data_dir = tmp_path / "device"
    device = devices.enroll(data_dir, "FIN-LAPTOP-7")
    (data_dir / "managed").mkdir()
    (data_dir / "managed" / "policy.json").write_text("{}")
    deleted = devices.action(device["id"], "delete", "--confirm", "FIN-LAPTOP-7").json
    assert deleted["state"] == "succeeded"
    assert device["id"] not in json.dumps(devices.helper("devices").json)
    agent = devices.agent(data_dir)
    retired = agent.wait_for("retired")
    assert "device-key.pem" in retired["removed"]
    assert agent.proc.wait(timeout=30) == 0
    assert not data_dir.exists()
