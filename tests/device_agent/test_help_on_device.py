"""Help on an enrolled device, headless, end to end: a real server, a device enrolled by the
real command, its real sharer app waiting with ``--await-help`` (and its real agent), and a
real helper that sends ``help_device``. Consent is asked as after a code, the scope is the
helper's roles over the device's groups, and the audit names the device."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import httpx
import pytest

from devtools.headless import HeadlessApp
from devtools.server import start_server
from devtools.waiting import wait_until
from tests.device_agent.conftest import (
    DEVICE_DIRECTORY,
    NO_ACTIONS,
    OTHER_SCOPE_ADMIN,
    OWNER,
    Devices,
    stop_agent,
)

pytestmark = pytest.mark.display

HELPER = NO_ACTIONS  # alice helps finance users; bob's devices are in finance
AUDITOR = "dana@contoso.example"


def _helper(devices: Devices, user: str = HELPER) -> HeadlessApp:
    helper = HeadlessApp("helper_app", "--server", devices.server.url, "--user", user)
    helper.wait_for("code")  # signed in, with a code the request replaces
    return helper


def _awaiting(devices: Devices, data_dir: Path, display: str, *flags: str) -> HeadlessApp:
    sharer = HeadlessApp(
        "sharer_app", "--server", devices.server.url, "--user", OWNER, "--await-help",
        "--data-dir", str(data_dir), *flags, env={"DISPLAY": display},
    )  # fmt: skip
    sharer.wait_for("awaiting_help")
    return sharer


def _records(devices: Devices) -> list[dict]:
    token = devices.server.token_for(AUDITOR)
    answer = httpx.get(
        devices.server.url + "/v1/audit/sessions",
        headers={"Authorization": f"Bearer {token}"},
        timeout=30,
    )
    return list(answer.json()["sessions"])


def test_help_on_a_device_runs_as_after_a_code_and_the_audit_names_the_device(
    devices: Devices, tmp_path: Path, private_display: str
):
    data_dir = tmp_path / "device"
    device = devices.enroll(data_dir, "FIN-LAPTOP-7")
    sharer = _awaiting(devices, data_dir, private_display, "--consent", "view")
    helper = _helper(devices)
    try:
        helper.send("help_device", device_id=device["id"])
        requested = helper.wait_for("help_requested")
        assert (requested["device_id"], requested["device_name"]) == (device["id"], "FIN-LAPTOP-7")
        card = sharer.wait_for("helper_identity")
        assert card["upn"] == HELPER and card["name"] == "Alice Example"
        joined = helper.wait_for("sharer_joined")
        assert joined["device"]["enrolled"] and joined["device"]["id"] == device["id"]
        assert helper.wait_for("consent")["level"] == "view"
        helper.wait_for("connected")
        sharer.wait_for("connected")
        helper.wait_until(lambda events: any(e.get("frames", 0) > 0 for e in events))
        helper.send("end")
        assert helper.wait_for("ended")["reason"] == "helper_ended"
        assert sharer.wait_for("ended")["reason"] == "helper_ended"
    finally:
        helper.close()
        sharer.close()
    assert sharer.proc.returncode == 0 and helper.proc.returncode == 0
    record = wait_until(
        lambda: next((r for r in _records(devices) if r.get("outcome") == "accepted"), None),
        "the session's audit record",
    )
    assert record["device_id"] == device["id"] and record["device_enrolled"] is True
    assert record["helper_upn"] == HELPER and record["sharer_upn"] == OWNER


def test_the_person_on_the_device_may_decline(
    devices: Devices, tmp_path: Path, private_display: str
):
    data_dir = tmp_path / "device"
    device = devices.enroll(data_dir, "FIN-LAPTOP-8")
    sharer = _awaiting(devices, data_dir, private_display)
    helper = _helper(devices)
    try:
        helper.send("help_device", device_id=device["id"])
        sharer.wait_for("helper_identity")  # nothing is shared before the choice
        sharer.send("consent", level="decline")
        assert helper.wait_for("consent")["level"] == "declined"
        assert helper.wait_for("ended")["reason"] == "declined"
    finally:
        helper.close()
        sharer.close()


def test_a_helper_whose_roles_do_not_cover_the_device_is_refused(
    devices: Devices, tmp_path: Path, private_display: str
):
    data_dir = tmp_path / "device"
    device = devices.enroll(data_dir, "FIN-LAPTOP-9")
    sharer = _awaiting(devices, data_dir, private_display, "--consent", "view")
    outsider = _helper(devices, OTHER_SCOPE_ADMIN)  # gina helps hr devices only
    try:
        outsider.send("help_device", device_id=device["id"])
        refused = outsider.wait_for("error")
        assert refused["code"] == "out_of_scope"
        # The device was never asked, and the helper keeps the code it had.
        assert not any(e["event"] == "help_offered" for e in sharer.events)
        outsider.send("new_code")
        outsider.wait_for("code")
    finally:
        outsider.close()
        sharer.close()
    assert not any(e["event"] == "help_offered" for e in sharer.events_after_exit())


def test_an_offline_device_says_so_at_once(devices: Devices, tmp_path: Path):
    device = devices.enroll(tmp_path / "device", "FIN-LAPTOP-10")
    helper = _helper(devices)
    try:
        helper.send("help_device", device_id=device["id"])
        refused = helper.wait_for("error")
        assert refused["code"] == "device_offline" and "FIN-LAPTOP-10" in refused["message"]
        helper.send("help_device", device_id="no-such-device")
        assert helper.wait_for("error")["code"] == "invalid"
    finally:
        helper.close()


def test_a_request_nobody_on_the_device_answers_expires(tmp_path: Path):
    """The agent is connected (the device is on) and tells the person; nobody answers."""
    server = start_server(
        DEVICE_DIRECTORY, tmp_path / "server-data", {"HELPLINE_HELP_REQUEST_SECONDS": "2"}
    )
    devices = Devices(server, tmp_path)
    agent = None
    helper = None
    try:
        data_dir = tmp_path / "device"
        device = devices.enroll(data_dir, "FIN-LAPTOP-11")
        agent = devices.agent(data_dir)
        agent.wait_for("agent_connected")
        helper = _helper(devices)
        helper.send("help_device", device_id=device["id"])
        helper.wait_for("help_requested")
        notice = agent.wait_for("help_wanted")
        assert notice["helper_name"] == "Alice Example" and "Open Helpline" in notice["message"]
        assert helper.wait_for("ended")["reason"] == "help_expired"
        assert helper.close() != 0
    finally:
        if helper is not None:
            helper.close()
        if agent is not None:
            stop_agent(agent)
        server.stop()


def test_a_sharer_app_that_does_not_answer_lets_the_request_expire(
    tmp_path: Path, private_display: str
):
    """The app is there but stuck (stopped): the helper is not left waiting."""
    server = start_server(
        DEVICE_DIRECTORY, tmp_path / "server-data", {"HELPLINE_HELP_REQUEST_SECONDS": "2"}
    )
    devices = Devices(server, tmp_path)
    data_dir = tmp_path / "device"
    sharer = None
    helper = None
    try:
        device = devices.enroll(data_dir, "FIN-LAPTOP-12")
        sharer = _awaiting(devices, data_dir, private_display, "--consent", "view")
        os.kill(sharer.proc.pid, signal.SIGSTOP)
        helper = _helper(devices)
        helper.send("help_device", device_id=device["id"])
        assert helper.wait_for("ended")["reason"] == "help_expired"
        os.kill(sharer.proc.pid, signal.SIGCONT)
        # Woken, it takes up a request that is no longer open: told so, and it waits on.
        refused = sharer.wait_for("error")
        assert refused["code"] == "invalid_code" and "no longer open" in refused["message"]
        assert not any(e["event"] == "helper_identity" for e in sharer.events)
    finally:
        if sharer is not None:
            os.kill(sharer.proc.pid, signal.SIGCONT)
            sharer.close()
        if helper is not None:
            helper.close()
        server.stop()


def test_await_help_on_a_machine_that_is_not_enrolled_says_so(
    devices: Devices, tmp_path: Path, private_display: str
):
    sharer = HeadlessApp(
        "sharer_app", "--server", devices.server.url, "--user", OWNER, "--await-help",
        "--data-dir", str(tmp_path / "never-enrolled"), env={"DISPLAY": private_display},
    )  # fmt: skip
    assert sharer.wait_for("error")["code"] == "not_enrolled"
    assert sharer.close() == 1
