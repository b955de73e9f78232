"""Running a benchmark's quick mode as its own process, into a temporary report."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]


def run_quick(
    module: str, tmp_path: Path, timeout: float, args: Sequence[str] = ()
) -> tuple[str, dict[str, Any]]:
    """Run ``python -m MODULE --quick [ARGS]`` writing its report and figures under
    ``tmp_path`` (never docs/benchmarks.md); return the report's text and the figures. A run
    past ``timeout`` is terminated, so that it stops its own displays, servers and apps."""
    report, figures = tmp_path / "benchmarks.md", tmp_path / "figures.json"
    bench = subprocess.Popen(
        [
            sys.executable,
            "-m",
            module,
            "--quick",
            *args,
            "--report",
            str(report),
            "--json",
            str(figures),
        ],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        _, stderr = bench.communicate(timeout=timeout)
    finally:
        if bench.poll() is None:
            bench.terminate()
            bench.communicate(timeout=60)
    assert bench.returncode == 0, stderr[-3000:]
    return report.read_text(), json.loads(figures.read_text())
