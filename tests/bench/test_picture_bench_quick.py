"""The picture benchmark still runs end to end: both contenders measured, a report written.

It proves the measuring works (scene, probe, real apps, baseline), not how fast anything
is: figures are only checked to exist. The report goes to a temporary file, never to
docs/benchmarks.md.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.timeout(900)
def test_quick_mode_measures_helpline_and_the_plain_share(tmp_path):
    report, figures = tmp_path / "benchmarks.md", tmp_path / "picture.json"
    bench = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "bench.picture_bench",
            "--quick",
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
        _, stderr = bench.communicate(timeout=850)
    finally:
        if bench.poll() is None:
            bench.terminate()  # it stops its own displays, server and apps
            bench.communicate(timeout=60)
    assert bench.returncode == 0, stderr[-3000:]
    results = json.loads(figures.read_text())
    for name in ("helpline60", "helpline30", "plain"):
        busy = results[name]["busy"]
        assert busy["painted_fps"] > 0, name
        assert busy["latency_ms"]["n"] > 0, name
        assert busy["sharer_cpu_ms_per_frame"] is not None, name
        assert busy["kbit_s"] is not None, name
        assert results[name]["first_frame_s"] > 0, name
        assert results[name]["fresh"]["ssim_1s"] is not None, name
    for name in ("helpline60", "plain"):
        assert results[name]["after_motion"]["best_ssim"] is not None, name
        assert results[name]["first_change_ms"]["n"] > 0, name
        assert results[name]["still"]["kbit_s"] is not None, name
    text = report.read_text()
    assert "## Picture" in text and "plain aiortc share" in text
    assert (tmp_path / "picture-bench.png").stat().st_size > 0
