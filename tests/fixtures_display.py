"""Fixtures for the virtual X display (filled in by the media work)."""
