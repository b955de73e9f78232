"""The remote screen: the latest frame, scaled with its aspect kept, and input mapped back.

Only the newest frame is kept, and it is converted once, when painted: a slow paint never
queues frames, and frames that arrive between two paints are never converted at all. The
conversion scales to the size shown and writes 32-bit pixels that a QImage reads in place
(no copy), through one long-lived swscale context. Mouse and keys leave this widget only
while control is granted and it has focus.

The sharer may send moving frames smaller than its screen (a slow link or a busy machine)
and the sharp still at full size. Shown each at its own size, the picture would jump to a
quarter of its area in the middle of the window at every change and back once still; so a
frame of the screen's shape is shown at the screen's size (``set_screen_size``, from the
sharer's monitors message), and only its sharpness changes.
"""

from __future__ import annotations

import sys
import time
from typing import Any

import av
from av.video.reformatter import VideoReformatter
from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QImage,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPalette,
    QPen,
    QWheelEvent,
)
from PySide6.QtWidgets import QSizePolicy, QWidget

from helper_app.views.keymap import key_name

MOVE_INTERVAL = 1 / 60
# QImage's Format_RGB32 is one 0xffRRGGBB word per pixel: its bytes in memory by byte order.
_RGB32_LAYOUT = "bgra" if sys.byteorder == "little" else "argb"
_BUTTONS = {
    Qt.MouseButton.LeftButton: "left",
    Qt.MouseButton.RightButton: "right",
    Qt.MouseButton.MiddleButton: "middle",
}


