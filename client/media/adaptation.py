"""Resolution and frame rate that follow what the machine and the link can carry.

A frame that costs more than the frame budget (capture, conversion and encoding) or a link
that loses packets steps the resolution down; a long stretch of cheap, clean frames steps it
back up. Hysteresis keeps it from flapping.

The link's side (``LinkFit``) reads the bandwidth estimate: a moving screen needs about
``BPP_LOW`` bits a pixel a frame (libx264 ``ultrafast`` at CRF 28 makes 10-18 KB of a
1080p frame of full-screen animation: 0.04-0.07), so a rate that cannot give that at the
wanted frame rate steps the size down, and at the smallest size lowers the frame rate
(to ``MIN_FPS`` at worst) rather than let each frame fall apart. It steps back up once the
larger size would get ``BPP_HIGH``.
"""

from __future__ import annotations

SCALES = (1.0, 0.75, 0.5)
BPP_LOW = 0.05
BPP_HIGH = 0.08
MIN_FPS = 5.0


class LinkFit:
    def __init__(self, pixels: int, max_fps: float, *, scales: tuple[float, ...] = SCALES) -> None:
        self._pixels = pixels
        self._max_fps = max_fps
        self._scales = scales
        self._index = 0
        self.fps = max_fps

    @property
    def scale(self) -> float:
        return self._scales[self._index]

    def update(self, rate_bps: float) -> None:
        while self._index < len(self._scales) - 1 and self._bpp(self._index, rate_bps) < BPP_LOW:
            self._index += 1
        while self._index > 0 and self._bpp(self._index - 1, rate_bps) > BPP_HIGH:
            self._index -= 1
        pixels = self._pixels * self.scale**2
        affordable = rate_bps / (pixels * BPP_LOW)
        self.fps = max(MIN_FPS, min(self._max_fps, affordable))

    def _bpp(self, index: int, rate_bps: float) -> float:
        return rate_bps / (self._max_fps * self._pixels * self._scales[index] ** 2)


class ResolutionAdapter:
    def __init__(
        self,
        budget_seconds: float,
        *,
        scales: tuple[float, ...] = SCALES,
        smoothing: float = 0.2,
        recover_after: int = 60,
        settle: int = 5,
    ) -> None:
        self._budget = budget_seconds
        self._scales = scales
        self._smoothing = smoothing
        self._recover_after = recover_after
        self._index = 0
        self._cost: float | None = None
        self._healthy = 0
        self._settle = settle
        self._seen = 0

    @property
    def scale(self) -> float:
        return self._scales[self._index]

    def observe(self, frame_cost_seconds: float, loss_fraction: float = 0.0) -> float:
        if self._cost is None:
            self._cost = frame_cost_seconds
        else:
            self._cost += self._smoothing * (frame_cost_seconds - self._cost)
        self._seen += 1
        if self._seen < self._settle:
            # Judge each size on a few of its own frames, not on the first one.
            return self.scale
        overloaded = self._cost > 0.9 * self._budget or loss_fraction > 0.1
        relaxed = self._cost < 0.4 * self._budget and loss_fraction < 0.02
        if overloaded and self._index < len(self._scales) - 1:
            self._index += 1
            self._cost, self._seen, self._healthy = None, 0, 0
        elif relaxed and self._index > 0:
            self._healthy += 1
            if self._healthy >= self._recover_after:
                self._index -= 1
                self._cost, self._seen, self._healthy = None, 0, 0
        else:
            self._healthy = 0
        return self.scale
