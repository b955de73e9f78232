"""The frozen build, made once per run and shared by the packaging tests."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def dist(tmp_path_factory) -> Path:
    """A fresh build, or with HELPLINE_TEST_DIST the one ``scripts/build.sh --dist`` left there
    (for working on these tests without rebuilding)."""
    if os.environ.get("HELPLINE_TEST_DIST"):
        return Path(os.environ["HELPLINE_TEST_DIST"])
    out = tmp_path_factory.mktemp("dist")
    done = subprocess.run(
        ["bash", str(ROOT / "scripts" / "build.sh"), "--dist", str(out)],
        capture_output=True,
        text=True,
        timeout=1800,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return out
