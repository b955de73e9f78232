"""The console benchmark's quick mode runs and reports every figure it promises."""

from tests.bench.quick_run import run_quick


def test_the_console_benchmark_reports_pages_and_exports(tmp_path):
    text, figures = run_quick("bench.console_bench", tmp_path, timeout=300)
    assert "## Console" in text
    assert figures["all_csv_rows"] == 2000 and figures["scoped_csv_rows"] == 1000
    assert figures["all_page_ms"] > 0 and figures["scoped_api_rows_per_s"] > 0
