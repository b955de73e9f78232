"""A real signaling server process on a free loopback port, and the directory it serves."""

from __future__ import annotations

from pathlib import Path

import pytest

from devtools.server import DEV_DIRECTORY, ServerProcess, start_server

# The old names, for bench/ until it imports devtools.server itself.
DIRECTORY = DEV_DIRECTORY
__all__ = ["DIRECTORY", "ServerProcess", "start_server"]


@pytest.fixture
def dev_identity_file() -> Path:
    """The development directory the README's demo uses (alice helps bob; carol is in hr)."""
    return DEV_DIRECTORY


@pytest.fixture
def signaling_server(tmp_path, dev_identity_file):
    server = start_server(dev_identity_file, tmp_path / "server-data")
    yield server
    server.stop()
