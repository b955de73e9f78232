"""What the helper's display shows, read the way a camera pointed at it would.

A thread polls the small band that holds the scene's frame counter and flip marker a few
hundred times a second (a 1216x64 grab costs well under a millisecond) and notes when each
counter value and each marker state first appears. The picture is found by the scene's
magenta corner squares, and found again whenever the band stops reading (the picture was
resized), so nothing assumes where or how large the helper shows it.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

import mss
import numpy as np

from bench.picture import layout

POLL_HZ = 250
LOST_AFTER = 0.5  # seconds without a valid read before the picture is looked for again


@dataclass(frozen=True)
class Placement:
    """Where the picture is on the helper's display and how large it is shown."""

    x: int
    y: int
    scale: float

    def region(self, box: layout.Box) -> dict[str, int]:
        return {
            "left": self.x + round(box.x * self.scale),
            "top": self.y + round(box.y * self.scale),
            "width": max(1, round(box.w * self.scale)),
            "height": max(1, round(box.h * self.scale)),
        }


def grab_rgb(screen: mss.base.MSSBase, region: dict[str, int]) -> np.ndarray:
    shot = screen.grab(region)
    bgra = np.frombuffer(shot.raw, np.uint8).reshape(shot.height, shot.width, 4)
    return bgra[..., 2::-1]


def locate(rgb: np.ndarray) -> Placement | None:
    """The picture's corner squares, if all four are on screen and agree on one scale."""
    r, g, b = (rgb[..., i].astype(np.int16) for i in range(3))
    mask = (r > 170) & (b > 170) & (g < 100)
    rows, cols = np.flatnonzero(mask.any(axis=1)), np.flatnonzero(mask.any(axis=0))
    if rows.size == 0:
        return None
    top, bottom, left, right = rows[0], rows[-1] + 1, cols[0], cols[-1] + 1
    scale_x, scale_y = (right - left) / layout.WIDTH, (bottom - top) / layout.HEIGHT
    if scale_x < 0.2 or abs(scale_x - scale_y) > 0.02:
        return None
    corner = max(2, int(layout.FIDUCIAL * scale_x * 0.5))
    for y in (top, bottom - corner):
        for x in (left, right - corner):
            if mask[y : y + corner, x : x + corner].mean() < 0.8:
                return None
    scale = round(scale_x * 4) / 4 if abs(scale_x * 4 - round(scale_x * 4)) < 0.02 else scale_x
    return Placement(int(left), int(top), scale)


class BandReader:
    """Decodes the counter and the marker from one grab of the band."""

    def __init__(self, scale: float) -> None:
        band = layout.band_box()
        boxes = [*layout.counter_blocks(), layout.marker_box()]
        self.cells = []
        for box in boxes:
            # The middle half of each block: edges smear under lossy coding.
            x0 = round((box.x - band.x + box.w / 4) * scale)
            x1 = max(x0 + 1, round((box.x - band.x + 3 * box.w / 4) * scale))
            y0, y1 = round(box.h / 4 * scale), max(1, round(3 * box.h / 4 * scale))
            self.cells.append((slice(y0, y1), slice(x0, x1)))

    def read(self, rgb: np.ndarray) -> tuple[int | None, int | None]:
        levels = [float(rgb[cell].mean()) for cell in self.cells]
        white, black = levels[0], levels[1]
        contrast = white - black
        if contrast < 80:
            return None, None
        marker = int(levels[-1] > (white + black) / 2)
        value = 0
        for i in range(layout.BITS):
            a, b = levels[2 + 2 * i], levels[3 + 2 * i]
            if abs(a - b) < contrast / 2:
                return None, marker
            value = value << 1 | int(a > b)
        return value, marker


class Probe:
    def __init__(self, display: str) -> None:
        self.display = display
        self.placement: Placement | None = None
        # counter value -> when it was first seen; marker changes; every change of counter.
        self.first_seen: dict[int, float] = {}
        self.marker_changes: list[tuple[float, int]] = []
        self.counter_changes: list[tuple[float, int]] = []
        self.polls = 0
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()

    def reset(self) -> None:
        """Forget what was seen (a new contender starts on the same display)."""
        with self._lock:
            self.first_seen.clear()
            self.marker_changes.clear()
            self.counter_changes.clear()
            self.placement = None

    def wait_until(self, seen: int, timeout: float) -> float:
        """When counter value ``seen`` first showed; waits for it."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                if seen in self.first_seen:
                    return self.first_seen[seen]
            time.sleep(0.01)
        raise RuntimeError(f"frame {seen} never showed on the helper's display")

    def first_picture(self, timeout: float) -> float:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                if self.counter_changes:
                    return self.counter_changes[0][0]
            time.sleep(0.01)
        raise RuntimeError("the picture never showed on the helper's display")

    def frames_between(self, start: float, end: float) -> int:
        with self._lock:
            return sum(1 for t, _ in self.counter_changes if start <= t < end)

    def snapshot(self) -> tuple[dict[int, float], list[tuple[float, int]]]:
        with self._lock:
            return dict(self.first_seen), list(self.marker_changes)

    def grab_picture(self, screen: mss.base.MSSBase) -> tuple[np.ndarray, Placement] | None:
        """The whole picture as shown, with the caller's own mss handle (one per thread)."""
        placement = self.placement
        if placement is None:
            return None
        box = layout.Box(0, 0, layout.WIDTH, layout.HEIGHT)
        return grab_rgb(screen, placement.region(box)).copy(), placement

    def _run(self) -> None:
        with mss.MSS(display=self.display) as screen:
            whole = screen.monitors[0]
            reader: BandReader | None = None
            last_valid = time.monotonic()
            last_counter: int | None = None
            last_marker: int | None = None
            while not self._stop.is_set():
                began = time.monotonic()
                if self.placement is None:
                    self.placement = locate(grab_rgb(screen, whole))
                    reader = BandReader(self.placement.scale) if self.placement else None
                    last_valid = time.monotonic()
                    self._stop.wait(0.2 if self.placement is None else 0)
                    continue
                assert reader is not None
                band = grab_rgb(screen, self.placement.region(layout.band_box()))
                seen = time.monotonic()
                value, marker = reader.read(band)
                self.polls += 1
                with self._lock:
                    if marker is not None and marker != last_marker:
                        self.marker_changes.append((seen, marker))
                        last_marker = marker
                    if value is not None:
                        last_valid = seen
                        self.first_seen.setdefault(value, seen)
                        if value != last_counter:
                            self.counter_changes.append((seen, value))
                            last_counter = value
                    elif seen - last_valid > LOST_AFTER:
                        self.placement = None
                self._stop.wait(max(0.0, began + 1 / POLL_HZ - time.monotonic()))
