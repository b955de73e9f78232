"""The benchmark's handle on the scene program: commands out, the frames it drew back."""

from __future__ import annotations

import time
from typing import Any

from bench.picture.contenders import Displays
from bench.picture.procs import LineProcess


class SceneControl:
    def __init__(self, displays: Displays) -> None:
        self.proc = LineProcess(
            "bench.picture.scene",
            env=displays.env(displays.sharer),
            log=displays.workdir / "scene.log",
        )
        self.proc.wait_for(lambda line: line.get("why") == "ready", timeout=60)

    def _drawn_after(self, index: int, why: str) -> tuple[int, int, float]:
        """The frame a command drew: (line index, counter, draw time)."""
        i, _, line = self.proc.wait_for(lambda line: line.get("why") == why, 30, after=index)
        return i, line["n"], line["t"]

    def mark(self) -> int:
        return len(self.proc.lines)

    def text(
        self,
        page: int,
        fg: tuple[int, int, int] | None = None,
        bg: tuple[int, int, int] | None = None,
    ) -> tuple[int, float]:
        """Show a still page of text (black on white unless coloured); (its counter value,
        when it was drawn)."""
        start = self.mark()
        colours = {k: v for k, v in (("fg", fg), ("bg", bg)) if v is not None}
        self.proc.send(cmd="text", page=page, **colours)
        _, n, t = self._drawn_after(start, "text")
        return n, t

    def busy(self, flip_every: int) -> int:
        start = self.mark()
        self.proc.send(cmd="busy", flip_every=flip_every)
        self._drawn_after(start, "busy")
        return start

    def flip(self) -> tuple[int, float]:
        """Turn the marker over; (its new state, when it was drawn)."""
        start = self.mark()
        self.proc.send(cmd="flip")
        i, _, t = self._drawn_after(start, "flip")
        return self.proc.lines[i][1]["m"], t

    def frames(self, start: int, end: int | None = None) -> list[dict[str, Any]]:
        return [line for _, line in self.proc.lines[start:end]]

    def close(self) -> None:
        self.proc.close()


def wait_until(moment: float) -> None:
    time.sleep(max(0.0, moment - time.monotonic()))
