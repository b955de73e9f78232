"""How a diagnostics report's values are shown to people."""

from signaling.console.diagnostics import plain, shape, title


def test_names_sizes_and_shapes_read_as_words():
    assert title("helpline_log_tail") == "Helpline log tail"
    assert title("os") == "OS" and title("cpus") == "CPUs"
    assert plain(270553174016, "total_bytes") == "252.0 GiB"
    assert plain(512, "free_bytes") == "512"
    assert plain(None) == "—" and plain(True) == "yes"
    assert [shape(v) for v in ({}, [], "a\nb", "short", 3)] == [
        "table", "list", "text", "plain", "plain"
    ]  # fmt: skip
