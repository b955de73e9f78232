"""What the helper can tell about the picture it shows: how much of the sharer's resolution
it has, and whether it is the sharp still or a fast moving frame.

The sharer sends the sharp picture as a keyframe at full size once the screen is still, and
afterwards only a tiny refresh every couple of seconds; moving frames come many times a
second. So a full-size keyframe means "sharp", and it stays sharp while nothing but slow
refreshes follow. A full-colour (4:4:4) frame says it outright: only the sharp gear sends
those, keyframe or not.
"""

from __future__ import annotations

from dataclasses import dataclass

REFRESH_GAP = 1.0


@dataclass
class PictureQuality:
    full_width: int = 0
    width: int = 0
    height: int = 0
    sharp: bool = False
    _last_at: float | None = None

    def observe(
        self, width: int, height: int, *, key_frame: bool, at: float, full_chroma: bool = False
    ) -> None:
        self.full_width = max(self.full_width, width)
        quick = self._last_at is not None and at - self._last_at < REFRESH_GAP
        full = width == self.full_width
        if key_frame or full_chroma:
            self.sharp = full
        elif quick or not full:
            self.sharp = False
        self.width, self.height, self._last_at = width, height, at

    @property
    def scale(self) -> float:
        """The shown size against the largest the sharer has sent (its screen)."""
        return self.width / self.full_width if self.full_width else 0.0

    @property
    def label(self) -> str:
        return "sharp" if self.sharp else "moving"
