"""Stopping the helper processes the tests start (servers, relays, Redis) the same way."""

from __future__ import annotations

import signal
import subprocess
from typing import Any


def stop_process(
    proc: subprocess.Popen[Any], sig: signal.Signals = signal.SIGTERM, grace: float = 10
) -> None:
    """Ask politely (``sig``), so the process can clean up; kill it if it will not go."""
    if proc.poll() is not None:
        return
    proc.send_signal(sig)
    try:
        proc.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
