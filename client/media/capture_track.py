"""The sharer's screen as an aiortc video track that costs nothing while nothing changes.

A frame is produced only when the screen changed, with two exceptions: one repeat frame
shortly after the last change, because aiortc's receiving jitter buffer hands a frame to the
decoder only once a packet of the next frame arrives (without it the last change before a
quiet spell would stay invisible); and a refresh every ``keyframe_interval`` seconds, so a
late joiner or a lost packet recovers. While the screen is still, it is polled slowly.
"""

from __future__ import annotations

import asyncio
import fractions
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import av
import numpy as np
from aiortc import MediaStreamTrack
from aiortc.mediastreams import MediaStreamError

from client.media.adaptation import ResolutionAdapter

VIDEO_CLOCK_RATE = 90_000
TIME_BASE = fractions.Fraction(1, VIDEO_CLOCK_RATE)
PAUSED_GREY = 48


@dataclass
class CaptureCounters:
    grabs: int = 0
    frames_sent: int = 0
    changes: int = 0
    repeats: int = 0
    refreshes: int = 0


class ScreenCaptureTrack(MediaStreamTrack):
    kind = "video"

    def __init__(
        self,
        monitor: int = 1,
        max_fps: int = 30,
        *,
        keyframe_interval: float = 2.0,
        idle_poll_hz: float = 10.0,
        idle_after: float = 1.0,
        adaptive: bool = True,
    ) -> None:
        super().__init__()
        if not 1 <= max_fps <= 60:
            raise ValueError("max_fps must be between 1 and 60")
        self.monitor = monitor
        self.frame_interval = 1.0 / max_fps
        self.keyframe_interval = keyframe_interval
        self.idle_interval = 1.0 / idle_poll_hz
        self.idle_after = idle_after
        self.counters = CaptureCounters()
        self.adapter = ResolutionAdapter(self.frame_interval) if adaptive else None
        self._fixed_scale = 1.0
        self._paused = False
        # mss handles are per thread: one worker thread owns it for the track's life.
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="capture")
        self._mss: Any = None
        self._last_raw: bytes | bytearray | None = None
        self._last_frame: av.VideoFrame | None = None
        self._start = time.monotonic()
        self._last_change = float("-inf")
        self._last_sent = float("-inf")
        self._repeat_due = False
        self._returned_at: float | None = None
        self._own_cost = 0.0
        self._loss = 0.0

    # ---- control -------------------------------------------------------------------

    @property
    def scale(self) -> float:
        return self.adapter.scale if self.adapter else self._fixed_scale

    def set_scale(self, scale: float) -> None:
        """Fix the scale (and stop adapting), e.g. for a slow link the caller knows of."""
        self.adapter = None
        self._fixed_scale = min(1.0, max(0.1, scale))

    def set_paused(self, paused: bool) -> None:
        """Paused: the helper sees a plain grey frame, and nothing of the screen is grabbed."""
        self._paused = paused
        self._last_raw = None
        self._repeat_due = True

    def report_loss(self, fraction: float) -> None:
        """The receiver's packet loss (from RTCP), so a lossy link also steps the size down."""
        self._loss = min(1.0, max(0.0, fraction))

    def stop(self) -> None:
        super().stop()
        self._executor.shutdown(wait=False, cancel_futures=True)

    # ---- aiortc --------------------------------------------------------------------

    async def recv(self) -> av.VideoFrame:
        if self.readyState != "live":
            raise MediaStreamError
        now = time.monotonic()
        if self._returned_at is not None and self.adapter is not None:
            # Time the encoder took since we returned the last frame, plus our own work.
            self.adapter.observe(now - self._returned_at + self._own_cost, self._loss)
        loop = asyncio.get_running_loop()
        while True:
            if self.readyState != "live":
                raise MediaStreamError
            quiet = time.monotonic() - self._last_change > self.idle_after
            await asyncio.sleep(self.idle_interval if quiet else self.frame_interval)
            started = time.monotonic()
            frame = await loop.run_in_executor(self._executor, self._next_frame, started)
            if frame is not None:
                self._own_cost = time.monotonic() - started
                frame.pts = int((started - self._start) * VIDEO_CLOCK_RATE)
                frame.time_base = TIME_BASE
                self._last_sent = started
                self.counters.frames_sent += 1
                self._returned_at = time.monotonic()
                return frame

    # ---- worker thread -------------------------------------------------------------

    def _next_frame(self, now: float) -> av.VideoFrame | None:
        """Decide whether this poll yields a frame; runs on the capture thread."""
        if self._paused:
            if self._repeat_due or now - self._last_sent >= self.keyframe_interval:
                self._repeat_due = False
                return self._grey_frame()
            return None
        raw, width, height = self._grab()
        if raw != self._last_raw:
            self._last_raw = raw
            self._last_change = now
            self._repeat_due = True
            self.counters.changes += 1
            self._last_frame = self._convert(raw, width, height)
            return self._last_frame
        if self._repeat_due and self._last_frame is not None:
            self._repeat_due = False
            self.counters.repeats += 1
            return self._last_frame
        if now - self._last_sent >= self.keyframe_interval and self._last_frame is not None:
            self.counters.refreshes += 1
            return self._last_frame
        return None

    def _grab(self) -> tuple[bytes | bytearray, int, int]:
        if self._mss is None:
            import mss

            self._mss = mss.MSS()
        monitors = self._mss.monitors
        area = monitors[self.monitor] if self.monitor < len(monitors) else monitors[1]
        shot = self._mss.grab(area)
        self.counters.grabs += 1
        return shot.raw, shot.width, shot.height

    def _convert(self, raw: bytes | bytearray, width: int, height: int) -> av.VideoFrame:
        pixels = np.frombuffer(raw, dtype=np.uint8).reshape(height, width, 4)
        frame = av.VideoFrame.from_ndarray(pixels, format="bgra")
        scale = self.scale
        out_w = max(2, int(width * scale) & ~1)
        out_h = max(2, int(height * scale) & ~1)
        return frame.reformat(width=out_w, height=out_h, format="yuv420p")

    def _grey_frame(self) -> av.VideoFrame:
        last = self._last_frame
        width, height = (last.width, last.height) if last is not None else (640, 360)
        grey = np.full((height, width, 3), PAUSED_GREY, dtype=np.uint8)
        return av.VideoFrame.from_ndarray(grey, format="rgb24").reformat(format="yuv420p")
