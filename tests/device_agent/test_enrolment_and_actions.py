"""Enrolment, and every action from the helper's command line to a real agent process.

The agent runs with ``--dry-run``: restart, lock, rename, wipe and fresh start record the
exact Linux command instead of running it; what Linux cannot do fails with the reason.
"""

from __future__ import annotations

import json
import stat
from pathlib import Path
from typing import Any

from devtools.waiting import wait_until
from tests.device_agent.conftest import OWNER, SECOND_ADMIN, Devices, stop_agent


def test_enrolment_records_the_device_and_keeps_the_key_on_it(devices: Devices, tmp_path: Path):
    data_dir = tmp_path / "device"
    device = devices.enroll(data_dir, "FIN-LAPTOP-7")
    assert device["name"] == "FIN-LAPTOP-7" and device["owner"] == OWNER
    assert device["os"] == "Linux" and device["os_version"] and device["helpline_version"]
    assert "finance" in device["groups"] and device["enrolled_at"]
    key = data_dir / "device-key.pem"
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert "PRIVATE KEY" in key.read_text()
    assert json.loads((data_dir / "enrolment.json").read_text())["device_id"] == device["id"]

    listed = devices.helper("devices")
    assert listed.status == 0, listed.err
    [seen] = [d for d in listed.json if d["id"] == device["id"]]
    assert (seen["name"], seen["os"], seen["owner"]) == ("FIN-LAPTOP-7", "Linux", OWNER)

    again = devices.enroll_cli(data_dir, "OTHER")
    assert again.status == 1
    assert again.err.strip() == (
        "helpline-sharer enroll: this device is already enrolled as 'FIN-LAPTOP-7' with "
        f"{devices.server.url}; retire it before enrolling again"
    )


def test_every_action_reaches_a_final_state(devices: Devices, tmp_path: Path):
    data_dir = tmp_path / "device"
    device = devices.enroll(data_dir, "FIN-LAPTOP-7")
    home = tmp_path / "home"
    (home / "Documents").mkdir(parents=True)
    (home / "Documents" / "salaries.txt").write_text("PERSONAL-SALARY-LIST")
    agent = devices.agent(data_dir, env={"HOME": str(home)})
    try:
        agent.wait_for("checked_in")
        name = device["name"]

        sync = devices.action(name, "sync", "--wait")
        assert sync.status == 0, sync.err
        assert sync.json["state"] == "succeeded"
        agent.wait_for("checked_in")  # the sync made the agent check in at once

        lock = devices.action(name, "lock", "--wait").json
        assert (lock["state"], lock["platform_command"]) == ("succeeded", "loginctl lock-sessions")

        rename = devices.action(name, "rename", "--new-name", "FIN-8", "--wait").json
        assert (rename["state"], rename["platform_command"]) == (
            "succeeded",
            "hostnamectl set-hostname FIN-8",
        )

        # The server's record follows the rename; from here the device goes by its id.
        name, device_id = "FIN-8", device["id"]
        [renamed] = [d for d in devices.helper("devices").json if d["id"] == device_id]
        assert renamed["name"] == name

        restart = devices.action(device_id, "restart", "--countdown", "0", "--wait").json
        assert (restart["state"], restart["platform_command"]) == ("succeeded", "systemctl reboot")
        assert agent.wait_for("restart_countdown", id=restart["id"])["seconds"] == 0

        fresh = devices.action(
            device_id, "fresh_start", "--keep-user-data", "--confirm", name, "--wait"
        )
        assert fresh.status == 1 and fresh.json["state"] == "failed"
        assert "Windows feature" in fresh.json["result"]

        # Wipe: confirmed by name, approved by a second person, then refused by Linux.
        wipe = devices.action(device_id, "wipe", "--confirm", name)
        assert wipe.status == 0 and wipe.json["state"] == "pending", wipe.err
        approved = devices.helper("approve", wipe.json["id"], user=SECOND_ADMIN)
        assert approved.status == 0, approved.err
        done = devices.helper("action-status", wipe.json["id"], "--wait")
        assert done.status == 1
        assert done.json["state"] == "failed" and "no factory reset" in done.json["result"]

        diagnostics = devices.action(device_id, "diagnostics", "--wait").json
        assert diagnostics["state"] == "succeeded" and diagnostics["has_report"]
        response = devices.report(diagnostics["id"])
        assert response.status_code == 200
        report = response.json()
        sections = report["sections"]
        assert {"os", "hardware", "disks", "network", "uptime_seconds", "helpline"} <= set(sections)
        assert any("agent" in name for name in sections["helpline_logs"])
        assert "PERSONAL-SALARY-LIST" not in response.text
    finally:
        assert stop_agent(agent) == 0


def test_the_user_may_postpone_a_restart_once(devices: Devices, tmp_path: Path):
    data_dir = tmp_path / "device"
    device = devices.enroll(data_dir, "FIN-LAPTOP-7")
    agent = devices.agent(data_dir)
    try:
        agent.wait_for("checked_in")
        restart = devices.action(device["id"], "restart", "--countdown", "3600")
        assert restart.status == 0, restart.err
        shown = agent.wait_for("restart_countdown", id=restart.json["id"])
        assert shown["can_postpone"] is True
        agent.send("postpone")
        assert agent.wait_for("restart_postponed", id=restart.json["id"])["seconds"] > 3600
        agent.send("postpone")
        refused = agent.wait_for("error")
        assert refused["code"] == "wrong_state"
        status = wait_until(
            lambda: _postponed(devices.helper("action-status", restart.json["id"]).json),
            "the server shows the postponement",
        )
        assert status["state"] == "running"
    finally:
        assert stop_agent(agent) == 0


def _postponed(record: dict[str, Any]) -> dict[str, Any] | None:
    return record if "postponed once" in record["progress"] else None
