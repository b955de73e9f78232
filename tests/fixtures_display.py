"""A real X display (Xvfb) for the whole run: capture reads it, injection writes to it."""

from __future__ import annotations

import gc
import os

import pytest

from tests.display_tools import start_xvfb

SCREEN = (1280, 800)


@pytest.fixture(scope="session")
def xvfb_display():
    proc, display = start_xvfb(*SCREEN)
    previous = os.environ.get("DISPLAY")
    os.environ["DISPLAY"] = display
    yield display
    # Let go of every X client of this process (pynput controllers) while the display lives.
    gc.collect()
    if previous is None:
        os.environ.pop("DISPLAY", None)
    else:
        os.environ["DISPLAY"] = previous
    proc.terminate()
    proc.wait(timeout=10)
