"""What a still screen costs the sharer: the capture track against a naive 30 fps loop.

Both run in this process, one after the other, on the same Xvfb display; the figures are
ratios against the naive baseline measured in the same run, so a busy machine shifts both.
Results go to docs/benchmarks.md (section "Screen capture").

    python -m bench.capture_bench [--seconds 6]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import time

import av
import mss
import numpy as np

from bench.report import write_section
from client.media.capture_track import ScreenCaptureTrack
from devtools.display import start_xvfb


async def naive(seconds: float) -> tuple[float, int]:
    """Grab and convert every 1/30 s whatever happens: what a simple capture loop does."""
    frames = 0
    cpu = time.process_time()
    end = time.monotonic() + seconds
    with mss.MSS() as screen:
        while time.monotonic() < end:
            shot = screen.grab(screen.monitors[1])
            pixels = np.frombuffer(shot.raw, np.uint8).reshape(shot.height, shot.width, 4)
            av.VideoFrame.from_ndarray(pixels, format="bgra").reformat(format="yuv420p")
            frames += 1
            await asyncio.sleep(1 / 30)
    return time.process_time() - cpu, frames


async def track(seconds: float, mover: bool) -> tuple[float, int]:
    capture = ScreenCaptureTrack(max_fps=30, adaptive=False)
    painter = _moving_window() if mover else None
    frames = 0
    try:
        await capture.recv()  # the first frame is not part of the steady state
        cpu = time.process_time()
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            await capture.recv()
            frames += 1
        return time.process_time() - cpu, frames
    finally:
        capture.stop()
        if painter is not None:
            painter.kill()


def _moving_window() -> subprocess.Popen[bytes]:
    """A small window that moves 20 times a second: a screen that keeps changing."""
    code = (
        "import sys\nfrom PySide6.QtCore import QTimer\nfrom PySide6.QtWidgets import "
        "QApplication, QLabel\napp=QApplication([]);w=QLabel('moving');w.resize(200,100);"
        "w.show();n=[0]\ndef step():\n n[0]=(n[0]+7)%900;w.move(n[0],200)\n"
        "t=QTimer();t.timeout.connect(step);t.start(50);app.exec()\n"
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", code], env={**os.environ, "QT_QPA_PLATFORM": "xcb"}
    )
    time.sleep(1.0)
    return proc


def write_report(rows: list[tuple[str, float, int, float]], seconds: float) -> None:
    base_cpu, base_frames = rows[0][1], rows[0][2]
    lines = [
        "## Screen capture",
        "",
        f"`python -m bench.capture_bench` — {seconds:.0f} s per case, 1280x800 Xvfb screen, "
        "30 fps target; CPU is this process's CPU time (capture and conversion, no encoding).",
        "",
        "| case | CPU s per s | frames per s | CPU vs naive | frames vs naive |",
        "| --- | --- | --- | --- | --- |",
    ]
    for name, cpu, frames, duration in rows:
        lines.append(
            f"| {name} | {cpu / duration:.3f} | {frames / duration:.1f} | "
            f"{cpu / base_cpu:.2f}x | {frames / base_frames:.2f}x |"
        )
    lines.append("")
    write_section("## Screen capture", "\n".join(lines))


async def main(seconds: float) -> None:
    rows = []
    cpu, frames = await naive(seconds)
    rows.append(("naive loop, still screen (baseline)", cpu, frames, seconds))
    cpu, frames = await track(seconds, mover=False)
    rows.append(("capture track, still screen", cpu, frames, seconds))
    cpu, frames = await track(seconds, mover=True)
    rows.append(("capture track, moving window", cpu, frames, seconds))
    write_report(rows, seconds)
    for row in rows:
        print(f"{row[0]:40s} cpu/s={row[1] / seconds:.3f} fps={row[2] / seconds:.1f}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=6.0)
    args = parser.parse_args()
    xvfb, os.environ["DISPLAY"] = start_xvfb(1280, 800)
    try:
        asyncio.run(main(args.seconds))
    finally:
        xvfb.terminate()
