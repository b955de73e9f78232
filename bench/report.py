"""docs/benchmarks.md, one section per benchmark, each rewritten in place by its own run."""

from __future__ import annotations

from pathlib import Path

REPORT = Path(__file__).resolve().parent.parent / "docs" / "benchmarks.md"


def write_section(heading: str, section: str, report: Path = REPORT) -> None:
    """Replace the section that starts with ``heading`` (or append it)."""
    section = section.rstrip("\n") + "\n\n"
    text = report.read_text() if report.exists() else "# Benchmarks\n\n"
    if heading in text:
        start = text.index(heading)
        rest = text.find("\n## ", start + 1)
        text = text[:start] + section + (text[rest + 1 :] if rest != -1 else "")
    else:
        text = text.rstrip("\n") + "\n\n" + section
    report.write_text(text.rstrip("\n") + "\n")
