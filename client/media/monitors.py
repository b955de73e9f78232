"""Monitors as mss sees them, and the mapping from normalised coordinates to real pixels."""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class MonitorGeometry:
    left: int
    top: int
    width: int
    height: int


class MonitorError(ValueError):
    """The chosen monitor does not exist, or there is no screen to capture."""


WAYLAND_UNSUPPORTED = (
    "this desktop runs Wayland, where Helpline cannot see or control the screen yet (the "
    "picture would be black and input would not arrive). Log out, choose an X11 session at "
    "the login screen (for example 'GNOME on Xorg' or 'Ubuntu on Xorg'), and start again"
)


def wayland_problem(environ: Mapping[str, str] | None = None) -> str | None:
    """Capture and injection go through X11. In a Wayland session even XWayland's DISPLAY
    shows only X11 windows: everything else is black, so refuse and say what to do."""
    env = os.environ if environ is None else environ
    if not sys.platform.startswith("linux"):
        return None
    if env.get("XDG_SESSION_TYPE", "").lower() == "wayland" or (
        env.get("WAYLAND_DISPLAY") and not env.get("DISPLAY")
    ):
        return WAYLAND_UNSUPPORTED
    return None


def list_monitors() -> list[MonitorGeometry]:
    """Physical monitors, first one at index 0 (mss index 1); needs an X11 display."""
    import mss
    import mss.exception

    problem = wayland_problem()
    if problem:
        raise MonitorError(problem)

    try:
        screen = mss.MSS()
    except mss.exception.ScreenShotError as exc:
        raise MonitorError(f"no screen to share: {exc}") from exc
    with screen:
        return [
            MonitorGeometry(m["left"], m["top"], m["width"], m["height"])
            for m in screen.monitors[1:]
        ]


def monitor_geometry(number: int) -> MonitorGeometry:
    """Monitor ``number`` counted from 1, as on the command line."""
    monitors = list_monitors()
    if not 1 <= number <= len(monitors):
        raise MonitorError(f"there is no monitor {number}; this machine has {len(monitors)}")
    return monitors[number - 1]


def to_pixels(geometry: MonitorGeometry, x: float, y: float) -> tuple[int, int]:
    """Absolute desktop pixel for normalised (x, y); 1.0 is the last pixel, not past it."""
    px = geometry.left + min(int(x * geometry.width), geometry.width - 1)
    py = geometry.top + min(int(y * geometry.height), geometry.height - 1)
    return px, py
