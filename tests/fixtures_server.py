"""A real signaling server process on a free loopback port, and the directory it serves."""

from __future__ import annotations

import os
import signal
import socket
import ssl
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

DIRECTORY = Path(__file__).resolve().parent.parent / "packaging" / "dev-identity.toml"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class ServerProcess:
    url: str
    ws_url: str
    data_dir: Path
    proc: subprocess.Popen[bytes]
    log_path: Path

    def token_for(self, upn: str) -> str:
        response = httpx.post(self.url + "/dev-idp/token", json={"upn": upn}, timeout=10)
        response.raise_for_status()
        return str(response.json()["access_token"])

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def start_server(
    identity_file: Path,
    data_dir: Path,
    env: dict[str, str] | None = None,
    args: Sequence[str] = (),
    ca_file: Path | None = None,
    port: int | None = None,
    host: str = "127.0.0.1",
) -> ServerProcess:
    """Start and wait for health; with ``ca_file`` the server is expected to serve https."""
    port = port or free_port()
    log_path = data_dir.parent / f"server-{port}.log"
    data_dir.mkdir(parents=True, exist_ok=True)
    with log_path.open("wb") as log:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "signaling",
                "--host",
                host,
                "--port",
                str(port),
                "--data-dir",
                str(data_dir),
                "--dev-identity",
                str(identity_file),
                *args,
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            env={**os.environ, **(env or {})},
        )
    scheme = "https" if ca_file else "http"
    url = f"{scheme}://{host}:{port}"
    deadline = time.monotonic() + 30
    while True:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited: {log_path.read_text()}")
        try:
            verify = ssl.create_default_context(cafile=str(ca_file)) if ca_file else True
            if httpx.get(url + "/healthz", timeout=1, verify=verify).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline:
            proc.kill()
            raise RuntimeError(f"server did not start: {log_path.read_text()}")
        time.sleep(0.1)
    ws_url = url.replace("http", "ws", 1) + "/v1/ws"
    return ServerProcess(url, ws_url, data_dir, proc, log_path)


@pytest.fixture
def dev_identity_file() -> Path:
    """The development directory the README's demo uses (alice helps bob; carol is in hr)."""
    return DIRECTORY


@pytest.fixture
def signaling_server(tmp_path, dev_identity_file):
    server = start_server(dev_identity_file, tmp_path / "server-data")
    yield server
    server.stop()


@pytest.fixture(autouse=True)
def app_folders(tmp_path, monkeypatch):
    """Each test's apps get their own config and data folders, never the user's own.

    The apps pin the first server key they see per URL; servers in the suite are made afresh
    with new keys, and a port may come round again, so pins must not outlive a test.
    """
    home = tmp_path / "app-home"
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "config"))
    monkeypatch.setenv("XDG_CONFIG_DIRS", str(home / "site-config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "data"))
    return home
