"""Real injection on a display of the test's own, read back from X and from a real text field."""

from __future__ import annotations

import pytest

from client.media.monitors import MonitorGeometry, monitor_geometry
from common.input_events import Click, Key, MouseButtonEvent, MouseMove, TypeText
from tests.display_tools import TextInputWindow, xdotool_mouse_location
from tests.fixtures_display import SCREEN, TWO_MONITORS

pytestmark = pytest.mark.display


@pytest.fixture
def injector_on(monkeypatch):
    """An injector for monitor ``number`` of ``display`` (pynput connects to $DISPLAY).

    Tests ask for their display before this fixture, so the injectors close first.
    """
    from client.media.injector import InputInjector

    made = []

    def make(display: str, number: int = 1) -> InputInjector:
        monkeypatch.setenv("DISPLAY", display)
        injector = InputInjector(monitor_geometry(number))
        made.append(injector)
        return injector

    yield make
    for injector in made:
        injector.close()


def test_mouse_move_lands_on_the_right_pixel(private_display, injector_on):
    injector = injector_on(private_display)
    injector.inject(MouseMove(x=0.25, y=0.75))
    assert xdotool_mouse_location(private_display) == (320, 600)
    injector.inject(MouseMove(x=1.0, y=1.0))
    assert xdotool_mouse_location(private_display) == (SCREEN[0] - 1, SCREEN[1] - 1)


def test_the_second_monitor_is_found_and_its_offset_is_honoured(two_monitor_display, injector_on):
    _, (first, second) = TWO_MONITORS
    injector = injector_on(two_monitor_display, 2)
    assert monitor_geometry(1) == MonitorGeometry(first.left, first.top, first.width, first.height)
    assert monitor_geometry(2) == MonitorGeometry(
        second.left, second.top, second.width, second.height
    )
    for (x, y), expected in [
        ((0.0, 0.0), (second.left, second.top)),
        ((0.5, 0.5), (second.left + second.width // 2, second.top + second.height // 2)),
        ((1.0, 1.0), (second.left + second.width - 1, second.top + second.height - 1)),
    ]:
        injector.inject(MouseMove(x=x, y=y))
        assert xdotool_mouse_location(two_monitor_display) == expected


def test_click_and_type_reach_a_window(private_display, injector_on):
    injector = injector_on(private_display)
    with TextInputWindow(private_display, x=300, y=300, width=300, height=50) as window:
        injector.inject(MouseMove(x=450 / 1280, y=325 / 800))
        injector.inject(Click())
        injector.inject(TypeText(text="abc 123"))
        assert window.wait_for_text("abc 123")


def test_release_all_lets_go_of_held_keys_and_buttons(private_display, injector_on):
    injector = injector_on(private_display)
    with TextInputWindow(private_display, x=300, y=300, width=300, height=50) as window:
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
        # The same connection carries the releases and these keys, in order.
        injector.inject(Key(key="b", down=True))
        injector.inject(Key(key="b", down=False))
        assert window.wait_for_text("Ab"), "shift is no longer held"
