"""One contender through the benchmark's phases, measured on the helper's display.

Order: a still text page before anything connects (first frame after consent, then "fresh"
text quality), a busy phase (fps, glass-to-glass latency, CPU per frame, bit rate), a new
text page right after motion (quality 1 s after going still and the best within 3 s), a
still spell (what a still screen costs), single changes after quiet spells (first change
after quiet), and for the main contender a long busy soak (the viewer's memory).
"""

from __future__ import annotations

import collections
import itertools
import time
from dataclasses import dataclass, field
from typing import Any

import mss
import mss.tools
import numpy as np

from bench.picture import layout, metrics
from bench.picture.contenders import Contender
from bench.picture.probe import Placement, Probe, grab_rgb
from bench.picture.procstat import alive, cpu_seconds, rss_bytes
from bench.picture.scene_control import SceneControl, wait_until
from bench.picture.settings import PictureBenchSettings

QUALITY_OFFSETS = (1.0, 1.5, 2.0, 2.5, 3.0)  # seconds after the screen went still
FLIP_EVERY = 30  # busy frames between marker flips
SHIFTS = range(-2, 3)  # pixels searched to align the shown picture with the source


@dataclass
class Stage:
    """What every phase works with; each phase adds its figures to ``results``."""

    scene: SceneControl
    probe: Probe
    source: mss.base.MSSBase  # the sharer's display
    shown: mss.base.MSSBase  # the helper's display
    settings: PictureBenchSettings
    results: dict[str, Any] = field(default_factory=dict)


# ---- text quality ----------------------------------------------------------------------


def upscaled(picture: np.ndarray, placement: Placement) -> np.ndarray:
    """A picture shown smaller than 1:1, blown up to the source's size (nearest pixel)."""
    if placement.scale == 1.0:
        return picture
    ys = np.minimum((np.arange(layout.HEIGHT) * placement.scale).astype(int), picture.shape[0] - 1)
    xs = np.minimum((np.arange(layout.WIDTH) * placement.scale).astype(int), picture.shape[1] - 1)
    return picture[ys][:, xs]


def compare(source: np.ndarray, picture: np.ndarray, placement: Placement) -> tuple[float, float]:
    """(PSNR, SSIM) of the text area, at the best alignment within two pixels."""
    box = layout.text_box()
    ref = metrics.luma(source[box.y : box.y + box.h, box.x : box.x + box.w])
    seen = metrics.luma(upscaled(picture, placement))
    best = max(
        ((dx, dy) for dx in SHIFTS for dy in SHIFTS),
        key=lambda d: metrics.psnr(
            ref, seen[box.y + d[1] : box.y + d[1] + box.h, box.x + d[0] : box.x + d[0] + box.w]
        ),
    )
    dx, dy = best
    window = seen[box.y + dy : box.y + dy + box.h, box.x + dx : box.x + dx + box.w]
    return metrics.psnr(ref, window), metrics.ssim(ref, window)


Grabs = tuple[np.ndarray, list[tuple[float, tuple[np.ndarray, Placement] | None]]]


def grab_text(stage: Stage, still_since: float) -> Grabs:
    """The source page, and the helper's picture at each offset after the screen went still."""
    source = grab_rgb(stage.source, stage.source.monitors[1]).copy()
    grabs = []
    for offset in QUALITY_OFFSETS:
        wait_until(still_since + offset)
        grabs.append((offset, stage.probe.grab_picture(stage.shown)))
    return source, grabs


def text_quality(grabbed: Grabs) -> dict[str, Any]:
    """Scored after the fact: SSIM takes a while, and the clock must not wait for it."""
    source, grabs = grabbed
    scores = {offset: compare(source, *g) for offset, g in grabs if g is not None}
    shown = [g[1].scale for _, g in grabs if g is not None]
    at_1s = scores.get(QUALITY_OFFSETS[0], (None, None))
    return {
        "psnr_1s": at_1s[0],
        "ssim_1s": at_1s[1],
        "best_psnr": max((p for p, _ in scores.values()), default=None),
        "best_ssim": max((q for _, q in scores.values()), default=None),
        "shown_scale": shown[-1] if shown else None,
    }


# ---- costs -----------------------------------------------------------------------------


