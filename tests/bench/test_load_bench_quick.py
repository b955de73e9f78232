"""The load benchmark still runs end to end: idle connections held and measured, pairings
driven through one server and through two replicas with Redis, a report written.

It proves the measuring works, not how fast anything is: figures are only checked to exist
and every pairing to have completed. The report goes to a temporary file, never to
docs/benchmarks.md.
"""

from __future__ import annotations

import pytest

from tests.bench.quick_run import run_quick


@pytest.mark.timeout(600)
def test_quick_mode_measures_one_process_and_two_replicas(tmp_path):
    text, results = run_quick("bench.load_bench", tmp_path, timeout=550)
    assert results["idle"]["held"] == results["scale"]["idle"]
    assert results["idle"]["rss_mb"] > 0
    for setup in ("one", "two"):
        run = results[setup]
        assert run["sessions"] == results["scale"]["concurrent"]
        assert run["pairings"] > 0 and not run["failures"]
        assert run["p99_ms"] >= run["p50_ms"] > 0
    assert results["two"]["chain_intact"]
    assert "## Load" in text and "two replicas + Redis" in text
