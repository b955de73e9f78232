"""The frozen build against the virtual environment: sizes, cold start, a session's picture.

    python -m bench.bundle_bench [--dist dist] [--runs 3]

Sizes of each bundle and package; from launch to the helper's first code (sign-in, peer
set-up) and to the sharer's verified card, frozen and from the virtual environment in the
same run; and the frames and size a frozen helper paints from a frozen sharer against the
same from the virtual environment, over 10 s of a still screen. Writes its section of
docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

from bench.report import write_section
from devtools.display import xvfb
from devtools.headless import HeadlessApp
from devtools.server import DEV_DIRECTORY, start_server

ROOT = Path(__file__).resolve().parents[1]
HELPER, SHARER = "alice@contoso.example", "bob@contoso.example"
SCREEN = (1280, 800)


def _size_mb(path: Path) -> float:
    if path.is_file():
        return path.stat().st_size / 1e6
    return (
        sum(p.stat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink()) / 1e6
    )


def _programs(dist: Path | None, app: str) -> list[str] | None:
    return [str(dist / app / app)] if dist else None


def _one_session(server, display: str, dist: Path | None, seconds: float) -> dict[str, float]:
    started = time.perf_counter()
    helper = HeadlessApp(
        "helper_app", "--server", server.url, "--user", HELPER,
        program=_programs(dist, "helpline-helper"),
    )  # fmt: skip
    sharer = None
    try:
        code = helper.wait_for("code")["code"]
        to_code = time.perf_counter() - started
        sharer_started = time.perf_counter()
        sharer = HeadlessApp(
            "sharer_app", "--server", server.url, "--user", SHARER, "--code", code,
            "--consent", "view", env={"DISPLAY": display},
            program=_programs(dist, "helpline-sharer"),
        )  # fmt: skip
        sharer.wait_for("helper_identity")
        to_card = time.perf_counter() - sharer_started
        helper.wait_for("connected")
        end = time.monotonic() + seconds
        last: dict = {}
        while time.monotonic() < end:
            event = helper.wait_for("stats")
            last = event
        return {
            "to_code": to_code,
            "to_card": to_card,
            "frames": float(last.get("frames", 0)),
            "width": float(last.get("width", 0)),
            "height": float(last.get("height", 0)),
        }
    finally:
        helper.close()
        if sharer is not None:
            sharer.close()


def run(dist: Path, runs: int, seconds: float) -> dict[str, dict[str, float]]:
    results: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory() as tmp, xvfb(*SCREEN) as display:
        os.environ.setdefault("XDG_DATA_HOME", str(Path(tmp) / "data"))
        os.environ.setdefault("XDG_CONFIG_HOME", str(Path(tmp) / "config"))
        server = start_server(DEV_DIRECTORY, Path(tmp) / "server")
        try:
            for label, where in (("virtual environment", None), ("frozen bundles", dist)):
                samples = [_one_session(server, display, where, seconds) for _ in range(runs)]
                results[label] = {
                    key: statistics.median(s[key] for s in samples) for key in samples[0]
                }
        finally:
            server.stop()
    return results


def write_report(dist: Path, results: dict[str, dict[str, float]], runs: int) -> None:
    load = os.getloadavg()[0]
    lines = [
        "## Installable build",
        "",
        f"`python -m bench.bundle_bench` — {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())};"
        f" load average {load:.1f}; medians of {runs} runs.",
        "",
        "| artefact | size |",
        "| --- | --- |",
    ]
    for name in ("helpline-helper", "helpline-sharer", "helpline-signaling"):
        lines.append(f"| bundle `{name}/` | {_size_mb(dist / name):.0f} MB |")
    for deb in sorted(dist.glob("*.deb")):
        lines.append(f"| package `{deb.name}` | {_size_mb(deb):.1f} MB |")
    venv, frozen = results["virtual environment"], results["frozen bundles"]
    lines += [
        "",
        "| measure | virtual environment | frozen | frozen vs venv |",
        "| --- | --- | --- | --- |",
    ]
    for key, label, unit in (
        ("to_code", "helper launch to its code (cold start, sign-in)", "s"),
        ("to_card", "sharer launch to the verified card", "s"),
        ("frames", "frames painted in the session", ""),
        ("width", "picture width", "px"),
    ):
        ratio = frozen[key] / venv[key] if venv[key] else float("nan")
        lines.append(
            f"| {label} | {venv[key]:.2f} {unit} | {frozen[key]:.2f} {unit} | {ratio:.2f}x |"
        )
    write_section("## Installable build", "\n".join(lines))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dist", type=Path, default=ROOT / "dist")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=10.0)
    args = parser.parse_args()
    results = run(args.dist, args.runs, args.seconds)
    write_report(args.dist, results, args.runs)
    print(results)


if __name__ == "__main__":
    main()
