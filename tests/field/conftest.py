"""Fixtures for sessions across a field network: the organisation's TURN server and CA."""

from __future__ import annotations

import pytest

from tests.field.turn_server import start_turn_server


@pytest.fixture
def turn_server(tmp_path):
    server = start_turn_server(tmp_path / "turn")
    yield server
    server.stop()
