"""coturn from the packaging template on one local address, for the demo and the tests.

The template is used as it ships (so this runs only from a checkout); the command line only
narrows it to this machine: one address, a free port, a fresh secret and loopback peers
allowed, because here both apps live on the same machine. A test whose namespaces use a range
the template refuses (198.18.0.0/15) allows it for its own coturn only (``allowed_peers``),
never in the template. TLS only when given a certificate
(``tls=(chain, key)``): then the port speaks TURN over TLS and ``url`` is a ``turns:`` one.
"""

from __future__ import annotations

import secrets
import shutil
import socket
import subprocess
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from devtools.processes import stop_process

TEMPLATE = Path(__file__).resolve().parents[1] / "packaging" / "coturn" / "turnserver.conf"


@dataclass
class TurnServer:
    address: str
    port: int
    secret: bytes
    secret_file: Path
    proc: subprocess.Popen[bytes]
    log_path: Path
    tls: bool = False

    @property
    def url(self) -> str:
        host = f"[{self.address}]" if ":" in self.address else self.address
        if self.tls:
            return f"turns:{host}:{self.port}?transport=tcp"
        return f"turn:{host}:{self.port}?transport=udp"

    def stop(self) -> None:
        stop_process(self.proc)


def _family(address: str) -> socket.AddressFamily:
    return socket.AF_INET6 if ":" in address else socket.AF_INET


def _listening(address: str, port: int) -> bool:
    """coturn binds its UDP and TCP listeners together; the TCP one is easy to probe."""
    with socket.socket(_family(address)) as sock:
        return sock.connect_ex((address, port)) == 0


def _free_port(address: str) -> int:
    with socket.socket(_family(address)) as sock:
        sock.bind((address, 0))
        return int(sock.getsockname()[1])


def start_turn_server(
    work: Path,
    address: str = "127.0.0.1",
    tls: tuple[Path, Path] | None = None,
    *,
    allowed_peers: Sequence[str] = (),
    loopback_peers: bool = True,
) -> TurnServer:
    binary = shutil.which("turnserver")
    if binary is None:
        raise RuntimeError("coturn is not installed (scripts/bootstrap.sh installs it)")
    work.mkdir(parents=True, exist_ok=True)
    secret = secrets.token_hex(16).encode()
    secret_file = work / "turn-secret"
    secret_file.write_bytes(secret)
    port = _free_port(address)
    log_path = work / "turnserver.log"
    relay_low = 20000 + (port % 20000)
    if tls is None:
        listening = [f"--listening-port={port}", "--no-tls", "--no-dtls"]
    else:
        # Only TLS on the port the URL names: a plain listener elsewhere would hide a failure.
        chain, key = tls
        listening = [
            f"--tls-listening-port={port}",
            f"--listening-port={_free_port(address)}",
            f"--cert={chain}",
            f"--pkey={key}",
            "--no-dtls",
        ]
    with log_path.open("wb") as log:
        proc = subprocess.Popen(
            [
                binary,
                "-c",
                str(TEMPLATE),
                f"--listening-ip={address}",
                f"--relay-ip={address}",
                *listening,
                f"--min-port={relay_low}",
                f"--max-port={relay_low + 200}",
                *(["--allow-loopback-peers"] if loopback_peers else []),
                *(f"--allowed-peer-ip={peers}" for peers in allowed_peers),
                f"--static-auth-secret={secret.decode()}",
                "--realm=helpline.test",
                "--log-file=stdout",
                f"--pidfile={work / 'turnserver.pid'}",
                f"--userdb={work / 'turndb'}",
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    deadline = time.monotonic() + 20
    while not _listening(address, port):
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            raise RuntimeError(f"coturn did not start: {log_path.read_text()}")
        time.sleep(0.05)
    return TurnServer(address, port, secret, secret_file, proc, log_path, tls is not None)
