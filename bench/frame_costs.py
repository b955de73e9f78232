"""Where a busy 1080p frame's time goes, stage by stage, on this machine.

    python -m bench.frame_costs [--frames 120] [--scale 1.0]

The picture benchmark's full-screen animation runs on a fresh Xvfb display (1920x1080); each
frame goes through the sharer's and the helper's own code one stage at a time, timed on
its own: the grab (mss, XShm), the change check, the conversion to yuv420p, the motion
encoder, aiortc's packetiser, then the helper's decoder and its paint conversion. Medians
and 90th percentiles in ms, as JSON on stdout. CPU time is what counts on a shared
2-core machine, so each stage also reports its process CPU time.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from typing import Any

import av
import mss
from aiortc.codecs.h264 import H264Encoder
from av.video.reformatter import VideoReformatter

from bench.picture import layout
from client.media.capture_track import _convert
from client.media.screen_encoder import TIME_BASE, ScreenEncoder
from devtools.display import start_xvfb

PAINT_FORMAT = "bgra"  # what the helper's RemoteScreen converts each painted frame to


@contextlib.contextmanager
def _timed(costs: dict[str, list[tuple[float, float]]], stage: str) -> Iterator[None]:
    """Adds (wall ms, process CPU ms) of the block to the stage's list."""
    wall, cpu = time.perf_counter(), time.process_time()
    yield
    costs.setdefault(stage, []).append(
        (1000 * (time.perf_counter() - wall), 1000 * (time.process_time() - cpu))
    )


def measure(frames: int, scale: float) -> dict[str, Any]:
    xvfb, display = start_xvfb(layout.WIDTH, layout.HEIGHT)
    env = {**os.environ, "DISPLAY": display, "QT_QPA_PLATFORM": "xcb"}
    scene = subprocess.Popen(
        [sys.executable, "-m", "bench.picture.scene"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        env=env,
        text=True,
    )
    try:
        assert scene.stdin is not None and scene.stdout is not None
        scene.stdout.readline()  # the window is up
        scene.stdin.write(json.dumps({"cmd": "busy", "flip_every": 30}) + "\n")
        scene.stdin.flush()
        return _stages(display, frames, scale)
    finally:
        scene.terminate()
        scene.wait()
        xvfb.terminate()
        xvfb.wait()


def _stages(display: str, frames: int, scale: float) -> dict[str, Any]:
    costs: dict[str, list[tuple[float, float]]] = {}
    reformatter, paint = VideoReformatter(), VideoReformatter()
    encoder, packetiser = ScreenEncoder(), H264Encoder()
    decoder = av.CodecContext.create("h264", "r")
    area = {"left": 0, "top": 0, "width": layout.WIDTH, "height": layout.HEIGHT}
    last: bytearray | None = None
    with mss.MSS(display=display) as screen:
        for pts in range(frames):
            with _timed(costs, "grab"):
                shot = screen.grab(area)
            raw = shot.raw
            with _timed(costs, "change check"):
                _ = raw != last
            last = raw
            with _timed(costs, "convert to yuv420p"):
                frame = _convert(reformatter, raw, shot.width, shot.height, scale)
            frame.pts, frame.time_base = pts * 1500, TIME_BASE
            with _timed(costs, "encode"):
                encoded = encoder.encode(frame, sharp=False)
            for packet in encoded.packets:
                with _timed(costs, "packetise"):
                    packetiser.pack(packet)
                with _timed(costs, "decode"):
                    shown = decoder.decode(packet)
                for picture in shown:
                    with _timed(costs, "paint conversion"):
                        paint.reformat(picture, format=PAINT_FORMAT)
            time.sleep(1 / 60)
    return {
        stage: {
            "wall_p50": round(statistics.median(w for w, _ in values), 2),
            "wall_p90": round(sorted(w for w, _ in values)[int(0.9 * len(values))], 2),
            "cpu_p50": round(statistics.median(c for _, c in values), 2),
        }
        for stage, values in costs.items()
    } | {"load": os.getloadavg()[0], "frames": frames, "scale": scale}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--frames", type=int, default=120)
    parser.add_argument("--scale", type=float, default=1.0)
    args = parser.parse_args()
    print(json.dumps(measure(args.frames, args.scale), indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
