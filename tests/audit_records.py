"""The audit as an auditor reads it: ``helpline-signaling audit list`` on a server's data.

On a server other tests use as well (``shared_server``), a test's own records are those
that began after it did: ``since`` is when the test started its apps.
"""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

from devtools.waiting import wait_until


def audit_records(data_dir: Path, since: datetime | None = None) -> list[dict[str, Any]]:
    window = ["--since", since.isoformat()] if since is not None else []
    listing = subprocess.run(
        [sys.executable, "-m", "signaling", "audit", "list", "--data-dir", str(data_dir), *window],
        capture_output=True,
        text=True,
        check=True,
    )
    return [json.loads(line) for line in listing.stdout.splitlines()]


def audit_record(data_dir: Path, since: datetime | None = None) -> dict[str, Any]:
    """The one record a single-session test left (begun after ``since``)."""
    [record] = audit_records(data_dir, since)
    return record


def closed_record(data_dir: Path, since: datetime) -> dict[str, Any]:
    """The one record begun after ``since``, once its server has closed it (a running server
    writes the end after telling both sides)."""

    def closed() -> dict[str, Any] | None:
        record = audit_record(data_dir, since)
        return record if record["ended_at"] is not None else None

    return wait_until(closed, "the session's audit record closed")
