"""Fixtures for sessions across a field network: the organisation's TURN server and CA."""

from __future__ import annotations

import pytest

from devtools.certificates import issue_server_certificate, make_authority
from devtools.server import DEV_DIRECTORY, start_server
from devtools.turn_server import start_turn_server


@pytest.fixture
def turn_server(tmp_path):
    server = start_turn_server(tmp_path / "turn")
    yield server
    server.stop()


@pytest.fixture(scope="session")
def tls_server(tmp_path_factory):
    """A signaling server on https/wss with a certificate from a CA made for it.

    One for the run: the tests that take it sign in, pair and are refused, and change nothing
    on it that another could see (each test's apps have their own folders and sign-ins)."""
    root = tmp_path_factory.mktemp("tls-server")
    ca = make_authority(root / "pki", "Helpline Test CA")
    chain, key = issue_server_certificate(ca, root / "pki")
    server = start_server(
        DEV_DIRECTORY,
        root / "server-data",
        args=["--tls-cert", str(chain), "--tls-key", str(key)],
        ca_file=ca.cert_file,
    )
    yield server
    server.stop()
