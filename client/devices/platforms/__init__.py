"""What each operating system runs for a device action, chosen by :func:`adapter_for`."""

from __future__ import annotations

import sys

from client.devices.platforms.base import ActionUnsupported, PlatformAdapter
from client.devices.platforms.linux import LinuxAdapter
from client.devices.platforms.macos import MacAdapter
from client.devices.platforms.windows import WindowsAdapter

__all__ = ["ActionUnsupported", "PlatformAdapter", "adapter_for"]


def adapter_for(platform: str | None = None) -> PlatformAdapter:
    """The adapter for ``platform`` (``sys.platform`` by default); an unknown Unix is treated as
    Linux, whose commands are the freedesktop ones most of them share."""
    name = platform or sys.platform
    if name.startswith("win"):
        return WindowsAdapter()
    if name == "darwin":
        return MacAdapter()
    return LinuxAdapter()
