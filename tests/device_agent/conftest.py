"""A server with the device directory, and the device's commands run as real processes."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from devtools.headless import HeadlessApp
from devtools.server import ServerProcess, start_server

DEVICE_DIRECTORY = Path(__file__).with_name("devices-identity.toml")
OWNER = "bob@contoso.example"
ADMIN = "erin@contoso.example"
SECOND_ADMIN = "frank@contoso.example"
OTHER_SCOPE_ADMIN = "gina@contoso.example"
NO_ACTIONS = "alice@contoso.example"


@dataclass
class Cli:
    status: int
    out: str
    err: str

    @property
    def json(self) -> Any:
        return json.loads(self.out)


def run_app(module: str, *args: str, env: dict[str, str] | None = None) -> Cli:
    done = subprocess.run(
        [sys.executable, "-m", module, *args],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, **(env or {})},
    )
    return Cli(done.returncode, done.stdout, done.stderr)


class Devices:
    """The helper's and the sharer's device commands against one server."""

    def __init__(self, server: ServerProcess, tmp_path: Path) -> None:
        self.server = server
        self.tmp_path = tmp_path

    def enroll_cli(self, data_dir: Path, name: str, user: str = OWNER) -> Cli:
        return run_app(
            "sharer_app", "enroll", "--server", self.server.url, "--user", user,
            "--name", name, "--data-dir", str(data_dir), "--json",
        )  # fmt: skip

    def enroll(self, data_dir: Path, name: str, user: str = OWNER) -> dict[str, Any]:
        done = self.enroll_cli(data_dir, name, user)
        assert done.status == 0, done.err
        return dict(done.json)

    def report(self, action_id: str, user: str = ADMIN) -> httpx.Response:
        return httpx.get(
            f"{self.server.url}/v1/devices/actions/{action_id}/report",
            headers={"Authorization": f"Bearer {self.server.token_for(user)}"},
            timeout=30,
        )

    def helper(self, *args: str, user: str = ADMIN) -> Cli:
        command, *rest = args
        return run_app(
            "helper_app", command, *rest, "--server", self.server.url, "--user", user, "--json"
        )

    def action(self, device: str, action: str, *args: str, user: str = ADMIN) -> Cli:
        return self.helper("action", device, action, *args, user=user)

    def agent(self, data_dir: Path, *args: str, env: dict[str, str] | None = None) -> HeadlessApp:
        return HeadlessApp(
            "sharer_app", "agent", "--server", self.server.url, "--data-dir", str(data_dir),
            "--dry-run", *args, env=env, headless=False,
        )  # fmt: skip


def stop_agent(agent: HeadlessApp) -> int:
    """SIGTERM, as a service manager stops it; the agent ignores a closed standard input."""
    if agent.proc.poll() is None:
        agent.proc.send_signal(signal.SIGTERM)
    return agent.proc.wait(timeout=30)


@pytest.fixture
def device_server(tmp_path):
    server = start_server(DEVICE_DIRECTORY, tmp_path / "server-data")
    yield server
    server.stop()


@pytest.fixture
def devices(device_server, tmp_path) -> Iterator[Devices]:
    devices = Devices(device_server, tmp_path)
    yield devices
    devices.server.stop()  # a test that restarted the server put its new process here
