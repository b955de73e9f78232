"""A throwaway Redis (Debian's redis-server) on a free loopback port, for replicas in tests.

Nothing is persisted (no RDB snapshots, no append-only file) and its only files live in the
folder it is given, so a test's Redis leaves nothing behind and shares nothing with another.
Readiness is a PING that answers, not a pause.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from devtools.processes import stop_process

START_TIMEOUT = 30.0
# Nothing persisted: no snapshots, no append-only file.
NO_DISK = ("--save", "", "--appendonly", "no")
ATTEMPTS = 5


class RedisMissing(RuntimeError):
    """redis-server is not installed."""


@dataclass
class RedisServer:
    port: int
    proc: subprocess.Popen[bytes]
    log_path: Path

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def stop(self) -> None:
        stop_process(self.proc)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def start_redis(work: Path) -> RedisServer:
    """Start redis-server in ``work`` and return once it answers PING.

    The port is chosen free and handed over, so another process could take it first: then
    redis-server exits at once and another port is tried.
    """
    binary = shutil.which("redis-server")
    if binary is None:
        raise RedisMissing(
            "redis-server is not installed: apt-get install redis-server "
            "(scripts/bootstrap.sh installs it)"
        )
    work.mkdir(parents=True, exist_ok=True)
    log_path = work / "redis.log"
    for _ in range(ATTEMPTS):
        port = _free_port()
        with log_path.open("ab") as log:
            proc = subprocess.Popen(
                [binary, "--bind", "127.0.0.1", "--port", str(port), "--dir", str(work), *NO_DISK],
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + START_TIMEOUT
        while proc.poll() is None and not _answers(port):
            if time.monotonic() > deadline:
                proc.kill()
                proc.wait()
                raise RuntimeError(f"redis-server did not answer: {log_path.read_text()}")
            time.sleep(0.05)
        if proc.poll() is None:
            return RedisServer(port, proc, log_path)
    raise RuntimeError(f"redis-server could not listen: {log_path.read_text()}")
