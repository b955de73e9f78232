"""The sharer's screen during the benchmark, drawn by a program of its own.

    python -m bench.picture.scene        (on the sharer's display; JSON lines in and out)

Commands on stdin: ``{"cmd": "text", "page": N}`` (a still page of 10 pt monospace text,
black on white unless ``"fg"`` and ``"bg"`` give other colours as ``[r, g, b]``),
``{"cmd": "busy", "flip_every": N}`` (a full-screen 60 Hz animation in which every pixel
moves every frame) and ``{"cmd": "flip"}`` (turn the marker over, nothing else changes).
Every frame it draws is one line on stdout, ``{"n": counter, "t": drawn, "m": marker,
"why": command or "frame"}``,
where ``t`` is ``time.monotonic()`` once the X server has the frame (after a round trip), so
the probe on the helper's display can time each frame and each flip from glass to glass.
Closing stdin ends it.
"""

from __future__ import annotations

import json
import random
import sys
import threading
import time

import numpy as np
from PySide6.QtCore import QObject, QRect, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QFont, QFontMetrics, QGuiApplication, QImage, QPainter
from PySide6.QtWidgets import QApplication, QWidget

from bench.picture import layout

FPS = 60
WORDS = (
    "session",
    "frame",
    "encoder",
    "retry",
    "socket",
    "timeout",
    "grant",
    "audit",
    "display",
    "buffer",
    "packet",
    "config",
    "worker",
    "device",
    "policy",
    "token",
)


RGB = tuple[int, int, int]


def text_page(page: int, fg: RGB = (0, 0, 0), bg: RGB = (255, 255, 255)) -> QImage:
    """A terminal full of log lines: the hardest ordinary thing to keep legible.

    In colour (red error text on black, blue on white) it is what 4:2:0 chroma smears.
    """
    image = QImage(layout.WIDTH, layout.HEIGHT, QImage.Format.Format_RGB32)
    image.fill(QColor(*bg))
    painter = QPainter(image)
    font = QFont("DejaVu Sans Mono")
    font.setPointSize(10)
    painter.setFont(font)
    painter.setPen(QColor(*fg))
    metrics = QFontMetrics(font)
    box = layout.text_box()
    painter.setClipRect(box.x, box.y, box.w, box.h)
    rng = random.Random(page)
    y = box.y + metrics.ascent()
    while y + metrics.descent() <= box.y + box.h:
        words = " ".join(rng.choice(WORDS) for _ in range(30))
        line = (
            f"{rng.randrange(24):02d}:{rng.randrange(60):02d}:{rng.randrange(60):02d}."
            f"{rng.randrange(1000):03d} {rng.choice(('INFO', 'WARN', 'DEBUG'))} "
            f"pid={rng.randrange(1 << 16):5d} 0x{rng.randrange(1 << 32):08x} {words}"
        )
        painter.drawText(box.x, y, line)
        y += metrics.lineSpacing()
    painter.end()
    return image


def motion_pattern() -> QImage:
    """Twice the screen of smooth colour waves and hard-edged boxes; the animation pans it.

    Blue stays low so nothing in it looks like the magenta fiducials.
    """
    h, w = 2 * layout.HEIGHT, 2 * layout.WIDTH
    y, x = np.mgrid[0:h, 0:w].astype(np.float32)
    rgb = np.empty((h, w, 4), np.uint8)
    rgb[..., 2] = 128 + 127 * np.sin(x / 97 + y / 211)  # red (BGRA order)
    rgb[..., 1] = 128 + 127 * np.sin(y / 73 - x / 151)
    rgb[..., 0] = 60 + 60 * np.sin((x + y) / 50)
    rgb[..., 3] = 255
    image = QImage(rgb.data, w, h, 4 * w, QImage.Format.Format_RGB32).copy()
    painter = QPainter(image)
    rng = random.Random(7)
    for _ in range(120):
        colour = QColor(rng.randrange(256), rng.randrange(256), rng.randrange(120))
        painter.fillRect(
            rng.randrange(w),
            rng.randrange(h),
            rng.randrange(40, 300),
            rng.randrange(30, 200),
            colour,
        )
    painter.end()
    return image


