"""Live help from an enrolled device: the helper is told which proven device it is, before
the session starts, and the audit names that device."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from devtools.headless import HeadlessApp
from devtools.waiting import wait_until
from tests.device_agent.conftest import NO_ACTIONS, OWNER, Devices

pytestmark = pytest.mark.display

HELPER = NO_ACTIONS  # alice helps finance users; she needs no `actions` for live help
AUDITOR = "dana@contoso.example"


def _session(devices: Devices, env: dict[str, str], display: str) -> dict:
    """One session ended by the helper; what the helper was told when the sharer joined."""
    helper = HeadlessApp("helper_app", "--server", devices.server.url, "--user", HELPER)
    sharer = None
    try:
        code = helper.wait_for("code")["code"]
        sharer = HeadlessApp(
            "sharer_app", "--server", devices.server.url, "--user", OWNER, "--code", code,
            "--consent", "view", env={**env, "DISPLAY": display},
        )  # fmt: skip
        joined = helper.wait_for("sharer_joined")
        helper.wait_for("connected")
        helper.send("end")
        helper.wait_for("ended")
        sharer.wait_for("ended")
    finally:
        helper.close()
        if sharer is not None:
            sharer.close()
    return joined


def _accepted_record(devices: Devices) -> dict | None:
    """The audit record of the accepted session, once it has been written."""
    token = devices.server.token_for(AUDITOR)
    answer = httpx.get(
        devices.server.url + "/v1/audit/sessions",
        headers={"Authorization": f"Bearer {token}"},
        timeout=30,
    ).json()
    accepted = [r for r in answer["sessions"] if r.get("outcome") == "accepted"]
    return accepted[0] if accepted else None


def test_a_session_from_an_enrolled_device_names_the_proven_device(
    devices: Devices, tmp_path: Path, private_display: str
):
    data_dir = tmp_path / "device"
    device = devices.enroll(data_dir, "FIN-LAPTOP-7")
    joined = _session(devices, {"HELPLINE_DEVICE_DATA_DIR": str(data_dir)}, private_display)
    summary = joined["device"]
    assert summary["enrolled"] is True and summary["id"] == device["id"]
    assert (summary["name"], summary["os"]) == ("FIN-LAPTOP-7", "Linux")
    record = wait_until(lambda: _accepted_record(devices), "the session's audit record")
    assert record["device_id"] == device["id"] and record["device_enrolled"] is True


def test_a_session_from_an_unenrolled_device_says_so(
    devices: Devices, tmp_path: Path, private_display: str
):
    env = {"HELPLINE_DEVICE_DATA_DIR": str(tmp_path / "never-enrolled")}
    joined = _session(devices, env, private_display)
    assert joined["device"]["enrolled"] is False and joined["device"]["id"] == ""
    record = wait_until(lambda: _accepted_record(devices), "the session's audit record")
    assert record["device_id"] == "" and record["device_enrolled"] is False
