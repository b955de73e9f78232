"""Retire in a temporary home; and who may not do what (API, command line)."""

from __future__ import annotations

from pathlib import Path

import httpx

from tests.device_agent.conftest import (
    NO_ACTIONS,
    OTHER_SCOPE_ADMIN,
    Devices,
    stop_agent,
)


def test_retire_removes_managed_data_and_key_and_keeps_personal_files(
    devices: Devices, tmp_path: Path
):
    home = tmp_path / "home"
    data_dir = home / ".local" / "share" / "helpline" / "device"
    device = devices.enroll(data_dir, "FIN-LAPTOP-7")
    (data_dir / "managed").mkdir()
    (data_dir / "managed" / "policy.json").write_text("{}")
    personal = [home / "Documents" / "thesis.odt", home / ".config" / "app.conf"]
    for path in personal:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("mine")
    agent = devices.agent(data_dir, env={"HOME": str(home)})
    try:
        agent.wait_for("checked_in")
        unconfirmed = devices.action(device["id"], "retire")
        assert unconfirmed.status == 3 and "confirm" in unconfirmed.err
        wrong = devices.action(device["id"], "retire", "--confirm", "OTHER-PC")
        assert wrong.status == 3
        retire = devices.action(device["id"], "retire", "--confirm", "FIN-LAPTOP-7", "--wait")
        assert retire.status == 0, retire.err
        assert retire.json["state"] == "succeeded"
        retired = agent.wait_for("retired")
        assert {"device-key.pem", "enrolment.json", "managed"} <= set(retired["removed"])
        assert agent.proc.wait(timeout=30) == 0
    finally:
        stop_agent(agent)
    assert not (data_dir / "device-key.pem").exists() and not (data_dir / "managed").exists()
    for path in personal:
        assert path.read_text() == "mine"


def test_out_of_scope_and_no_permission_are_refused(devices: Devices, tmp_path: Path):
    device = devices.enroll(tmp_path / "device", "FIN-LAPTOP-7")
    # No `actions` permission: the command line says so and exits 3.
    no_permission = devices.action(device["id"], "lock", user=NO_ACTIONS)
    assert no_permission.status == 3 and no_permission.out == ""
    assert no_permission.err.startswith("helpline-helper action: ")
    # Another group's admin does not even see the device.
    assert device["id"] not in devices.helper("devices", user=OTHER_SCOPE_ADMIN).out
    out_of_scope = devices.action(device["id"], "lock", user=OTHER_SCOPE_ADMIN)
    assert out_of_scope.status == 3
    token = devices.server.token_for(OTHER_SCOPE_ADMIN)
    api = httpx.post(
        f"{devices.server.url}/v1/devices/{device['id']}/actions",
        json={"action": "lock"},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert api.status_code in (403, 404)


def test_a_wipe_needs_a_second_person_and_nobody_approves_their_own(
    devices: Devices, tmp_path: Path
):
    device = devices.enroll(tmp_path / "device", "FIN-LAPTOP-7")
    wipe = devices.action(device["id"], "wipe", "--confirm", "FIN-LAPTOP-7", "--keep-user-data")
    assert wipe.status == 0 and wipe.json["needs_approval"] is True
    own = devices.helper("approve", wipe.json["id"])
    assert own.status == 3 and own.out == ""
    no_permission = devices.helper("approve", wipe.json["id"], user=NO_ACTIONS)
    assert no_permission.status == 3
    assert devices.helper("action-status", wipe.json["id"]).json["state"] == "pending"
