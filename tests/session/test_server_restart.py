"""The signaling server killed and restarted under a running session, with real processes.

The helper and the sharer are real headless apps, the sharer captures its own Xvfb display,
and the server is SIGKILLed and started again on the same port and data folder. What matters
is what people and auditors see: the picture keeps coming, both apps say the server went and
came back, what the sharer did meanwhile reaches the server, and the audit record ends with
the real reason on a chain that verifies.
"""

from __future__ import annotations

import json
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from devtools.headless import HeadlessApp
from devtools.server import DEV_DIRECTORY, ServerProcess, start_server

pytestmark = pytest.mark.display

HELPER, SHARER = "alice@contoso.example", "bob@contoso.example"
# Quick retries keep the test short; nothing here waits for time, only for events.
FAST_RETRY = {"HELPLINE_RECONNECT_MAX_SECONDS": "1"}


def _audit(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "signaling", "audit", *args, "--data-dir", str(data_dir)],
        capture_output=True,
        text=True,
    )


def _event_kinds(data_dir: Path, record_id: str) -> list[str]:
    with sqlite3.connect(data_dir / "helpline.db") as db:
        rows = db.execute(
            "SELECT kind FROM audit_events WHERE record_id = ? ORDER BY seq", (record_id,)
        )
        return [kind for (kind,) in rows]


def _kill(server: ServerProcess) -> None:
    server.proc.send_signal(signal.SIGKILL)
    server.proc.wait()


def _restart(server: ServerProcess) -> ServerProcess:
    return start_server(DEV_DIRECTORY, server.data_dir, port=server.port)


def _frames_beyond(helper: HeadlessApp, count: int) -> int:
    """Wait for the helper's stats to show more decoded frames than ``count``."""
    while (frames := helper.wait_for("stats")["frames"]) <= count:
        pass
    return frames


def test_a_session_outlives_a_server_kill_and_its_record_is_completed(tmp_path, private_display):
    data_dir = tmp_path / "server-data"
    server = start_server(DEV_DIRECTORY, data_dir)
    helper = HeadlessApp("helper_app", "--server", server.url, "--user", HELPER, env=FAST_RETRY)
    sharer = None
    try:
        code = helper.wait_for("code")["code"]
        sharer = HeadlessApp(
            "sharer_app",
            *("--server", server.url, "--user", SHARER, "--code", code, "--consent", "view"),
            env={**FAST_RETRY, "DISPLAY": private_display},
        )
        helper.wait_for("connected")
        sharer.wait_for("connected")
        before = _frames_beyond(helper, 0)

        _kill(server)
        helper.wait_for("server_lost")
        sharer.wait_for("server_lost")
        # The picture keeps coming with no server at all.
        while_down = _frames_beyond(helper, before)
        # The sharer's grant works on its own machine at once, and waits for the server.
        sharer.send("grant_control")
        sharer.wait_for("control", granted=True)
        commands = helper.events[:]
        assert not any(e["event"] == "control" for e in commands), commands

        server = _restart(server)
        assert helper.wait_for("server_back")["resumed"] is True
        assert sharer.wait_for("server_back")["resumed"] is True
        # The grant made while the server was down reaches the helper through it now.
        helper.wait_for("control", granted=True)
        _frames_beyond(helper, while_down)

        helper.send("end")
        assert helper.wait_for("ended")["reason"] == "helper_ended"
        assert sharer.wait_for("ended")["reason"] == "helper_ended"
        assert helper.close() == 0 and sharer.close() == 0
    finally:
        for app in (helper, sharer):
            if app is not None:
                app.close()
        server.stop()

    [record] = [json.loads(line) for line in _audit(data_dir, "list").stdout.splitlines()]
    assert record["outcome"] == "accepted"
    assert record["end_reason"] == "helper_ended"
    assert record["ended_at"] is not None
    assert set(record["levels_granted"]) == {"view", "control"}
    # The chain keeps the interruption: closed at start-up as interrupted, then resumed.
    kinds = _event_kinds(data_dir, record["id"])
    assert kinds.index("closed") < kinds.index("resumed") < len(kinds) - 1, kinds
    verdict = _audit(data_dir, "verify")
    assert verdict.returncode == 0, verdict.stdout + verdict.stderr


def test_a_helper_waiting_with_a_code_gets_a_new_one_that_works(tmp_path, private_display):
    server = start_server(DEV_DIRECTORY, tmp_path / "server-data")
    helper = HeadlessApp("helper_app", "--server", server.url, "--user", HELPER, env=FAST_RETRY)
    sharer = None
    try:
        old_code = helper.wait_for("code")["code"]
        _kill(server)
        helper.wait_for("server_lost")
        server = _restart(server)
        back = helper.wait_for("server_back")
        assert back["resumed"] is False and "new" in back["message"]
        new_code = helper.wait_for("code")["code"]
        assert new_code != old_code

        sharer = HeadlessApp(
            "sharer_app",
            *("--server", server.url, "--user", SHARER, "--code", new_code, "--consent", "view"),
            env={"DISPLAY": private_display},
        )
        assert sharer.wait_for("helper_identity")["verified"] is True
        helper.wait_for("connected")
        sharer.wait_for("connected")
    finally:
        for app in (helper, sharer):
            if app is not None:
                app.close()
        server.stop()
