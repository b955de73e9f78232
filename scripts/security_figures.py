"""Measure the figures docs/security.md quotes, by running the adversarial tests themselves.

Two runs of the same tests: the CI size (what ``./scripts/test.sh`` runs every time) and a
long one (thousands of fuzz cases drawn afresh, thousands of guesses, many kills). Each test
records what it really did through ``HELPLINE_FIGURES`` (tests/figures.py): fuzz cases and
messages sent, guesses tried and how each was refused, kills survived and records lost.

    python scripts/security_figures.py                  # both runs; a table on standard output
    python scripts/security_figures.py --write-doc      # and record it in docs/security.md
    python scripts/security_figures.py --examples 800 --guesses 5000 --kills 20

The long run takes half an hour on a small machine: run it before a release,
not in CI. Exit status: 0 when both runs passed, 1 otherwise (the figures are then not
written).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "security.md"
FIGURES_START = "<!-- security figures: written by scripts/security_figures.py --write-doc -->"
FIGURES_END = "<!-- end of security figures -->"
TESTS = (
    "tests/adversarial/test_signaling_fuzz.py",
    "tests/adversarial/test_peer_fuzz.py",
    "tests/adversarial/test_guessing.py",
    "tests/adversarial/test_audit_flood.py",
    "tests/signaling/test_kill.py",
)
FUZZ = {
    "signaling": "hostile signaling frames beside a live session",
    "data channel, to the sharer (view)": "hostile data-channel batches to a sharer (view only)",
    "data channel, to the sharer (control)": "invalid input and hostile control to a sharer"
    " (full control)",
    "data channel, to the helper": "hostile data-channel batches to a real helper",
}


def run(env: dict[str, str], *pytest_args: str) -> tuple[dict[str, dict], float, bool]:
    """Run the tests with ``env``; their recorded figures by test name, seconds, passed."""
    with tempfile.TemporaryDirectory(prefix="helpline-figures-") as tmp:
        figures_file = Path(tmp) / "figures.jsonl"
        started = time.monotonic()
        done = subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *pytest_args, *TESTS],
            cwd=ROOT,
            env={**os.environ, **env, "HELPLINE_FIGURES": str(figures_file)},
        )
        seconds = time.monotonic() - started
        lines = figures_file.read_text().splitlines() if figures_file.exists() else []
    figures = {(entry := json.loads(line))["test"]: entry for line in lines}
    return figures, seconds, done.returncode == 0


def table(ci: dict[str, dict], long: dict[str, dict], long_env: dict[str, str]) -> str:
    def cell(figures: dict[str, dict], test: str, key: str) -> str:
        value = figures.get(test, {}).get(key)
        return "—" if value is None else f"{value:,}" if isinstance(value, int) else str(value)

    rows = [
        (f"fuzz cases: {what}", test, "cases") for test, what in FUZZ.items()
    ] + [
        (f"messages sent: {what}", test, "messages") for test, what in FUZZ.items()
    ]  # fmt: skip
    rows += [
        ("codes guessed (wrong), all refused", "guessing", "refused"),
        ("... answered `invalid_code` (before the locks)", "guessing", "invalid_code"),
        ("... answered `rate_limited` (never compared)", "guessing", "rate_limited"),
        ("... accepted", "guessing", "accepted"),
        ("... audit rows they took (summaries)", "guessing", "audit_rows"),
        ("... attempts counted in those rows", "guessing", "audited_attempts"),
        ("codes guessed by one connection at full speed", "flood", "guesses"),
        ("... counted in the audit", "flood", "counted"),
        ("... chain events they took", "flood", "events"),
        ("SIGKILLs under load survived", "kills", "kills"),
        ("records acknowledged to clients before the kills", "kills", "acknowledged"),
        ("records lost", "kills", "lost"),
    ]
    total_ci = sum(ci.get(t, {}).get("cases", 0) for t in FUZZ)
    total_long = sum(long.get(t, {}).get("cases", 0) for t in FUZZ)
    settings = ", ".join(f"`{k}={v}`" for k, v in long_env.items())
    lines = [
        f"Last run: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, `python scripts/security_figures.py`"
        f" (long run: {settings}): **{total_ci:,} fuzz cases in CI size, {total_long:,} in the"
        " long run, no failure**.",
        "",
        "| figure | CI size (every `./scripts/test.sh`) | long run |",
        "| --- | --- | --- |",
    ]
    for label, test, key in rows:
        lines.append(f"| {label} | {cell(ci, test, key)} | {cell(long, test, key)} |")
    return "\n".join(lines)


def write_doc(text: str) -> None:
    doc = DOC.read_text()
    start, end = doc.index(FIGURES_START), doc.index(FIGURES_END)
    DOC.write_text(doc[: start + len(FIGURES_START)] + "\n\n" + text + "\n\n" + doc[end:])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--examples", type=int, default=800, help="long run: fuzz cases per test")
    parser.add_argument("--guesses", type=int, default=5000, help="long run: wrong codes tried")
    parser.add_argument("--kills", type=int, default=20, help="long run: SIGKILLs under load")
    parser.add_argument("--write-doc", action="store_true", help=f"record the figures in {DOC}")
    args = parser.parse_args()
    long_env = {
        "HELPLINE_FUZZ_EXAMPLES": str(args.examples),
        "HELPLINE_GUESSES": str(args.guesses),
        "HELPLINE_KILLS": str(args.kills),
    }
    ci, ci_seconds, ci_passed = run({})
    print(f"CI size: {ci_seconds:.0f} s, {'passed' if ci_passed else 'FAILED'}", flush=True)
    # The suite's per-test timeout bounds a hung test at CI size; a long run is long on purpose.
    long, long_seconds, long_passed = run(long_env, "-o", "timeout=0")
    print(f"long run: {long_seconds:.0f} s, {'passed' if long_passed else 'FAILED'}", flush=True)
    text = table(ci, long, long_env)
    print("\n" + text)
    if not (ci_passed and long_passed):
        return 1
    if args.write_doc:
        write_doc(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
