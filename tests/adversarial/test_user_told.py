"""The person at the machine is told before an action changes it, and who asked: in the
agent's events (the tray app shows them) and, with no tray app, as a desktop notification
(``notify-send``; here a stand-in on PATH that writes down what it was asked to show)."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from tests.device_agent.conftest import (
    ADMIN,
    SECOND_ADMIN,
    Devices,
    stop_agent,
)


def _notify_send(folder: Path) -> tuple[Path, Path]:
    folder.mkdir()
    shown = folder / "shown.txt"
    script = folder / "notify-send"
    script.write_text(f'#!/bin/sh\nprintf "%s|" "$@" >> "{shown}"\necho >> "{shown}"\n')
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return folder, shown


@pytest.mark.parametrize(
    ("action", "args"),
    [
        ("lock", []),
        ("rename", ["--new-name", "FIN-8"]),
        ("wipe", ["--confirm", "FIN-LAPTOP-7", "--keep-user-data"]),
        ("retire", ["--confirm", "FIN-LAPTOP-7"]),
    ],
)
def test_the_user_is_told_what_is_about_to_happen_and_who_asked(
    devices: Devices, tmp_path: Path, action, args
):
    data_dir = tmp_path / "device"
    device = devices.enroll(data_dir, "FIN-LAPTOP-7")
    bin_dir, shown = _notify_send(tmp_path / "bin")
    env = {"PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}"}
    agent = devices.agent(data_dir, env=env)
    try:
        agent.wait_for("checked_in")
        requested = devices.action(device["id"], action, *args)
        assert requested.status == 0, requested.err
        if requested.json["needs_approval"]:
            approved = devices.helper("approve", requested.json["id"], user=SECOND_ADMIN)
            assert approved.status == 0, approved.err
        action_id = requested.json["id"]
        notice = agent.wait_for("action_notice", id=action_id)
        assert notice["requested_by"] == ADMIN and notice["action"] == action
        assert ADMIN in notice["message"]
        # Told before: nothing had started or ended when the notice came (events are kept).
        assert not [e for e in agent.events if e.get("id") == action_id]
        agent.wait_for("action_finished", id=action_id)
    finally:
        stop_agent(agent)
    told = shown.read_text()
    assert "Helpline" in told and ADMIN in told, told
