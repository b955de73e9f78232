"""The helper's picture: painted 1:1 with the right colours, converted once per frame shown,
on a Qt binding that does not lose references to None (PySide6 6.12.0 did, and a minute of
busy streaming then aborted the app with ``Fatal Python error: none_dealloc``)."""

from __future__ import annotations

import ctypes
import sys

import av
import numpy as np
import pytest
from PySide6.QtWidgets import QLabel

from helper_app.views.remote_screen import RemoteScreen

QUADRANTS = {(0, 0): (255, 0, 0), (0, 1): (0, 255, 0), (1, 0): (0, 0, 255), (1, 1): (255, 255, 0)}


def _quadrant_frame(width: int = 320, height: int = 200) -> av.VideoFrame:
    rgb = np.zeros((height, width, 3), dtype=np.uint8)
    for (row, col), colour in QUADRANTS.items():
        rgb[
            row * height // 2 : (row + 1) * height // 2, col * width // 2 : (col + 1) * width // 2
        ] = colour
    return av.VideoFrame.from_ndarray(rgb, format="rgb24").reformat(format="yuv420p")


@pytest.fixture
def screen(qtbot, qt_display):
    widget = RemoteScreen()
    qtbot.addWidget(widget)
    widget.resize(400, 300)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def test_the_picture_is_painted_one_to_one_in_its_colours(screen):
    screen.show_frame(_quadrant_frame())
    image = screen.grab().toImage()
    rect = screen.image_rect()
    assert (rect.width(), rect.height()) == (320, 200), "a picture that fits is shown 1:1"
    for (row, col), colour in QUADRANTS.items():
        x = int(rect.left() + (col + 0.5) * rect.width() / 2)
        y = int(rect.top() + (row + 0.5) * rect.height() / 2)
        pixel = image.pixelColor(x, y)
        got = (pixel.red(), pixel.green(), pixel.blue())
        assert all(abs(a - b) < 12 for a, b in zip(got, colour, strict=True)), (row, col, got)


def _painted_colours(screen: RemoteScreen) -> dict[tuple[int, int], tuple[int, int, int]]:
    image = screen.grab().toImage()
    rect = screen.image_rect()
    colours = {}
    for row, col in QUADRANTS:
        x = int(rect.left() + (col + 0.5) * rect.width() / 2)
        y = int(rect.top() + (row + 0.5) * rect.height() / 2)
        pixel = image.pixelColor(x, y)
        colours[(row, col)] = (pixel.red(), pixel.green(), pixel.blue())
    return colours


def test_a_frame_sent_smaller_is_shown_at_the_size_of_the_sharers_screen(screen):
    """Moving frames may come at half size and the sharp still at full size: the picture
    keeps its place and size through both, instead of jumping at every change."""
    screen.resize(700, 500)
    screen.set_screen_size(640, 400)
    screen.show_frame(_quadrant_frame(640, 400))
    full = screen.image_rect()
    screen.show_frame(_quadrant_frame(320, 200))
    assert screen.image_rect() == full
    assert (full.width(), full.height()) == (640, 400)
    for quadrant, got in _painted_colours(screen).items():
        assert all(abs(a - b) < 12 for a, b in zip(got, QUADRANTS[quadrant], strict=True))
    screen.show_frame(_quadrant_frame(300, 300))  # another monitor's, before its message
    rect = screen.image_rect()
    assert (rect.width(), rect.height()) == (300, 300)


def test_the_helper_window_takes_the_screen_size_from_the_sharers_monitors(qtbot, qt_display):
    from client.session.events import MonitorsShown
    from client.settings import AppSettings
    from helper_app.views.main_window import HelperWindow
    from helper_app.views.service import HelperService

    window = HelperWindow(HelperService(AppSettings()))
    qtbot.addWidget(window)
    shown = [{"index": 1, "width": 1280, "height": 800}, {"index": 2, "width": 640, "height": 400}]
    window.on_event(MonitorsShown.model_validate({"list": shown, "current": 2}))
    screen = window.session_page.screen
    screen.resize(700, 500)
    screen.show_frame(_quadrant_frame(320, 200))
    rect = screen.image_rect()
    assert (rect.width(), rect.height()) == (640, 400)


def test_only_the_newest_frame_is_converted_and_only_once(screen, monkeypatch):
    converted: list[av.VideoFrame] = []
    original = RemoteScreen._convert

    def counting(self, frame, *size):
        converted.append(frame)
        return original(self, frame, *size)

    monkeypatch.setattr(RemoteScreen, "_convert", counting)
    frames = [_quadrant_frame() for _ in range(5)]
    for frame in frames:
        screen.show_frame(frame)
    screen.grab()  # paints now, exposed or not
    screen.grab()
    assert converted == [frames[-1]]


def test_the_qt_binding_keeps_its_references_to_none(qapp):
    """Void Qt calls must not drop a reference to None each (PySide6 6.12.0 on CPython 3.11).

    On CPython 3.12 and later None is immortal and its count never moves: the test then
    still runs the calls but cannot see a leak, which is also harmless there.
    """
    label = QLabel()
    calls = 200  # few: on a leaking binding None's count (about 5,000) must not reach zero
    before = sys.getrefcount(None)
    for i in range(calls):
        label.setText("x" if i % 2 else "y")
        label.update()
    lost = before - sys.getrefcount(None)
    if lost > 0:
        # Give back what the binding took, so this process fails the test instead of aborting.
        for _ in range(lost):
            ctypes.pythonapi.Py_IncRef(ctypes.py_object(None))
    assert lost < calls // 10, f"{lost} references to None lost in {2 * calls} Qt calls"


def test_a_full_colour_frame_is_painted_with_every_pixel_its_own_colour(screen):
    """Alternate red and blue columns, one pixel wide: 4:2:0 would paint them all purple."""
    rgb = np.zeros((200, 320, 3), dtype=np.uint8)
    rgb[:, 0::2] = (230, 40, 40)
    rgb[:, 1::2] = (20, 60, 220)
    screen.show_frame(av.VideoFrame.from_ndarray(rgb, format="rgb24").reformat(format="yuv444p"))
    image = screen.grab().toImage()
    rect = screen.image_rect()
    x, y = int(rect.left()) + 100, int(rect.top()) + 100
    for dx, colour in ((0, rgb[0, 100]), (1, rgb[0, 101])):
        pixel = image.pixelColor(x + dx, y)
        got = (pixel.red(), pixel.green(), pixel.blue())
        assert all(abs(a - int(b)) < 16 for a, b in zip(got, colour, strict=True)), (dx, got)


def test_one_to_one_shows_each_remote_pixel_on_one_device_pixel(screen):
    """1:1 ignores the window's size: the picture keeps its size in device pixels (the
    session page's scroll area pans it), and fitting again shrinks it back into view."""
    screen.show_frame(_quadrant_frame(800, 600))
    assert screen.image_rect().width() == 300 * 800 / 600, "fitted into 400x300"
    screen.set_one_to_one(True)
    ratio = screen.devicePixelRatioF()
    rect = screen.image_rect()
    assert (rect.width() * ratio, rect.height() * ratio) == (800, 600)
    assert screen.minimumWidth() == round(800 / ratio)
    screen.set_one_to_one(False)
    assert screen.image_rect().height() <= screen.height()
