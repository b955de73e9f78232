"""What the helper sees of the sharer's screen, against a plain aiortc share (issues 9, 25).

    python -m bench.picture_bench [--quick] [--soak-minutes N] [--report FILE] [--json FILE]
    python -m bench.picture_bench --links [--quick] [--report FILE] [--json FILE]   (as root)

Two Xvfb displays: the sharer's (1920x1080) shows a scene this benchmark draws; the
helper's (2560x1440) shows the real helper app's window, full screen, with the picture 1:1.
A real signaling server and the real headless sharer connect them. A probe reads the
helper's display: painted frames, glass-to-glass latency of every frame and every flip,
and the text picture against the source (PSNR, SSIM). The plain aiortc share runs on the
same displays in the same run as the baseline. Results go to docs/benchmarks.md
(section "Picture") with a chart in docs/picture-bench.png; ``--quick`` runs every phase
briefly, without the soak, and is what the test suite runs.

``--links`` measures over emulated real links instead (``bench/picture/links.py``): the
sharer behind a rate, a queue, a delay and a loss per profile, from unlimited to a poor
mobile link, Helpline and the plain share through each. Results go to the section "Picture
over real links"; with ``--quick`` only the unlimited and the 5 Mbit/s profiles, briefly.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import signal
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import mss

from bench.picture import layout
from bench.picture.contenders import Contender, Displays, Helpline, PlainShare
from bench.picture.link_report import write_links_report
from bench.picture.links import PROFILES, QUICK_PROFILES, measure_links
from bench.picture.phases import (
    Stage,
    after_motion_and_still,
    before_start,
    busy,
    calibrate,
    first_picture,
    quiet_flips,
    soak,
)
from bench.picture.probe import Probe
from bench.picture.report import write_report
from bench.picture.scene_control import SceneControl
from bench.picture.settings import PictureBenchSettings
from bench.report import REPORT
from devtools.display import start_xvfb
from devtools.server import DEV_DIRECTORY, start_server


def _measure(
    stage: Stage, start: Callable[[], Contender], *, full: bool, soak_minutes: float = 0
) -> dict[str, Any]:
    stage.results = {}
    before_start(stage)
    contender = start()
    try:
        stage.results["label"] = contender.label
        first_picture(stage, contender)
        busy(stage, contender, stage.settings.busy_seconds)
        if full:
            after_motion_and_still(stage, contender)
            quiet_flips(stage)
        if soak_minutes > 0:
            soak(stage, contender, soak_minutes)
    finally:
        contender.stop()
    return stage.results


@contextlib.contextmanager
def _rig(
    settings: PictureBenchSettings, workdir: Path, server_host: str = "127.0.0.1"
) -> Iterator[tuple[Stage, Displays, int]]:
    """Both displays, the scene, the probe and a server: (the stage, the displays, its port)."""
    sharer_xvfb, sharer_display = start_xvfb(layout.WIDTH, layout.HEIGHT)
    helper_xvfb, helper_display = start_xvfb(*settings.helper_screen)
    displays = Displays(sharer_display, helper_display, workdir)
    server = None
    scene = None
    probe = Probe(helper_display)
    try:
        server = start_server(DEV_DIRECTORY, workdir / "server-data", host=server_host)
        scene = SceneControl(displays)
        probe.start()
        with mss.MSS(display=sharer_display) as source, mss.MSS(display=helper_display) as shown:
            yield Stage(scene, probe, source, shown, settings), displays, server.port
    finally:
        probe.stop()
        if scene is not None:
            scene.close()
        if server is not None:
            server.stop()
        for xvfb in (sharer_xvfb, helper_xvfb):
            xvfb.terminate()
            xvfb.wait()


def run(settings: PictureBenchSettings, workdir: Path) -> dict[str, Any]:
    load = os.getloadavg()[0]
    with _rig(settings, workdir) as (stage, displays, port):
        return {
            "calibration": calibrate(stage, displays.sharer, settings.warmup_seconds + 2),
            "helpline60": _measure(
                stage,
                lambda: Helpline(displays, port, 60),
                full=True,
                soak_minutes=settings.soak_minutes,
            ),
            "helpline30": _measure(stage, lambda: Helpline(displays, port, 30), full=False),
            "plain": _measure(stage, lambda: PlainShare(displays), full=True),
            "probe_polls": stage.probe.polls,
            "load": [load, os.getloadavg()[0]],
        }


def run_links(settings: PictureBenchSettings, workdir: Path, *, quick: bool) -> dict[str, Any]:
    """Every link profile (the quick ones with ``quick``); the server listens on every
    address, so the sharer reaches it from behind the link."""
    load = os.getloadavg()[0]
    profiles = QUICK_PROFILES if quick else PROFILES
    with _rig(settings, workdir, server_host="0.0.0.0") as (stage, displays, port):
        return {
            "profiles": measure_links(stage, displays, port, profiles),
            "load": [load, os.getloadavg()[0]],
        }


def _interrupt(*_: object) -> None:
    raise KeyboardInterrupt


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="every phase briefly, no soak")
    parser.add_argument(
        "--links", action="store_true", help="over emulated real links (needs root)"
    )
    parser.add_argument("--soak-minutes", type=float, help="busy soak of the helper app")
    parser.add_argument("--report", type=Path, default=REPORT, help="markdown file to update")
    parser.add_argument("--json", type=Path, help="also write the raw figures here")
    parser.add_argument(
        "--pictures", type=Path, help="keep the helper's text picture (1 s after motion) here"
    )
    args = parser.parse_args()
    settings = PictureBenchSettings.quick() if args.quick else PictureBenchSettings()
    if args.soak_minutes is not None:
        settings.soak_minutes = args.soak_minutes
    settings.pictures = args.pictures
    workdir = Path(tempfile.mkdtemp(prefix="picture-bench-"))
    # Terminated (a CI timeout): unwind like Ctrl+C, so the displays and apps are stopped.
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        if args.links:
            results = run_links(settings, workdir, quick=args.quick)
        else:
            results = run(settings, workdir)
    except (RuntimeError, OSError) as exc:
        print(f"picture benchmark failed: {exc} (logs in {workdir})", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"picture benchmark interrupted (logs in {workdir})", file=sys.stderr)
        return 130
    if args.json:
        args.json.write_text(json.dumps(results, indent=1))
    if args.links:
        write_links_report(results, settings, args.report, quick=args.quick)
    else:
        write_report(results, settings, args.report, quick=args.quick)
    print(json.dumps(results, indent=1))
    shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
