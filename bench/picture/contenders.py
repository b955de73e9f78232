"""The two things compared: Helpline's real apps, and the plain aiortc share.

Each starts its sharer on the sharer's display and its viewer on the helper's display and
exposes the same things to the benchmark: the two process ids, the viewer's JSON lines
(``connected``, ``stats``, ``bytes``, ``ended``) and when the sharer consented (the start of
"first frame after consent"). Behind an emulated link (:class:`Behind`) the sharer runs in
the link's network namespace and reaches the server, which stays here, across the link
(through the link's loopback forwarder: the apps send tokens over plain http only to
127.0.0.1).
"""

from __future__ import annotations

import os
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
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


@dataclass(frozen=True)
class Behind:
    """Where the sharer runs: ``prefix`` starts it (``ip netns exec NS``); the default is
    right here, no link at all. Either way it finds the server at 127.0.0.1."""

    prefix: Sequence[str] = field(default_factory=tuple)


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

    def __init__(
        self, displays: Displays, server_port: int, max_fps: int, behind: Behind | None = None
    ) -> None:
        self.label = f"Helpline @{max_fps}"
        self.max_fps = max_fps
        self.behind = behind or Behind()
        log = displays.workdir / f"helpline-{max_fps}"
        try:
            self._start(displays, server_port, log)
        except Exception:
            self.stop()
            raise

    def _start(self, displays: Displays, server_port: int, log: Path) -> None:
        self.viewer = LineProcess(
            "bench.picture.helper_window",
            "--server",
            f"http://127.0.0.1:{server_port}",
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
            f"http://127.0.0.1:{server_port}",
            "--user",
            SHARER,
            "--code",
            code,
            "--consent",
            "view",
            env=displays.env(displays.sharer, HELPLINE_MAX_FPS=str(self.max_fps)),
            log=log.with_suffix(".sharer.log"),
            prefix=self.behind.prefix,
        )
        self.consent_at = self.viewer.event("consent")[2]["t"]
        self.viewer.event("connected")


class PlainShare(Contender):
    """An mss grab in an aiortc VideoStreamTrack, aiortc defaults, VP8, and a 1:1 viewer."""

    label = "plain aiortc share"

    def __init__(self, displays: Displays, behind: Behind | None = None) -> None:
        self.behind = behind or Behind()
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
            prefix=self.behind.prefix,
        )
        offer = self.viewer.event("offer")[2]["sdp"]
        self.consent_at = time.monotonic()
        self.sharer.send(sdp=offer)
        self.viewer.send(sdp=self.sharer.event("answer")[2]["sdp"])
        self.viewer.event("connected")
