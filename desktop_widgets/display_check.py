"""Whether a desktop app can open a window here, asked before Qt is, because Qt's own answer
without a display is an abort that blames a missing ``libxcb-cursor0``."""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping

# Qt platforms that draw without any display server.
_NO_DISPLAY_NEEDED = frozenset({"offscreen", "minimal", "vnc", "linuxfb", "eglfs", "vkkhrdisplay"})


def missing_display(environ: Mapping[str, str] | None = None, platform: str = "") -> str | None:
    """Why no window can open here, in words for the user; None when one can."""
    env = os.environ if environ is None else environ
    if not (platform or sys.platform).startswith("linux"):
        return None
    qpa = env.get("QT_QPA_PLATFORM", "").split(":")[0].strip()
    if qpa in _NO_DISPLAY_NEEDED:
        return None
    x11, wayland = env.get("DISPLAY", ""), env.get("WAYLAND_DISPLAY", "")
    if qpa == "xcb" and x11:
        return None
    if qpa == "wayland" and wayland:
        return None
    if not qpa and (x11 or wayland):
        return None
    wanted = {"xcb": "DISPLAY", "wayland": "WAYLAND_DISPLAY"}.get(qpa, "DISPLAY or WAYLAND_DISPLAY")
    return (
        f"no display found ({wanted} is not set), so no window can open. Run with --headless "
        "for the JSON-lines app, or try ./scripts/demo.sh, which starts its own display."
    )
