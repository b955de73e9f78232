"""Remote input, injected into this machine with pynput.

Permission is not checked here: the session's input gate does that before calling in.
What this module guarantees is that nothing stays held down: every key and button pressed
through it is tracked and :meth:`InputInjector.release_all` lets go of all of them.
"""

from __future__ import annotations

from typing import Any

from client.media.monitors import MonitorGeometry, to_pixels
from common.input_events import (
    Click,
    InputEvent,
    Key,
    MouseButton,
    MouseButtonEvent,
    MouseMove,
    Scroll,
    TypeText,
)


class InputInjector:
    def __init__(self, geometry: MonitorGeometry) -> None:
        # pynput connects to the display on import; import only when a session needs it.
        from pynput import keyboard, mouse

        self._geometry = geometry
        self._mouse = mouse.Controller()
        self._keyboard = keyboard.Controller()
        self._buttons = {
            MouseButton.LEFT: mouse.Button.left,
            MouseButton.RIGHT: mouse.Button.right,
            MouseButton.MIDDLE: mouse.Button.middle,
        }
        self._special = keyboard.Key
        self._held_keys: set[Any] = set()
        self._held_buttons: set[Any] = set()
        self.injected = 0

    def show(self, geometry: MonitorGeometry) -> None:
        """Input lands on this monitor from now on: the one the helper sees."""
        self._geometry = geometry

    def inject(self, event: InputEvent) -> None:
        self.injected += 1
        if isinstance(event, MouseMove):
            self._mouse.position = to_pixels(self._geometry, event.x, event.y)
        elif isinstance(event, MouseButtonEvent):
            button = self._buttons[event.button]
            if event.down:
                self._mouse.press(button)
                self._held_buttons.add(button)
            else:
                self._mouse.release(button)
                self._held_buttons.discard(button)
        elif isinstance(event, Click):
            self._mouse.click(self._buttons[event.button])
        elif isinstance(event, Scroll):
            # Screen convention (down is positive) to pynput's (up is positive).
            self._mouse.scroll(event.dx, -event.dy)
        elif isinstance(event, Key):
            key = self._key(event.key)
            if event.down:
                self._keyboard.press(key)
                self._held_keys.add(key)
            else:
                self._keyboard.release(key)
                self._held_keys.discard(key)
        elif isinstance(event, TypeText):
            self._keyboard.type(event.text)

    def release_all(self) -> None:
        for key in list(self._held_keys):
            self._keyboard.release(key)
        for button in list(self._held_buttons):
            self._mouse.release(button)
        self._held_keys.clear()
        self._held_buttons.clear()

    def close(self) -> None:
        """Let go of everything and of the display connections, while the display still lives."""
        self.release_all()
        for controller in (self._mouse, self._keyboard):
            display = getattr(controller, "_display", None)
            if display is not None:
                display.close()
                del controller._display  # pynput's __del__ would close it again

    @property
    def held(self) -> int:
        return len(self._held_keys) + len(self._held_buttons)

    def _key(self, name: str) -> Any:
        if len(name) == 1:
            return name
        # Every name in common.input_events.KEY_NAMES is a pynput Key member of that name.
        return getattr(self._special, name)
