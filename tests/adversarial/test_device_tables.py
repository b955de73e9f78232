"""Someone who can write the server's database, but holds none of its keys, edits the device
tables. ``audit verify`` names every edit, and the device agent (a real process) runs no
action the server itself did not sign, nor any action from a server it did not enrol with.
"""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from devtools.server import start_server
from tests.device_agent.conftest import (
    ADMIN,
    DEVICE_DIRECTORY,
    SECOND_ADMIN,
    Devices,
    stop_agent,
)


def _sql(server, statement: str, *params: object) -> None:
    with sqlite3.connect(server.data_dir / "helpline.db") as db:
        db.execute(statement, params)


def _verify(data_dir: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "signaling", "audit", "verify", "--data-dir", str(data_dir)],
        capture_output=True,
        text=True,
        timeout=120,
    )


def _forged_wipe(server, device_id: str) -> str:
    action_id = uuid.uuid4().hex
    _sql(
        server,
        "INSERT INTO device_actions (id, device_id, action, state, parameters, requested_by,"
        " requested_at, needs_approval, approved_by, approved_at, updated_at, progress, result,"
        " platform_command) VALUES (?, ?, 'wipe', 'pending', '{\"keep_user_data\": false}', ?,"
        " datetime('now'), 1, ?, datetime('now'), datetime('now'), '', '', '')",
        action_id, device_id, ADMIN, SECOND_ADMIN,
    )  # fmt: skip
    return action_id


EDITS = {
    "forged approved wipe": lambda s, d, w: _forged_wipe(s, d),
    "approved_by set": lambda s, d, w: _sql(
        s, "UPDATE device_actions SET approved_by = ? WHERE id = ?", SECOND_ADMIN, w
    ),
    "requested_by changed": lambda s, d, w: _sql(
        s, "UPDATE device_actions SET requested_by = ? WHERE id = ?", SECOND_ADMIN, w
    ),
    "groups widened": lambda s, d, w: _sql(
        s, 'UPDATE devices SET groups = \'["finance", "hr", "managed"]\' WHERE id = ?', d
    ),
    "state changed": lambda s, d, w: _sql(
        s, "UPDATE device_actions SET state = 'cancelled' WHERE id = ?", w
    ),
}


@pytest.mark.parametrize("edit", sorted(EDITS))
def test_verify_names_every_edit_of_the_device_tables(devices: Devices, tmp_path: Path, edit):
    device = devices.enroll(tmp_path / "device", "FIN-LAPTOP-7")
    wipe = devices.action(device["id"], "wipe", "--confirm", "FIN-LAPTOP-7").json
    before = _verify(devices.server.data_dir)
    assert before.returncode == 0, before.stderr
    EDITS[edit](devices.server, device["id"], wipe["id"])
    after = _verify(devices.server.data_dir)
    assert after.returncode == 1, (edit, after.stdout)
    assert "device" in after.stderr or "action" in after.stderr


def test_verify_names_a_deleted_device_brought_back(devices: Devices, tmp_path: Path):
    device = devices.enroll(tmp_path / "device", "FIN-LAPTOP-7")
    deleted = devices.action(device["id"], "delete", "--confirm", "FIN-LAPTOP-7")
    assert deleted.status == 0, deleted.err
    assert _verify(devices.server.data_dir).returncode == 0
    _sql(devices.server, "UPDATE devices SET status = 'enrolled' WHERE id = ?", device["id"])
    after = _verify(devices.server.data_dir)
    assert after.returncode == 1 and device["id"] in after.stderr


def _first_of(agent, action_id: str, names: tuple[str, ...]) -> dict:
    """The agent's first event among ``names`` about ``action_id`` (kept in its events)."""

    def about(events: list[dict]) -> list[dict]:
        return [e for e in events if e.get("id") == action_id and e.get("event") in names]

    return about(agent.wait_until(lambda events: bool(about(events))))[0]


def test_the_agent_runs_no_forged_or_self_approved_wipe(devices: Devices, tmp_path: Path):
    data_dir = tmp_path / "device"
    device = devices.enroll(data_dir, "FIN-LAPTOP-7")
    agent = devices.agent(data_dir)
    try:
        agent.wait_for("checked_in")
        forged = _forged_wipe(devices.server, device["id"])
        unapproved = devices.action(device["id"], "wipe", "--confirm", "FIN-LAPTOP-7").json
        _sql(devices.server, "UPDATE device_actions SET approved_by = ? WHERE id = ?",
             SECOND_ADMIN, unapproved["id"])  # fmt: skip
        # Any request pushes what is ready: the forged rows look ready to the server.
        sync = devices.action(device["id"], "sync", "--wait")
        assert sync.status == 0, sync.err
        for action_id in (forged, unapproved["id"]):
            # Refused or started, whichever comes first: a wipe that runs fails here at once.
            first = _first_of(agent, action_id, ("action_refused", "action_started"))
            assert first["event"] == "action_refused", first
            assert "signed" in first["reason"]
        started = {e["id"] for e in agent.events if e.get("event") == "action_started"}
        assert forged not in started and unapproved["id"] not in started
    finally:
        assert stop_agent(agent) == 0


def test_the_agent_runs_nothing_from_a_server_it_did_not_enrol_with(
    devices: Devices, tmp_path: Path
):
    data_dir = tmp_path / "device"
    device = devices.enroll(data_dir, "FIN-LAPTOP-7")
    # A server of its own on a copy of the database: it knows the device, not the key.
    stolen = tmp_path / "stolen"
    stolen.mkdir()
    with (
        sqlite3.connect(devices.server.data_dir / "helpline.db") as original,
        sqlite3.connect(stolen / "helpline.db") as copy,
    ):
        original.backup(copy)
    rogue = start_server(DEVICE_DIRECTORY, stolen)
    rogue_devices = Devices(rogue, tmp_path)
    agent = rogue_devices.agent(data_dir)
    try:
        agent.wait_for("checked_in")
        lock = rogue_devices.action(device["id"], "lock").json
        refused = agent.wait_for("action_refused", id=lock["id"])
        assert "signed" in refused["reason"]
        assert not [e for e in agent.events if e.get("event") == "action_started"]
        # Nor does it drop its key and the organisation's data when that server says so.
        deleted = rogue_devices.action(device["id"], "delete", "--confirm", "FIN-LAPTOP-7")
        assert deleted.status == 0, deleted.err
        assert agent.proc.wait(timeout=60) != 0
        assert not [e for e in agent.events if e.get("event") == "retired"]
        assert (data_dir / "device-key.pem").exists()
    finally:
        stop_agent(agent)
        rogue.stop()
