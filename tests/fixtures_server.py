"""A real signaling server process on a loopback port it chose itself, and its directory.

The server binds port 0 and writes its ready file (URL, port, pid) once start-up, including
the first audit purge, is done; the fixture waits for that file, never for time.
"""

from __future__ import annotations

import itertools
import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

DIRECTORY = Path(__file__).resolve().parent.parent / "packaging" / "dev-identity.toml"


_STARTS = itertools.count()


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
    identity_file: Path | None,
    data_dir: Path,
    env: dict[str, str] | None = None,
) -> ServerProcess:
    run = f"{os.getpid()}-{next(_STARTS)}"
    log_path = data_dir.parent / f"server-{run}.log"
    ready_file = data_dir.parent / f"server-{run}.ready"
    data_dir.mkdir(parents=True, exist_ok=True)
    with log_path.open("wb") as log:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "signaling",
                "--port",
                "0",
                "--data-dir",
                str(data_dir),
                *(("--dev-identity", str(identity_file)) if identity_file else ()),
                "--ready-file",
                str(ready_file),
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            env={**os.environ, **(env or {})},
        )
    deadline = time.monotonic() + 60
    while not ready_file.exists():
        if proc.poll() is not None:
            raise RuntimeError(f"server exited: {log_path.read_text()}")
        if time.monotonic() > deadline:
            proc.kill()
            raise RuntimeError(f"server did not start: {log_path.read_text()}")
        time.sleep(0.05)
    ready = json.loads(ready_file.read_text())
    url = ready["url"]
    return ServerProcess(url, url.replace("http://", "ws://") + "/v1/ws", data_dir, proc, log_path)


@pytest.fixture
def dev_identity_file() -> Path:
    """The development directory the README's demo uses (alice helps bob; carol is in hr)."""
    return DIRECTORY


@pytest.fixture
def signaling_server(tmp_path, dev_identity_file):
    server = start_server(dev_identity_file, tmp_path / "server-data")
    yield server
    server.stop()
