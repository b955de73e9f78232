"""A real signaling server process with the development identity provider, ready to use.

Tests and benchmarks ask for any free port; the demo asks for a fixed one. A free port is
found by binding and closing, so another process can take it before the server binds it:
when the server then says it cannot listen, it is started again on another port instead of
failing the run. A fixed port is never swapped for another: the caller named it.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

DEV_DIRECTORY = Path(__file__).resolve().parent.parent / "packaging" / "dev-identity.toml"
START_TIMEOUT = 30.0
PORT_ATTEMPTS = 5


class ServerStartError(RuntimeError):
    """The server exited or never answered; the message carries its log."""


class PortBusy(ServerStartError):
    """The server could not listen on the port it was given."""


@dataclass
class ServerProcess:
    url: str
    ws_url: str
    port: int
    data_dir: Path
    proc: subprocess.Popen[bytes]
    log_path: Path

    def token_for(self, upn: str) -> str:
        response = httpx.post(self.url + "/dev-idp/token", json={"upn": upn}, timeout=10)
        response.raise_for_status()
        return str(response.json()["access_token"])

    def stop(self) -> None:
        """Stop as Ctrl+C would (the server closes open audit records on the way out)."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(
    identity_file: Path,
    data_dir: Path,
    env: dict[str, str] | None = None,
    *,
    port: int | None = None,
    log_path: Path | None = None,
) -> ServerProcess:
    """Start the server and return once ``/healthz`` answers.

    ``port=None`` means any free port (retried on a clash); a given port is used or refused
    with :class:`PortBusy`.
    """
    data_dir.mkdir(parents=True, exist_ok=True)
    for _ in range(PORT_ATTEMPTS if port is None else 1):
        chosen = _free_port() if port is None else port
        log = log_path or data_dir.parent / f"server-{chosen}.log"
        try:
            return _start_once(identity_file, data_dir, env, chosen, log)
        except PortBusy:
            if port is not None:
                raise
    raise ServerStartError(f"no free port after {PORT_ATTEMPTS} attempts")


def _start_once(
    identity_file: Path, data_dir: Path, env: dict[str, str] | None, port: int, log_path: Path
) -> ServerProcess:
    with log_path.open("wb") as log:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "signaling",
                "--port",
                str(port),
                "--data-dir",
                str(data_dir),
                "--dev-identity",
                str(identity_file),
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            env={**os.environ, **(env or {})},
            # Its own process group: a Ctrl+C meant for the demo does not reach it first.
            start_new_session=True,
        )
    url = f"http://127.0.0.1:{port}"
    server = ServerProcess(url, f"ws://127.0.0.1:{port}/v1/ws", port, data_dir, proc, log_path)
    deadline = time.monotonic() + START_TIMEOUT
    while True:
        if proc.poll() is not None:
            text = log_path.read_text(errors="replace")
            if "cannot listen" in text or "address already in use" in text.lower():
                raise PortBusy(text.strip())
            raise ServerStartError(f"server exited: {text}")
        try:
            if httpx.get(url + "/healthz", timeout=1).status_code == 200:
                return server
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline:
            server.stop()
            raise ServerStartError(f"server did not answer: {log_path.read_text()}")
        time.sleep(0.1)