class RemoteScreen(QWidget):
    input_event = Signal(dict)
    # A focus frame of its own: with control, it says where the keys go.
    draws_focus = True

    def __init__(self) -> None:
        super().__init__()
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setMouseTracking(True)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumSize(320, 200)
        self.setAccessibleName(self.tr("Remote screen"))
        self.setAccessibleDescription(
            self.tr("The other person's screen; with control, your mouse and keys go there")
        )
        # 1:1 shows each of the sharer's pixels on one device pixel of this display (a
        # scroll area around this widget pans); otherwise the picture is fitted.
        self.one_to_one = False
        self._frame: av.VideoFrame | None = None
        self._image: QImage | None = None
        # The converted frame owns the pixels the QImage points into: keep them together.
        self._pixels: av.VideoFrame | None = None
        self._reformatter = VideoReformatter()
        self._screen_size: tuple[int, int] | None = None
        self.control = False
        self._last_move = 0.0

    def show_frame(self, frame: av.VideoFrame) -> None:
        resized = self._frame is None or (self._frame.width, self._frame.height) != (
            frame.width,
            frame.height,
        )
        self._frame = frame
        if resized and self.one_to_one:
            self._fit_minimum()
        self._image = None
        self.update()

    def set_screen_size(self, width: int, height: int) -> None:
        """The size of the sharer's screen shown, as the sharer said (its monitors message)."""
        self._screen_size = (width, height)
        self._image = None
        self.update()

    def set_control(self, granted: bool) -> None:
        self.control = granted
        self.setCursor(Qt.CursorShape.CrossCursor if granted else Qt.CursorShape.ArrowCursor)

    def set_one_to_one(self, on: bool) -> None:
        self.one_to_one = on
        self._fit_minimum()
        self.update()

    def _fit_minimum(self) -> None:
        """In 1:1 the widget is at least the picture's size, so the scroll area pans it."""
        if self.one_to_one and self._frame is not None:
            ratio = self.devicePixelRatioF()
            pw, ph = self.picture_size()
            self.setMinimumSize(int(pw / ratio + 0.5), int(ph / ratio + 0.5))
        else:
            self.setMinimumSize(320, 200)

    # ---- geometry ------------------------------------------------------------------

    def picture_size(self) -> tuple[int, int]:
        """The size the frame stands for: the sharer's screen when the frame has its shape
        (a moving frame sent smaller), else the frame's own (another monitor, just switched)."""
        assert self._frame is not None
        fw, fh = self._frame.width, self._frame.height
        if self._screen_size is not None:
            sw, sh = self._screen_size
            # Sent smaller, each side rounded down to an even number of pixels.
            if fw <= sw and fh <= sh and abs(fw * sh - fh * sw) <= 2 * max(sw, sh):
                return sw, sh
        return fw, fh

    def image_rect(self) -> QRectF:
        """Where the frame is drawn: fitted, 1:1 when it fits (crisp), else scaled with
        aspect kept; or, when asked, 1:1 in device pixels whatever the window's size."""
        if self._frame is None:
            return QRectF()
        pw, ph = self.picture_size()
        if self.one_to_one:
            ratio = self.devicePixelRatioF()
            w, h = pw / ratio, ph / ratio
            return QRectF(max(0.0, (self.width() - w) / 2), max(0.0, (self.height() - h) / 2), w, h)
        scale = min(1.0, self.width() / pw, self.height() / ph)
        w, h = max(1, round(pw * scale)), max(1, round(ph * scale))
        return QRectF((self.width() - w) // 2, (self.height() - h) // 2, w, h)

    def normalise(self, point: QPointF) -> tuple[float, float] | None:
        """Widget point to (0..1, 0..1) on the remote screen; None in the letterbox."""
        rect = self.image_rect()
        if rect.isEmpty() or not rect.contains(point):
            return None
        x = (point.x() - rect.left()) / rect.width()
        y = (point.y() - rect.top()) / rect.height()
        return min(max(x, 0.0), 1.0), min(max(y, 0.0), 1.0)

    # ---- painting ------------------------------------------------------------------

    def paintEvent(self, _: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor(32, 34, 38))
        if self._frame is None:
            painter.setPen(QColor(200, 200, 200))
            painter.drawText(
                self.rect(), Qt.AlignmentFlag.AlignCenter, self.tr("Waiting for the screen…")
            )
            return
        rect = self.image_rect()
        # Converted at the size shown, in device pixels: swscale scales as it converts, and
        # 1:1 stays 1:1 on a HiDPI screen.
        ratio = self.devicePixelRatioF()
        size = (max(1, round(rect.width() * ratio)), max(1, round(rect.height() * ratio)))
        if self._image is None or (self._image.width(), self._image.height()) != size:
            self._image = self._convert(self._frame, *size)
        painter.drawImage(rect, self._image)
        if self.hasFocus():
            pen = QPen(self.palette().color(QPalette.ColorRole.Highlight), 3)
            painter.setPen(pen)
            painter.drawRect(self.rect().adjusted(1, 1, -2, -2))

    def _convert(self, frame: av.VideoFrame, width: int, height: int) -> QImage:
        """The frame as 32-bit pixels at the size shown: swscale scales as it converts."""
        pixels = self._reformatter.reformat(
            frame, width=width, height=height, format=_RGB32_LAYOUT, interpolation="BILINEAR"
        )
        plane = pixels.planes[0]
        self._pixels = pixels
        return QImage(
            plane, pixels.width, pixels.height, plane.line_size, QImage.Format.Format_RGB32
        )

    # ---- input ---------------------------------------------------------------------

    def _send(self, **event: Any) -> None:
        if self.control and self.hasFocus():
            self.input_event.emit(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        now = time.monotonic()
        if now - self._last_move < MOVE_INTERVAL:
            return
        position = self.normalise(event.position())
        if position is not None:
            self._last_move = now
            self._send(type="mouse_move", x=position[0], y=position[1])

    def _button(self, event: QMouseEvent, down: bool) -> None:
        self.setFocus()
        button = _BUTTONS.get(event.button())
        position = self.normalise(event.position())
        if button is None or position is None:
            return
        self._send(type="mouse_move", x=position[0], y=position[1])
        self._send(type="mouse_button", button=button, down=down)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        self._button(event, True)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        self._button(event, False)

    def wheelEvent(self, event: QWheelEvent) -> None:
        steps = -round(event.angleDelta().y() / 120)
        if steps:
            self._send(type="scroll", dx=0, dy=max(-50, min(50, steps)))

    def _key(self, event: QKeyEvent, down: bool) -> None:
        if event.isAutoRepeat() and not down:
            return
        name = key_name(event.key(), event.text())
        if name is not None:
            self._send(type="key", key=name, down=down)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        self._key(event, True)

    def keyReleaseEvent(self, event: QKeyEvent) -> None:
        self._key(event, False)

    def focusNextPrevChild(self, forward: bool) -> bool:
        # While controlling, Tab belongs to the remote machine, not to our focus chain.
        return False if self.control else super().focusNextPrevChild(forward)
