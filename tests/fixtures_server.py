"""A real signaling server process on a loopback port it chose itself, and its directory.

The server binds port 0 and writes its ready file (URL, port, pid) once start-up, including
the first audit purge, is done; the fixture waits for that file, never for time.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from devtools.server import DEV_DIRECTORY, start_server


@pytest.fixture
def dev_identity_file() -> Path:
    """The development directory the README's demo uses (alice helps bob; carol is in hr)."""
    return DEV_DIRECTORY


@pytest.fixture
def signaling_server(tmp_path, dev_identity_file):
    server = start_server(dev_identity_file, tmp_path / "server-data")
    yield server
    server.stop()
