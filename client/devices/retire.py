"""Retiring a device: the organisation's data and the device's identity go, the person's stay.

Only the paths :meth:`DeviceHome.managed_paths` names are removed, so a data folder that
(by a mistaken ``--data-dir``) also holds other files keeps them.
"""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

from client.devices.home import DeviceHome

log = logging.getLogger(__name__)


def retire(home: DeviceHome) -> list[str]:
    """Remove the managed data, the enrolment and the key; returns what was removed."""
    _close_logs_in(home)
    removed = []
    for path in home.managed_paths():
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        elif path.exists() or path.is_symlink():
            path.unlink()
        else:
            continue
        removed.append(path.name)
    if home.root.is_dir() and not any(home.root.iterdir()):
        home.root.rmdir()
    log.info("device retired: removed %s", ", ".join(removed) or "nothing")
    return removed


def _close_logs_in(home: DeviceHome) -> None:
    """The agent's own log file goes with the managed data: stop writing to it first."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        if isinstance(handler, logging.FileHandler) and Path(handler.baseFilename).is_relative_to(
            home.logs_dir.resolve()
        ):
            root.removeHandler(handler)
            handler.close()
