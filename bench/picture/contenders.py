"""The two things compared: Helpline's real apps, and the plain aiortc share.

Each starts its sharer on the sharer's display and its viewer on the helper's display and
exposes the same things to the benchmark: the two process ids, the viewer's JSON lines
(``connected``, ``stats``, ``bytes``) and when the sharer consented (the start of "first
frame after consent").
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path

from bench.picture.procs import LineProcess

HELPER = "alice@contoso.example"
SHARER = "bob@contoso.example"


@dataclass
class Displays:
    sharer: str
    helper: str
    workdir: Path

    def env(self, display: str, **extra: str) -> dict[str, str]:
        # A private config folder: the helper window saves its geometry on close.
        return {
            **os.environ,
            "DISPLAY": display,
            "QT_QPA_PLATFORM": "xcb",
            "XDG_CONFIG_HOME": str(self.workdir / "config"),
            **extra,
        }


class Contender:
    label = ""
    sharer: LineProcess | None = None
    viewer: LineProcess | None = None
    consent_at = 0.0

    def stop(self) -> None:
        for proc in (self.viewer, self.sharer):
            if proc is not None:
                proc.close()

    def processes(self) -> tuple[LineProcess, LineProcess]:
        """The sharer's and the viewer's process, once both have started."""
        assert self.sharer is not None and self.viewer is not None
        return self.sharer, self.viewer


class Helpline(Contender):
    """The real helper window (bench launcher) and the real headless sharer app."""

    def __init__(self, displays: Displays, server_url: str, max_fps: int) -> None:
        self.label = f"Helpline @{max_fps}"
        self.max_fps = max_fps
        log = displays.workdir / f"helpline-{max_fps}"
        try:
            self._start(displays, server_url, log)
        except Exception:
            self.stop()
            raise

    def _start(self, displays: Displays, server_url: str, log: Path) -> None:
        self.viewer = LineProcess(
            "bench.picture.helper_window",
            "--server",
            server_url,
            "--user",
            HELPER,
            env=displays.env(displays.helper),
            log=log.with_suffix(".helper.log"),
        )
        code = self.viewer.event("code")[2]["code"]
        self.sharer = LineProcess(
            "sharer_app",
            "--headless",
            "--server",
            server_url,
            "--user",
            SHARER,
            "--code",
            code,
            "--consent",
            "view",
            env=displays.env(displays.sharer, HELPLINE_MAX_FPS=str(self.max_fps)),
            log=log.with_suffix(".sharer.log"),
        )
        self.consent_at = self.viewer.event("consent")[2]["t"]
        self.viewer.event("connected")


class PlainShare(Contender):
    """An mss grab in an aiortc VideoStreamTrack, aiortc defaults, VP8, and a 1:1 viewer."""

    label = "plain aiortc share"

    def __init__(self, displays: Displays) -> None:
        try:
            self._start(displays, displays.workdir / "plain")
        except Exception:
            self.stop()
            raise

    def _start(self, displays: Displays, log: Path) -> None:
        self.viewer = LineProcess(
            "bench.picture.plain_share",
            "receive",
            env=displays.env(displays.helper),
            log=log.with_suffix(".viewer.log"),
        )
        self.sharer = LineProcess(
            "bench.picture.plain_share",
            "send",
            env=displays.env(displays.sharer),
            log=log.with_suffix(".sharer.log"),
        )
        offer = self.viewer.event("offer")[2]["sdp"]
        self.consent_at = time.monotonic()
        self.sharer.send(sdp=offer)
        self.viewer.send(sdp=self.sharer.event("answer")[2]["sdp"])
        self.viewer.event("connected")
