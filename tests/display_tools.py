"""Small real programs on the test display: a coloured rectangle, a text field, the pointer.

They run as separate processes, as the windows of another user's desktop would.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import threading
import time
from typing import Any

_RECTANGLE = textwrap.dedent(
    """
    import sys
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QColor, QPalette
    from PySide6.QtWidgets import QApplication, QWidget
    x, y, w, h, r, g, b = map(int, sys.argv[1:8])
    app = QApplication([])
    win = QWidget(None, Qt.FramelessWindowHint | Qt.WindowStaysOnTopHint)
    pal = win.palette(); pal.setColor(QPalette.Window, QColor(r, g, b)); win.setPalette(pal)
    win.setAutoFillBackground(True); win.setGeometry(x, y, w, h); win.show()
    print("ready", flush=True)
    app.exec()
    """
)

_TEXT_INPUT = textwrap.dedent(
    """
    import json, sys
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QApplication, QLineEdit
    x, y, w, h = map(int, sys.argv[1:5])
    app = QApplication([])
    edit = QLineEdit()
    edit.setWindowFlags(Qt.FramelessWindowHint)
    edit.setGeometry(x, y, w, h)
    edit.textChanged.connect(lambda t: print(json.dumps({"text": t}), flush=True))
    edit.show()
    print(json.dumps({"ready": True}), flush=True)
    app.exec()
    """
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
        self.proc.stdout.readline()  # ready
        time.sleep(0.3)  # let the window be mapped and painted

    def close(self) -> None:
        self.proc.kill()
        self.proc.wait()

    def __enter__(self) -> _QtProgram:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()


class ColouredRectangle(_QtProgram):
    def __init__(
        self, display: str, *, x: int, y: int, width: int, height: int, rgb: tuple[int, int, int]
    ) -> None:
        super().__init__(display, _RECTANGLE, x, y, width, height, *rgb)


class TextInputWindow(_QtProgram):
    """A text field that reports its text on every change."""

    def __init__(self, display: str, *, x: int, y: int, width: int, height: int) -> None:
        super().__init__(display, _TEXT_INPUT, x, y, width, height)
        self.text = ""
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.text = json.loads(line).get("text", self.text)

    def wait_for_text(self, wanted: str, timeout: float = 15.0) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.text == wanted:
                return True
            time.sleep(0.05)
        raise AssertionError(f"text field shows {self.text!r}, not {wanted!r}")

    def __enter__(self) -> TextInputWindow:
        return self


def start_xvfb(width: int, height: int) -> tuple[subprocess.Popen[bytes], str]:
    """A new Xvfb on a free display number (Xvfb picks it and tells us through a pipe)."""
    read_fd, write_fd = os.pipe()
    proc = subprocess.Popen(
        [
            "Xvfb",
            "-displayfd",
            str(write_fd),
            "-screen",
            "0",
            f"{width}x{height}x24",
            "-noreset",
            "-nolisten",
            "tcp",
        ],
        pass_fds=(write_fd,),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    os.close(write_fd)
    with os.fdopen(read_fd) as pipe:
        number = pipe.readline().strip()
    if not number:
        proc.kill()
        raise RuntimeError("Xvfb did not start")
    return proc, f":{number}"


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
