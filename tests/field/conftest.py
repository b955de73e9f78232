"""Fixtures for sessions across a field network: the organisation's TURN server and CA."""

from __future__ import annotations

import pytest

from devtools.certificates import issue_server_certificate, make_authority
from devtools.server import start_server
from devtools.turn_server import start_turn_server


@pytest.fixture
def turn_server(tmp_path):
    server = start_turn_server(tmp_path / "turn")
    yield server
    server.stop()


@pytest.fixture
def tls_server(tmp_path, dev_identity_file):
    """A signaling server on https/wss with a certificate from a CA made for this test."""
    ca = make_authority(tmp_path / "pki", "Helpline Test CA")
    chain, key = issue_server_certificate(ca, tmp_path / "pki")
    server = start_server(
        dev_identity_file,
        tmp_path / "server-data",
        args=["--tls-cert", str(chain), "--tls-key", str(key)],
        ca_file=ca.cert_file,
    )
    yield server
    server.stop()
