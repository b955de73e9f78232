"""What a person sees over a real link: the phases the link profiles add (issue 25).

After the busy phase: how long until 10 pt text is sharp (SSIM 0.97) once the screen goes
still, the colour of coloured text (whole-screen RGB PSNR of red on black and blue on
white), whether the session stayed up, and what the link did to the packets (lost,
dropped by its queue, sent again).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from bench.picture import layout, metrics
from bench.picture.contenders import Contender
from bench.picture.phases import SHIFTS, Stage, compare, upscaled
from bench.picture.probe import Placement, grab_rgb
from bench.picture.scene_control import wait_until

SHARP_SSIM = 0.97
COLOUR_SCREENS = {
    "red_on_black": ((255, 0, 0), (0, 0, 0)),
    "blue_on_white": ((0, 0, 255), (255, 255, 255)),
}


def _offsets(window: float) -> list[float]:
    """Every 0.25 s for the first 2 s (where the targets are), then every 0.5 s."""
    early = [0.25 * i for i in range(1, 9)]
    return early + [2.0 + 0.5 * i for i in range(1, int((window - 2.0) / 0.5) + 1)]


def _grab_after(stage: Stage, still_since: float, offsets: list[float]) -> list[Any]:
    grabs = []
    for offset in offsets:
        wait_until(still_since + offset)
        grabs.append(stage.probe.grab_picture(stage.shown))
    return grabs


def sharpening(stage: Stage, window: float) -> None:
    """Right after motion, a new still page: when does its text first reach SSIM 0.97?

    The pictures are grabbed on time and scored afterwards (an SSIM takes about a second
    here), by bisection: a still picture only sharpens, so the first sharp grab is found
    with a handful of scores instead of one per grab.
    """
    _, drawn = stage.scene.text(page=2)
    source = grab_rgb(stage.source, stage.source.monitors[1]).copy()
    offsets = _offsets(window)
    grabs = _grab_after(stage, drawn, offsets)
    scored: dict[int, float] = {}

    def score(i: int) -> float:
        if i not in scored:
            grab = grabs[i]
            scored[i] = compare(source, *grab)[1] if grab is not None else 0.0
        return scored[i]

    last = len(grabs) - 1
    sharp_at = None
    if score(last) >= SHARP_SSIM:
        low, high = -1, last
        while high - low > 1:
            middle = (low + high) // 2
            low, high = (low, middle) if score(middle) >= SHARP_SSIM else (middle, high)
        sharp_at = offsets[high]
    stage.results["sharpening"] = {
        "window_s": offsets[-1],
        "ssim_097_after_s": sharp_at,
        "final_ssim": scored[last] if grabs[last] is not None else None,
    }


def rgb_psnr(source: np.ndarray, picture: np.ndarray, placement: Placement) -> float:
    """Whole-screen PSNR over R, G and B at the best alignment within two pixels."""
    m = max(SHIFTS)
    seen = upscaled(picture, placement).astype(np.float64)
    ref = source[m : layout.HEIGHT - m, m : layout.WIDTH - m].astype(np.float64)

    def window(dx: int, dy: int) -> np.ndarray:
        return seen[m + dy : layout.HEIGHT - m + dy, m + dx : layout.WIDTH - m + dx]

    dx, dy = max(
        ((dx, dy) for dx in SHIFTS for dy in SHIFTS),
        key=lambda d: metrics.psnr(metrics.luma(ref), metrics.luma(window(*d))),
    )
    return metrics.psnr(ref, window(dx, dy))


def colour_text(stage: Stage, window: float) -> None:
    """Each colour text page held still for ``window`` s; the best RGB PSNR shown in it."""
    results: dict[str, float | None] = {}
    for name, (fg, bg) in COLOUR_SCREENS.items():
        _, drawn = stage.scene.text(page=4, fg=fg, bg=bg)
        source = grab_rgb(stage.source, stage.source.monitors[1]).copy()
        grabs = _grab_after(stage, drawn, [window / 2, window])
        scores = [rgb_psnr(source, *grab) for grab in grabs if grab is not None]
        results[name] = max(scores) if scores else None
    stage.results["colour_text_rgb_psnr"] = {"window_s": window, **results}


def session_outcome(contender: Contender) -> dict[str, Any]:
    """Did the session stay up: no ``ended`` from either side, both processes running."""
    ended = [
        (who, line.get("reason"))
        for who, proc in zip(("sharer", "helper"), contender.processes(), strict=True)
        for _, line in proc.lines
        if line.get("event") == "ended"
    ]
    running = all(proc.alive() for proc in contender.processes())
    return {
        "stayed_up": not ended and running,
        "ended_by": ended[0][0] if ended else None,
        "reason": ended[0][1] if ended else (None if running else "exited"),
    }


def link_counters(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    """What the link did during one contender's run (``up``: from the sharer).

    Retransmitted: the packets of the RTP streams the sharer opened after its first (aiortc
    sends retransmissions on a stream of their own when RTX is negotiated), and packets
    whose sequence number came again on the same stream (when it is not).
    """

    def lost(direction: str) -> int:
        b, a = before[direction], after[direction]
        return sum(a[k] - b[k] for k in ("lost_random", "dropped_queue"))

    known = {s["ssrc"] for s in before["up"]["rtp_streams"]}
    streams = [s for s in after["up"]["rtp_streams"] if s["ssrc"] not in known]
    return {
        "packets_up": after["up"]["packets"] - before["up"]["packets"],
        "packets_down": after["down"]["packets"] - before["down"]["packets"],
        "lost_up": lost("up"),
        "lost_down": lost("down"),
        "retransmitted": sum(s["packets"] for s in streams[1:])
        + sum(s["repeats"] for s in streams),
        "rtp_streams_up": streams,
    }
