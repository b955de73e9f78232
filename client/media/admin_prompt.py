"""Whether the sharer's screen shows an administrator prompt that this session cannot capture.

On Windows a UAC prompt appears on the secure desktop (``Winlogon``), which no process in the
user's session can capture or inject into: the helper would see a frozen picture and type
into nothing. The sharer's app notices that the input desktop is no longer the user's and
tells the helper, who is told "the sharer's screen shows an administrator prompt you cannot
see" instead. Acting on the secure desktop needs a SYSTEM service on the machine (the
device agent of the distribution work, running as a service, capturing and injecting on the
secure desktop for the session's duration): designed in docs/protocol.md, not built here.

On Linux a polkit prompt is an ordinary window on the user's display, captured and
controlled like any other: there is nothing to detect, so there is no watch.
"""

from __future__ import annotations

import ctypes
import sys
from typing import Any, Protocol

# OpenInputDesktop's access right to read the desktop's name, and the name attribute.
_DESKTOP_READOBJECTS = 0x0001
_UOI_NAME = 2
USER_DESKTOP = "Default"


class AdminPromptWatch(Protocol):
    def showing(self) -> bool:
        """True while input goes to a desktop this session cannot capture."""
        ...


class WindowsSecureDesktop:
    """The input desktop, asked of user32: the user's own is ``Default``; any other, or one
    this process may not even open, is the secure desktop (UAC, Ctrl+Alt+Del, the lock)."""

    def __init__(self, user32: Any) -> None:
        self._user32 = user32

    def showing(self) -> bool:
        desktop = self._user32.OpenInputDesktop(0, False, _DESKTOP_READOBJECTS)
        if not desktop:
            return True  # access denied: only the secure desktop refuses the user's session
        try:
            name = ctypes.create_unicode_buffer(256)
            needed = ctypes.c_ulong(0)
            if not self._user32.GetUserObjectInformationW(
                desktop, _UOI_NAME, name, ctypes.sizeof(name), ctypes.byref(needed)
            ):
                return False
            return name.value != USER_DESKTOP
        finally:
            self._user32.CloseDesktop(desktop)


def admin_prompt_watch() -> AdminPromptWatch | None:
    """The watch for this platform; None where administrator prompts are ordinary windows."""
    if sys.platform != "win32":
        return None
    return WindowsSecureDesktop(ctypes.WinDLL("user32", use_last_error=True))