def _bounce(position: int, span: int) -> int:
    position %= 2 * span
    return position if position < span else 2 * span - position


class Scene(QWidget):
    command = Signal(dict)

    def __init__(self) -> None:
        super().__init__(None, Qt.WindowType.FramelessWindowHint)
        self.setGeometry(0, 0, layout.WIDTH, layout.HEIGHT)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
        self.pattern = motion_pattern()
        self.page = text_page(0)
        self.busy = False
        self.flip_every = 0
        self.counter = 0
        self.marker = False
        self.step = 0
        self.command.connect(self.on_command)
        self.timer = QTimer(self)
        self.timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.timer.setSingleShot(True)
        self.timer.timeout.connect(self.animate)
        self._next = 0.0

    def on_command(self, cmd: dict) -> None:
        name = cmd.get("cmd")
        if name == "text":
            self.busy = False
            colours = {k: tuple(cmd[k]) for k in ("fg", "bg") if k in cmd}
            self.page = text_page(int(cmd.get("page", 0)), **colours)
            self.draw("text")
        elif name == "busy":
            self.busy = True
            self.flip_every = int(cmd.get("flip_every", 0))
            self.timer.stop()
            self._next = time.monotonic()
            self.animate("busy")
        elif name == "flip":
            self.marker = not self.marker
            self.draw("flip", advance=False)

    def animate(self, why: str = "frame") -> None:
        if not self.busy:
            return
        self.step += 1
        if self.flip_every and self.step % self.flip_every == 0:
            self.marker = not self.marker
        self.draw(why)
        # Paced by deadline: a late frame shortens the wait for the next, never adds to it.
        now = time.monotonic()
        self._next = max(self._next + 1 / FPS, now)
        self.timer.start(max(0, round((self._next - now) * 1000)))

    def draw(self, why: str, advance: bool = True) -> None:
        if advance:
            self.counter = (self.counter + 1) % (1 << layout.BITS)
        self.repaint()
        QGuiApplication.sync()  # the X server has the frame now
        drawn = time.monotonic()
        print(
            json.dumps({"n": self.counter, "t": drawn, "m": int(self.marker), "why": why}),
            flush=True,
        )

    def paintEvent(self, _: object) -> None:
        painter = QPainter(self)
        if self.busy:
            dx = _bounce(self.step * 7, layout.WIDTH)
            dy = _bounce(self.step * 4, layout.HEIGHT)
            painter.drawImage(0, 0, self.pattern, dx, dy, layout.WIDTH, layout.HEIGHT)
        else:
            painter.drawImage(0, 0, self.page)
        for box in layout.fiducial_boxes():
            painter.fillRect(_rect(box), QColor(*layout.FIDUCIAL_RGB))
        band = layout.band_box()
        painter.fillRect(_rect(band).adjusted(-16, -16, 16, 16), QColor(128, 128, 128))
        for box, white in zip(
            layout.counter_blocks(), layout.counter_colours(self.counter), strict=True
        ):
            painter.fillRect(_rect(box), QColor(255, 255, 255) if white else QColor(0, 0, 0))
        marker = QColor(255, 255, 255) if self.marker else QColor(0, 0, 0)
        painter.fillRect(_rect(layout.marker_box()), marker)
        painter.end()


def _rect(box: layout.Box) -> QRect:
    return QRect(box.x, box.y, box.w, box.h)


class _Stdin(QObject):
    def __init__(self, scene: Scene, app: QApplication) -> None:
        super().__init__()
        self.scene, self.app = scene, app
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in sys.stdin:
            if line.strip():
                self.scene.command.emit(json.loads(line))
        QTimer.singleShot(0, self.app, self.app.quit)


def main() -> int:
    app = QApplication(sys.argv[:1])
    scene = Scene()
    scene.show()
    _reader = _Stdin(scene, app)
    QTimer.singleShot(200, lambda: scene.draw("ready"))  # the first line says the window is up
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
