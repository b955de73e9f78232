"""Small real programs on a test display: a coloured rectangle, a text field, the pointer.

They run as separate processes, as the windows of another user's desktop would. Each is
ready once the X server has exposed its window; the rectangle also waits until its colour is
on the screen, so a capture that follows sees it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import threading
from typing import Any

from devtools.waiting import wait_until

__all__ = [
    "ColouredRectangle",
    "TextInputWindow",
    "TextPage",
    "pixel_at",
    "xdotool",
    "xdotool_mouse_location",
]

# Prints one line once the window is exposed (mapped and viewable on the X server).
_ANNOUNCE_WHEN_EXPOSED = """
from PySide6.QtCore import QTimer
def _announce():
    handle = window.windowHandle()
    if handle is not None and handle.isExposed():
        print('{"ready": true}', flush=True)
    else:
        QTimer.singleShot(10, _announce)
QTimer.singleShot(0, _announce)
app.exec()
"""

_RECTANGLE = (
    textwrap.dedent(
        """
    import sys
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QColor, QPalette
    from PySide6.QtWidgets import QApplication, QWidget
    x, y, w, h, r, g, b = map(int, sys.argv[1:8])
    app = QApplication([])
    window = QWidget(None, Qt.FramelessWindowHint | Qt.WindowStaysOnTopHint)
    pal = window.palette(); pal.setColor(QPalette.Window, QColor(r, g, b))
    window.setPalette(pal)
    window.setAutoFillBackground(True); window.setGeometry(x, y, w, h); window.show()
    """
    )
    + _ANNOUNCE_WHEN_EXPOSED
)

_TEXT_INPUT = (
    textwrap.dedent(
        """
    import json, sys
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QApplication, QLineEdit
    x, y, w, h = map(int, sys.argv[1:5])
    app = QApplication([])
    window = QLineEdit()
    window.setWindowFlags(Qt.FramelessWindowHint)
    window.setGeometry(x, y, w, h)
    window.textChanged.connect(lambda t: print(json.dumps({"text": t}), flush=True))
    window.show()
    """
    )
    + _ANNOUNCE_WHEN_EXPOSED
)


_TEXT_PAGE = (
    textwrap.dedent(
        """
    import random, sys
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QColor, QFont, QPainter
    from PySide6.QtWidgets import QApplication, QWidget
    x, y, w, h, *colours = map(int, sys.argv[1:11])
    ink, paper = QColor(*colours[:3]), QColor(*colours[3:])
    class Page(QWidget):
        def paintEvent(self, _):
            p = QPainter(self)
            p.fillRect(self.rect(), paper)
            font = QFont("DejaVu Sans Mono"); font.setPointSize(10); p.setFont(font)
            p.setPen(ink)
            words = "error warning session frame packet 0x1f3a /usr/lib timeout=30".split()
            rnd = random.Random(7)
            for line in range(h // 16):
                p.drawText(4, 14 + 16 * line, " ".join(rnd.choice(words) for _ in range(25)))
    app = QApplication([])
    window = Page(None, Qt.FramelessWindowHint | Qt.WindowStaysOnTopHint)
    window.setGeometry(x, y, w, h); window.show()
    """
    )
    + _ANNOUNCE_WHEN_EXPOSED
)


class _QtProgram:
    def __init__(self, display: str, source: str, *args: Any) -> None:
        env = {**os.environ, "DISPLAY": display, "QT_QPA_PLATFORM": "xcb"}
        self.proc = subprocess.Popen(
            [sys.executable, "-c", source, *map(str, args)],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            env=env,
        )
        assert self.proc.stdout is not None
        if not self.proc.stdout.readline():
            raise RuntimeError(f"test window did not start on {display}")

    def close(self) -> None:
        self.proc.kill()
        self.proc.wait()

    def __exit__(self, *_: object) -> None:
        self.close()


class ColouredRectangle(_QtProgram):
    def __init__(
        self, display: str, *, x: int, y: int, width: int, height: int, rgb: tuple[int, int, int]
    ) -> None:
        super().__init__(display, _RECTANGLE, x, y, width, height, *rgb)
        centre = (x + width // 2, y + height // 2)
        wait_until(
            lambda: pixel_at(display, *centre) == rgb, f"rectangle {rgb} painted on {display}"
        )

    def __enter__(self) -> ColouredRectangle:
        return self


class TextPage(_QtProgram):
    """Dense 10 pt monospace text, black on white (or ``ink`` on ``paper``): the hardest still
    picture to keep legible."""

    def __init__(
        self,
        display: str,
        *,
        x: int,
        y: int,
        width: int,
        height: int,
        ink: tuple[int, int, int] = (0, 0, 0),
        paper: tuple[int, int, int] = (255, 255, 255),
    ) -> None:
        super().__init__(display, _TEXT_PAGE, x, y, width, height, *ink, *paper)
        wait_until(lambda: pixel_at(display, x + 1, y + 1) == paper, f"text page on {display}")

    def __enter__(self) -> TextPage:
        return self


class TextInputWindow(_QtProgram):
    """A text field that reports its text on every change."""

    def __init__(self, display: str, *, x: int, y: int, width: int, height: int) -> None:
        super().__init__(display, _TEXT_INPUT, x, y, width, height)
        self.text = ""
        self._changed = threading.Condition()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            with self._changed:
                self.text = json.loads(line).get("text", self.text)
                self._changed.notify_all()

    def wait_for_text(self, wanted: str, deadline: float = 60.0) -> bool:
        with self._changed:
            if not self._changed.wait_for(lambda: self.text == wanted, timeout=deadline):
                raise AssertionError(f"text field shows {self.text!r}, not {wanted!r}")
        return True

    def __enter__(self) -> TextInputWindow:
        return self


def pixel_at(display: str, x: int, y: int) -> tuple[int, int, int]:
    """The colour of one pixel of the display, as another program on it would read it."""
    import mss

    with mss.MSS(display=display) as screen:
        shot = screen.grab({"left": x, "top": y, "width": 1, "height": 1})
        red, green, blue = shot.pixel(0, 0)
        return int(red), int(green), int(blue)


def xdotool_mouse_location(display: str) -> tuple[int, int]:
    out = subprocess.run(
        ["xdotool", "getmouselocation", "--shell"],
        env={**os.environ, "DISPLAY": display},
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    values = dict(line.split("=", 1) for line in out.split() if "=" in line)
    return int(values["X"]), int(values["Y"])


def xdotool(display: str, *args: str) -> None:
    subprocess.run(["xdotool", *args], env={**os.environ, "DISPLAY": display}, check=True)
