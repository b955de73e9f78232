"""The picture benchmark still runs end to end: both contenders measured, a report written.

It proves the measuring works (scene, probe, real apps, baseline), not how fast anything
is: figures are only checked to exist. The report goes to a temporary file, never to
docs/benchmarks.md.
"""

from __future__ import annotations

import pytest

from tests.bench.quick_run import run_quick


@pytest.mark.timeout(900)
def test_quick_mode_measures_helpline_and_the_plain_share(tmp_path):
    text, results = run_quick("bench.picture_bench", tmp_path, timeout=850)
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
        assert results[name]["colour_text"]["best_rgb_psnr"] is not None, name
    assert "## Picture" in text and "plain aiortc share" in text
    assert (tmp_path / "picture-bench.png").stat().st_size > 0
