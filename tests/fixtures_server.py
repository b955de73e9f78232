"""Fixtures for a real signaling server process (filled in by the server work)."""
