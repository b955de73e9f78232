"""The audit as an auditor reads it: ``helpline-signaling audit list`` on a server's data."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any


def audit_records(data_dir: Path) -> list[dict[str, Any]]:
    listing = subprocess.run(
        [sys.executable, "-m", "signaling", "audit", "list", "--data-dir", str(data_dir)],
        capture_output=True,
        text=True,
        check=True,
    )
    return [json.loads(line) for line in listing.stdout.splitlines()]


def audit_record(data_dir: Path) -> dict[str, Any]:
    """The one record a single-session test left."""
    [record] = audit_records(data_dir)
    return record
