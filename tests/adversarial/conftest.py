"""A server behind a "proxy" (loopback) that names each attacker's address."""

from __future__ import annotations

import pytest

from devtools.server import DEV_DIRECTORY, start_server
from tests.device_agent.conftest import device_server, devices  # noqa: F401  (device attacks)


@pytest.fixture
def proxied_server(tmp_path):
    """Attackers each get their own X-Forwarded-For address, so the limits one of them earns
    do not fall on another, as on a real network."""
    server = start_server(
        DEV_DIRECTORY, tmp_path / "data", env={"HELPLINE_TRUSTED_PROXIES": '["127.0.0.1"]'}
    )
    yield server
    server.stop()