def _kbit_per_s(contender: Contender, start: float, end: float) -> float | None:
    samples = [
        (line["t"], line["received"])
        for _, line in contender.processes()[1].lines
        if line.get("event") == "bytes" and start <= line["t"] <= end
    ]
    if len(samples) < 2 or samples[-1][0] <= samples[0][0]:
        return None
    (t0, b0), (t1, b1) = samples[0], samples[-1]
    return (b1 - b0) * 8 / (t1 - t0) / 1000


def _cpu(contender: Contender) -> tuple[float, float, float]:
    sharer, viewer = contender.processes()
    return time.monotonic(), cpu_seconds(sharer.pid), cpu_seconds(viewer.pid)


def _stats(contender: Contender, start: float, end: float) -> list[dict[str, Any]]:
    lines = contender.processes()[1].lines
    return [
        line for arrived, line in lines if line.get("event") == "stats" and start <= arrived <= end
    ]


def _decoded_fps(contender: Contender, start: float, end: float) -> float | None:
    """What the viewer's own stats say it received: more than painted means paints dropped."""
    rates = [line["fps"] for line in _stats(contender, start, end) if "fps" in line]
    return sum(rates) / len(rates) if rates else None


def _resolution(contender: Contender, start: float, end: float) -> str | None:
    seen = collections.Counter(
        f"{line['width']}x{line['height']}"
        for arrived, line in contender.processes()[1].lines
        if line.get("event") == "stats" and start <= arrived <= end and line.get("width")
    )
    return seen.most_common(1)[0][0] if seen else None


# ---- phases ----------------------------------------------------------------------------


def before_start(stage: Stage) -> None:
    """A still text page on the sharer's screen, and a probe that has seen nothing yet."""
    stage.scene.text(page=1)
    stage.probe.reset()


def calibrate(stage: Stage, sharer_display: str, seconds: float) -> dict[str, Any]:
    """The probe pointed at the sharer's own display: the floor of every latency figure."""
    probe = Probe(sharer_display)
    probe.start()
    try:
        mark = stage.scene.busy(flip_every=FLIP_EVERY)
        time.sleep(seconds)
        stage.scene.text(page=1)
        drawn = stage.scene.frames(mark)
        first_seen, _ = probe.snapshot()
    finally:
        probe.stop()
    latencies = [1000 * (first_seen[f["n"]] - f["t"]) for f in drawn if f["n"] in first_seen]
    return {"latency_ms": _percentiles(latencies), "drawn": len(drawn)}


def first_picture(stage: Stage, contender: Contender) -> None:
    """First frame after consent, then the quality of the text shown first ("fresh")."""
    first = stage.probe.first_picture(timeout=60)
    stage.results["first_frame_s"] = first - contender.consent_at
    stage.results["fresh"] = text_quality(grab_text(stage, still_since=first))


def busy(stage: Stage, contender: Contender, seconds: float) -> None:
    s = stage.settings
    mark = stage.scene.busy(flip_every=FLIP_EVERY)
    began = time.monotonic()
    wait_until(began + s.warmup_seconds)
    before = _cpu(contender)
    wait_until(began + seconds)
    after = _cpu(contender)
    end_mark = stage.scene.mark()
    w0, w1 = before[0], after[0]
    drawn = [line for line in stage.scene.frames(mark, end_mark) if w0 <= line["t"] < w1]
    first_seen, marker_changes = stage.probe.snapshot()
    timed = [(f["t"], 1000 * (first_seen[f["n"]] - f["t"])) for f in drawn if f["n"] in first_seen]
    latencies = [latency for _, latency in timed]
    flips = [(f["t"], f["m"]) for prev, f in itertools.pairwise(drawn) if f["m"] != prev["m"]]
    painted = stage.probe.frames_between(w0, w1)
    stage.results["busy"] = {
        "seconds": w1 - w0,
        "drawn_fps": len(drawn) / (w1 - w0),
        "painted_fps": painted / (w1 - w0),
        "decoded_fps": _decoded_fps(contender, w0, w1),
        "resolution": _resolution(contender, w0, w1),
        "shown_scale": stage.probe.placement.scale if stage.probe.placement else None,
        "latency_ms": _percentiles(latencies),
        "latency_quarters_ms": _quarter_medians(timed, w0, w1),
        "flip_latency_ms": _percentiles(_flip_latencies(flips, marker_changes)),
        "sharer_cpu_ms_per_frame": _per_frame(after[1] - before[1], painted),
        "viewer_cpu_ms_per_frame": _per_frame(after[2] - before[2], painted),
        "sharer_cpu_pct": 100 * (after[1] - before[1]) / (w1 - w0),
        "viewer_cpu_pct": 100 * (after[2] - before[2]) / (w1 - w0),
        "kbit_s": _kbit_per_s(contender, w0, w1),
    }


