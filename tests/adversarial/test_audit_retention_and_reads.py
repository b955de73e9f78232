"""Retention and reads: what the audit keeps too long, and reads that left no trace.

Device actions and diagnostics reports are purged after the retention as session records
are, and the chain verifies afterwards. Reading sessions through ``helpline-signaling audit
list``, listing devices and downloading a report are recorded on the chain, as API reads of
the audit are. The server is real; time passing is made by dating the old rows (and the
events of their time) back in its SQLite file while it is stopped.
"""

from __future__ import annotations

import getpass
import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from common.devices.agent_protocol import Deliver
from devtools.server import ServerProcess, start_server
from tests.devices.agent import FakeAgent, enroll
from tests.devices.conftest import BOB, ERIN, directory_file

LONG_AGO = "2020-01-01 00:00:00.000000"
POLLS = 100
REPORT = {"collected_at": "2026-11-30T01:00:00+00:00", "sections": {"disk_free_gb": 42}}


@pytest.fixture
def servers():
    """Start servers through this, so that a failing test leaves none running."""
    started: list[ServerProcess] = []

    def start(identity: Path, data_dir: Path) -> ServerProcess:
        started.append(start_server(identity, data_dir))
        return started[-1]

    yield start
    for server in started:
        server.stop()


def _cli(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "signaling", "audit", *args, "--data-dir", str(data_dir)],
        capture_output=True,
        text=True,
    )


def _reads(data_dir: Path) -> list[dict]:
    listing = _cli(data_dir, "reads")
    assert listing.returncode == 0, listing.stderr
    return [json.loads(line) for line in listing.stdout.splitlines()]


def _headers(server: ServerProcess, upn: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {server.token_for(upn)}"}


async def _diagnostics(server: ServerProcess, agent: FakeAgent) -> str:
    response = httpx.post(
        f"{server.url}/v1/devices/{agent.device_id}/actions",
        json={"action": "diagnostics"},
        headers=_headers(server, ERIN),
        timeout=10,
    )
    assert response.status_code == 201, response.text
    action_id = str(response.json()["id"])
    await agent.recv_type(Deliver)
    await agent.report(action_id, "running")
    ack = await agent.report(action_id, "succeeded", report=REPORT)
    assert ack.state == "succeeded"
    return action_id


async def test_old_device_actions_and_reports_are_purged_and_the_chain_verifies(tmp_path, servers):
    data_dir = tmp_path / "data"
    identity = directory_file(tmp_path)
    server = servers(identity, data_dir)
    agent = enroll(server, BOB, "BOB-PC")
    await agent.connect(server)
    old_action = await _diagnostics(server, agent)
    await agent.close()
    server.stop()

    # A month and more passes for everything written so far, and for the events of that
    # time but the last (their times are under their MACs, which no longer match, but they
    # are purged anyway; the chain's head is kept, so that one must stay as it was signed).
    with sqlite3.connect(data_dir / "helpline.db") as db:
        db.execute(
            "UPDATE audit_events SET at = ? WHERE seq < (SELECT max(seq) FROM audit_events)",
            (LONG_AGO,),
        )
        db.execute(
            "UPDATE device_actions SET requested_at = ?, updated_at = ?, finished_at = ?, "
            "delivered_at = ?",
            (LONG_AGO,) * 4,
        )
        db.execute("UPDATE device_reports SET collected_at = ?", (LONG_AGO,))
        db.execute("UPDATE devices SET enrolled_at = ?", (LONG_AGO,))

    server = servers(identity, data_dir)  # purges at start-up
    agent = FakeAgent(key=agent.key, device_id=agent.device_id, name=agent.name)
    await agent.connect(server)
    new_action = await _diagnostics(server, agent)
    gone = httpx.get(
        f"{server.url}/v1/devices/actions/{old_action}/report",
        headers=_headers(server, ERIN),
        timeout=10,
    )
    assert gone.status_code == 404
    await agent.close()
    server.stop()

    with sqlite3.connect(data_dir / "helpline.db") as db:
        actions = {row[0] for row in db.execute("SELECT id FROM device_actions")}
        reports = {row[0] for row in db.execute("SELECT action_id FROM device_reports")}
    assert actions == {new_action}
    assert reports == {new_action}
    verdict = _cli(data_dir, "verify")
    assert verdict.returncode == 0, verdict.stderr


async def test_cli_listings_device_listings_and_report_downloads_are_recorded(tmp_path, servers):
    data_dir = tmp_path / "data"
    server = servers(directory_file(tmp_path), data_dir)
    agent = enroll(server, BOB, "BOB-PC")
    await agent.connect(server)
    action_id = await _diagnostics(server, agent)
    await agent.close()
    listed = httpx.get(f"{server.url}/v1/devices", headers=_headers(server, ERIN), timeout=10)
    assert listed.status_code == 200 and len(listed.json()["devices"]) == 1
    report = httpx.get(
        f"{server.url}/v1/devices/actions/{action_id}/report",
        headers=_headers(server, ERIN),
        timeout=10,
    )
    assert report.status_code == 200
    listing = _cli(data_dir, "list", "--limit", "7")
    assert listing.returncode == 0, listing.stderr
    server.stop()

    reads = _reads(data_dir)
    what = {(r["reader"], r.get("what", "sessions")) for r in reads}
    assert (ERIN, "devices") in what
    assert (ERIN, "diagnostics_report") in what
    assert (f"local:{getpass.getuser()}", "sessions") in what
    [cli] = [r for r in reads if r["reader"].startswith("local:")]
    assert cli["filter"]["limit"] == 7
    [download] = [r for r in reads if r.get("what") == "diagnostics_report"]
    assert download["filter"] == {"action_id": action_id, "device_id": agent.device_id}
    verdict = _cli(data_dir, "verify")
    assert verdict.returncode == 0, verdict.stderr


def test_the_same_read_polled_again_and_again_is_counted_not_written_each_time(tmp_path, servers):
    """Recording reads must not open a new flood: a window (or a script) asking the same
    thing every second writes its first few reads, then one count."""
    data_dir = tmp_path / "data"
    server = servers(directory_file(tmp_path), data_dir)
    enroll(server, BOB, "BOB-PC")
    headers = _headers(server, ERIN)
    for _ in range(POLLS):
        listed = httpx.get(f"{server.url}/v1/devices", headers=headers, timeout=10)
        assert listed.status_code == 200
    server.stop()

    reads = [r for r in _reads(data_dir) if r.get("what") == "devices"]
    assert sum(r.get("times", 1) for r in reads) == POLLS, "every read is counted"
    assert len(reads) <= 4, f"{len(reads)} read events for {POLLS} identical reads"
