"""Real X displays (Xvfb): capture reads them, injection writes to them.

``xvfb_display`` is shared by the whole run and is the process's own ``DISPLAY``. Tests
whose result depends on what else is on the screen, on where the pointer is or on which
keys are held take a ``private_display`` of their own, so no other test's window or input
can change what they read back.
"""

from __future__ import annotations

import gc
import os

import pytest

from devtools.display import Monitor, start_xvfb, xvfb

SCREEN = (1280, 800)
# Two monitors of different sizes, the second to the right and lower, as real desks are:
# a mapping that drops either offset lands on the wrong monitor or off the second one.
TWO_MONITORS = (
    (1600, 800),
    (
        Monitor(left=0, top=0, width=700, height=600),
        Monitor(left=700, top=100, width=900, height=600),
    ),
)


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


@pytest.fixture
def private_display():
    """A screen of the suite's usual size for this test alone."""
    with xvfb(*SCREEN) as display:
        yield display
        gc.collect()


@pytest.fixture
def two_monitor_display():
    """One X screen split into the two monitors of ``TWO_MONITORS``, for this test alone."""
    size, monitors = TWO_MONITORS
    with xvfb(*size, monitors=monitors) as display:
        yield display
        gc.collect()
