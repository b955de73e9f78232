"""Where an enrolled device keeps what the organisation gave it, and nothing else.

Everything managed lives under one folder (the platform's user data folder unless
``--data-dir``), so retiring the device can remove exactly that and leave the person's own
files alone. The names are fixed here and nowhere else.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import platformdirs

DATA_DIR_ENV = "HELPLINE_DEVICE_DATA_DIR"


def default_data_dir() -> Path:
    """``HELPLINE_DEVICE_DATA_DIR``, else ``device`` in the platform's data folder."""
    configured = os.environ.get(DATA_DIR_ENV)
    if configured:
        return Path(configured)
    return Path(platformdirs.user_data_dir("helpline")) / "device"


@dataclass(frozen=True)
class DeviceHome:
    root: Path

    @classmethod
    def at(cls, data_dir: Path | None) -> DeviceHome:
        return cls(Path(data_dir) if data_dir else default_data_dir())

    @property
    def key_file(self) -> Path:
        """The device's private key: mode 0600, never leaves this folder."""
        return self.root / "device-key.pem"

    @property
    def enrolment_file(self) -> Path:
        """What the server said when the device enrolled (its id, server URL, name)."""
        return self.root / "enrolment.json"

    @property
    def journal_file(self) -> Path:
        """Every action this device started and how it ended, one JSON line each: what the
        person may look at, and how the agent knows never to run an action twice."""
        return self.root / "actions.jsonl"

    @property
    def managed_dir(self) -> Path:
        """The organisation's managed data (diagnostics reports and the like)."""
        return self.root / "managed"

    @property
    def logs_dir(self) -> Path:
        """The agent's own log, the only log a diagnostics report reads."""
        return self.root / "logs"

    def managed_paths(self) -> list[Path]:
        """What retiring removes: everything above, and nothing outside this folder."""
        return [
            self.key_file,
            self.enrolment_file,
            self.journal_file,
            self.managed_dir,
            self.logs_dir,
        ]
