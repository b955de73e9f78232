"""The picture over real links: each profile, Helpline and the plain share behind it (issue 25).

The sharer runs in a network namespace behind an emulated link (:mod:`devtools.link_emulator`:
rate, a 100 ms drop-tail queue, one-way delay and random loss, each direction); the server,
the helper and the probe stay on this machine. Both contenders go through the same link in
the same run, one after the other. "unlimited" is no link at all (loopback), the fast local
case the picture work measured.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from bench.picture.contenders import Behind, Contender, Displays, Helpline, PlainShare
from bench.picture.link_phases import colour_text, link_counters, session_outcome, sharpening
from bench.picture.phases import Stage, before_start, busy
from devtools.link_emulator import EmulatedLink, LinkProfile, start_link

UNLIMITED = LinkProfile("unlimited")
PROFILES = (
    UNLIMITED,
    LinkProfile("50 Mbit/s, 10 ms, 0 %", rate_mbit=50, delay_ms=10, loss_pct=0),
    LinkProfile("20 Mbit/s, 20 ms, 0.2 %", rate_mbit=20, delay_ms=20, loss_pct=0.2),
    LinkProfile("10 Mbit/s, 30 ms, 0.5 %", rate_mbit=10, delay_ms=30, loss_pct=0.5),
    LinkProfile("5 Mbit/s, 20 ms, 0.5 %", rate_mbit=5, delay_ms=20, loss_pct=0.5),
    LinkProfile("2 Mbit/s, 50 ms, 1 %", rate_mbit=2, delay_ms=50, loss_pct=1),
    LinkProfile("5 Mbit/s, 75 ms, 2 % (poor mobile)", rate_mbit=5, delay_ms=75, loss_pct=2),
)
# The quick mode: the fast case and the home uplink the issue found failing.
QUICK_PROFILES = (UNLIMITED, PROFILES[4])
HELPLINE_FPS = 60
LOSS_SEED = 25  # the same random losses for both contenders and every run


@contextlib.contextmanager
def _behind(profile: LinkProfile, workdir: Path, server_port: int) -> Iterator[EmulatedLink | None]:
    if profile == UNLIMITED:
        yield None
        return
    log = workdir / f"link-{profile.rate_mbit}-{profile.delay_ms}.log"
    with start_link(profile, seed=LOSS_SEED, log=log) as link:
        link.forward_tcp(server_port)
        yield link


def _first_seen(stage: Stage) -> float | None:
    try:
        return stage.probe.first_picture(timeout=0.1)
    except RuntimeError:
        return None


def _measure(
    stage: Stage, start: Callable[[Behind], Contender], link: EmulatedLink | None
) -> dict[str, Any]:
    s = stage.settings
    stage.results = {}
    before_start(stage)
    behind = Behind(link.wrap([])) if link else Behind()
    counted = link.stats() if link else None
    try:
        contender = start(behind)
    except RuntimeError as exc:  # it never connected: that is this profile's result
        stage.results["error"] = str(exc)
        stage.results["session"] = {"stayed_up": False, "ended_by": None, "reason": "no session"}
        return stage.results
    try:
        stage.results["label"] = contender.label
        try:
            first = stage.probe.first_picture(timeout=s.first_picture_timeout)
            stage.results["first_frame_s"] = first - contender.consent_at
        except RuntimeError:  # never within the wait: reported as such, and measured on
            stage.results["first_frame_s"] = None
        busy(stage, contender, s.busy_seconds)
        sharpening(stage, s.sharpen_seconds)
        colour_text(stage, s.colour_seconds)
        if stage.results["first_frame_s"] is None:  # it may have come later, during the rest
            seen = _first_seen(stage)
            late = seen - contender.consent_at if seen is not None else None
            stage.results["first_frame_late_s"] = late
        stage.results["session"] = session_outcome(contender)
    finally:
        contender.stop()
    if link is not None and counted is not None:
        stage.results["link"] = link_counters(counted, link.stats())
    return stage.results


def measure_links(
    stage: Stage, displays: Displays, server_port: int, profiles: tuple[LinkProfile, ...]
) -> list[dict[str, Any]]:
    """Per profile: its figures, then Helpline's and the plain share's results."""
    measured = []
    for profile in profiles:
        with _behind(profile, displays.workdir, server_port) as link:
            helpline = _measure(
                stage, lambda b: Helpline(displays, server_port, HELPLINE_FPS, b), link
            )
            plain = _measure(stage, lambda b: PlainShare(displays, b), link)
        measured.append(
            {
                "profile": {
                    "name": profile.name,
                    "rate_mbit": profile.rate_mbit,
                    "delay_ms": profile.delay_ms,
                    "loss_pct": profile.loss_pct,
                    "queue_ms": profile.queue_ms,
                },
                "helpline": helpline,
                "plain": plain,
            }
        )
    return measured