def after_motion_and_still(stage: Stage, contender: Contender) -> None:
    s = stage.settings
    n, drawn = stage.scene.text(page=2)
    grabbed = grab_text(stage, still_since=drawn)
    shown_after = stage.probe.wait_until(n, 30) - drawn
    before = _cpu(contender)
    wait_until(before[0] + s.still_seconds)
    after = _cpu(contender)
    stage.results["still"] = {
        "sharer_cpu_pct": 100 * (after[1] - before[1]) / (after[0] - before[0]),
        "kbit_s": _kbit_per_s(contender, before[0], after[0]),
    }
    stage.results["after_motion"] = {**text_quality(grabbed), "shown_after_s": shown_after}
    first = grabbed[1][0][1] if grabbed[1] else None
    if s.pictures is not None and first is not None:
        s.pictures.mkdir(parents=True, exist_ok=True)
        picture = np.ascontiguousarray(first[0])
        height, width = picture.shape[:2]
        mss.tools.to_png(picture.tobytes(), (width, height), output=str(s.pictures / "text-1s.png"))


def quiet_flips(stage: Stage) -> None:
    s = stage.settings
    latencies = []
    for _ in range(s.quiet_flips):
        time.sleep(s.quiet_seconds)
        state, drawn = stage.scene.flip()
        deadline = drawn + 2.0
        while time.monotonic() < deadline:
            shown = [t for t, m in stage.probe.snapshot()[1] if m == state and t >= drawn]
            if shown:
                latencies.append(1000 * (shown[0] - drawn))
                break
            time.sleep(0.01)
    stage.results["first_change_ms"] = _percentiles(latencies)
    stage.results["first_change_ms"]["missed"] = s.quiet_flips - len(latencies)


def soak(stage: Stage, contender: Contender, minutes: float) -> None:
    """A long busy spell: does the viewer stay up, keep painting and keep its memory?"""
    s = stage.settings
    viewer = contender.processes()[1]
    stage.scene.busy(flip_every=FLIP_EVERY)
    began = time.monotonic()
    samples = []
    step = s.soak_sample_seconds
    while time.monotonic() < began + 60 * minutes and viewer.alive():
        time.sleep(step)
        at = time.monotonic()
        try:
            rss = rss_bytes(viewer.pid) / 2**20
        except OSError:  # it died between two samples: reported below, not raised
            break
        samples.append((at - began, rss, stage.probe.frames_between(at - step, at) / step))
    end = time.monotonic()
    survived = alive(viewer.pid) and viewer.alive()
    stage.scene.text(page=3)
    memory = [m for _, m, _ in samples]
    stage.results["soak"] = {
        "minutes": (end - began) / 60,
        "survived": survived,
        "painted_last_10s": stage.probe.frames_between(end - 10, end),
        "rss_mb_first": memory[0] if memory else None,
        "rss_mb_last": memory[-1] if memory else None,
        "rss_mb_max": max(memory) if memory else None,
        "samples": samples,
    }


# ---- figures ---------------------------------------------------------------------------


def _percentiles(values: list[float]) -> dict[str, Any]:
    return {
        "n": len(values),
        "p50": metrics.percentile(values, 50),
        "p95": metrics.percentile(values, 95),
        "p99": metrics.percentile(values, 99),
    }


def _quarter_medians(timed: list[tuple[float, float]], start: float, end: float) -> list:
    """The median latency of the frames drawn in each quarter of the window: a latency
    that grows (a queue filling up) shows as rising quarters, a steady one as flat."""
    quarter = (end - start) / 4
    return [
        metrics.percentile(
            [ms for t, ms in timed if start + i * quarter <= t < start + (i + 1) * quarter], 50
        )
        for i in range(4)
    ]


def _flip_latencies(flips: list[tuple[float, int]], seen: list[tuple[float, int]]) -> list[float]:
    out = []
    for i, (drawn, state) in enumerate(flips):
        until = flips[i + 1][0] if i + 1 < len(flips) else float("inf")
        shown = next((t for t, m in seen if m == state and drawn <= t < until + 1.0), None)
        if shown is not None:
            out.append(1000 * (shown - drawn))
    return out


def _per_frame(cpu: float, frames: int) -> float | None:
    return 1000 * cpu / frames if frames else None
