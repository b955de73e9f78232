"""Real injection on the test display, read back from X and from a real text field."""

from __future__ import annotations

import time

import pytest

from client.media.monitors import MonitorGeometry
from common.input_events import Click, Key, MouseButtonEvent, MouseMove, TypeText
from tests.display_tools import TextInputWindow, xdotool_mouse_location

pytestmark = pytest.mark.display


@pytest.fixture
def injector(xvfb_display):
    from client.media.injector import InputInjector

    injector = InputInjector(MonitorGeometry(0, 0, 1280, 800))
    yield injector
    injector.close()


def test_mouse_move_lands_on_the_right_pixel(injector, xvfb_display):
    injector.inject(MouseMove(x=0.25, y=0.75))
    assert xdotool_mouse_location(xvfb_display) == (320, 600)


def test_click_and_type_reach_a_window(injector, xvfb_display):
    with TextInputWindow(xvfb_display, x=300, y=300, width=300, height=50) as window:
        injector.inject(MouseMove(x=450 / 1280, y=325 / 800))
        injector.inject(Click())
        injector.inject(TypeText(text="abc 123"))
        assert window.wait_for_text("abc 123")


def test_release_all_lets_go_of_held_keys_and_buttons(injector, xvfb_display):
    with TextInputWindow(xvfb_display, x=300, y=300, width=300, height=50) as window:
        injector.inject(MouseMove(x=450 / 1280, y=325 / 800))
        injector.inject(Click())
        injector.inject(Key(key="shift", down=True))
        injector.inject(MouseButtonEvent(button="middle", down=True))
        injector.inject(Key(key="a", down=True))
        injector.inject(Key(key="a", down=False))
        assert window.wait_for_text("A")
        assert injector.held == 2
        injector.release_all()
        assert injector.held == 0
        time.sleep(0.2)
        injector.inject(Key(key="b", down=True))
        injector.inject(Key(key="b", down=False))
        assert window.wait_for_text("Ab"), "shift is no longer held"
