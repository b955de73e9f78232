"""The server launcher: a port taken between choosing and binding costs a retry, not a run."""

from __future__ import annotations

import socket

import httpx
import pytest

from devtools import server as launcher


def test_a_port_taken_after_it_was_chosen_is_retried_on_another(tmp_path, monkeypatch):
    with socket.create_server(("127.0.0.1", 0)) as thief:
        stolen = thief.getsockname()[1]
        ports = iter([stolen])
        real = launcher._free_port
        monkeypatch.setattr(launcher, "_free_port", lambda: next(ports, None) or real())
        server = launcher.start_server(launcher.DEV_DIRECTORY, tmp_path / "data")
        try:
            assert server.port != stolen
            assert httpx.get(server.url + "/healthz", timeout=10).status_code == 200
        finally:
            server.stop()
    assert server.proc.returncode is not None


def test_a_named_port_that_is_busy_is_reported(tmp_path):
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        with pytest.raises(launcher.PortBusy):
            launcher.start_server(launcher.DEV_DIRECTORY, tmp_path / "data", port=port)
