"""A real signaling server process with the development identity provider, ready to use.

Tests and benchmarks let the server bind port 0 and read the port it got from its ready
file, which it writes once start-up (the first audit purge included) is done: no port can
be taken between choosing and binding, and nobody waits for time. The demo asks for a fixed
port, which is never swapped for another: the caller named it.
"""

from __future__ import annotations

import itertools
import json
import os
import signal
import ssl
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from devtools.processes import stop_process

DEV_DIRECTORY = Path(__file__).resolve().parent.parent / "packaging" / "dev-identity.toml"
START_TIMEOUT = 30.0
_STARTS = itertools.count()


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
    ca_file: Path | None = None
    # What its environment adds (HELPLINE_DATABASE_URL, ...): its commands run with it too.
    env: dict[str, str] = field(default_factory=dict)

    def token_for(self, upn: str) -> str:
        verify = ssl.create_default_context(cafile=str(self.ca_file)) if self.ca_file else True
        response = httpx.post(
            self.url + "/dev-idp/token", json={"upn": upn}, timeout=10, verify=verify
        )
        response.raise_for_status()
        return str(response.json()["access_token"])

    def key_fingerprint(self) -> str:
        """The card-signing key's fingerprint, as IT pins it (``helpline-signaling server-key``)."""
        result = subprocess.run(
            [sys.executable, "-m", "signaling", "server-key", "--data-dir", str(self.data_dir)],
            capture_output=True,
            text=True,
            check=True,
        )
        return result.stdout.strip()

    def command(self, *args: str) -> subprocess.CompletedProcess[str]:
        """``helpline-signaling ARGS`` on this server's data folder and database."""
        return subprocess.run(
            [sys.executable, "-m", "signaling", *args, "--data-dir", str(self.data_dir)],
            capture_output=True,
            text=True,
            env={**os.environ, **self.env},
        )

    def stop(self) -> None:
        """Stop as Ctrl+C would (the server closes open audit records on the way out)."""
        stop_process(self.proc, signal.SIGINT)


def start_server(
    identity_file: Path | None,
    data_dir: Path,
    env: dict[str, str] | None = None,
    *,
    args: Sequence[str] = (),
    ca_file: Path | None = None,
    port: int = 0,
    host: str = "127.0.0.1",
    log_path: Path | None = None,
    program: Sequence[str] = (sys.executable, "-m", "signaling"),
) -> ServerProcess:
    """Start the server and return once it says it is ready (port 0: any free port).

    ``args`` are more server flags (TLS, TURN); ``ca_file`` is the CA its certificate is
    checked against. A given port that is busy raises :class:`PortBusy`. ``program`` is
    what runs the server (a frozen bundle's executable in the packaging tests).
    """
    data_dir.mkdir(parents=True, exist_ok=True)
    run = f"{os.getpid()}-{next(_STARTS)}"
    log = log_path or data_dir.parent / f"server-{run}.log"
    ready = data_dir.parent / f"{run}.ready"
    flags = ["--host", host, "--port", str(port), *args]
    server = _start_once(program, identity_file, data_dir, env, flags, log, ready)
    server.ca_file = ca_file
    return server


def _start_once(
    program: Sequence[str],
    identity_file: Path | None,
    data_dir: Path,
    env: dict[str, str] | None,
    flags: list[str],
    log_path: Path,
    ready_file: Path,
) -> ServerProcess:
    identity = ("--dev-identity", str(identity_file)) if identity_file else ()
    with log_path.open("wb") as log:
        proc = subprocess.Popen(
            [
                *program,
                *flags,
                "--data-dir",
                str(data_dir),
                *identity,
                "--ready-file",
                str(ready_file),
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            env={**os.environ, **(env or {})},
            # Its own process group: a Ctrl+C meant for the demo does not reach it first.
            start_new_session=True,
        )
    deadline = time.monotonic() + START_TIMEOUT
    while not ready_file.exists():
        if proc.poll() is not None:
            text = log_path.read_text(errors="replace")
            if "cannot listen" in text or "address already in use" in text.lower():
                raise PortBusy(text.strip())
            raise ServerStartError(f"server exited: {text}")
        if time.monotonic() > deadline:
            proc.kill()
            proc.wait()
            raise ServerStartError(f"server did not start: {log_path.read_text()}")
        time.sleep(0.05)
    ready = json.loads(ready_file.read_text())
    url, bound = str(ready["url"]), int(ready["port"])
    ws_url = url.replace("http://", "ws://").replace("https://", "wss://") + "/v1/ws"
    return ServerProcess(url, ws_url, bound, data_dir, proc, log_path, env=dict(env or {}))
