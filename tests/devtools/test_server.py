"""The server launcher: the server's own port choice, and a named port that is busy."""

from __future__ import annotations

import socket

import httpx
import pytest

from devtools import server as launcher


def test_the_server_picks_a_free_port_and_says_which(tmp_path):
    server = launcher.start_server(launcher.DEV_DIRECTORY, tmp_path / "data")
    try:
        assert server.port > 0 and server.url.endswith(f":{server.port}")
        assert httpx.get(server.url + "/healthz", timeout=10).status_code == 200
    finally:
        server.stop()
    assert server.proc.returncode is not None


def test_a_named_port_that_is_busy_is_reported(tmp_path):
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        with pytest.raises(launcher.PortBusy):
            launcher.start_server(launcher.DEV_DIRECTORY, tmp_path / "data", port=port)
