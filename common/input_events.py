"""Remote input events: the schema the helper sends and the sharer validates.

Coordinates are normalised to the shared monitor (0..1), so the helper's window size does
not matter; the sharer maps them to real pixels. Keys are either one printable character or
a name from :data:`KEY_NAMES`, so nothing unknown ever reaches the injector.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError, field_validator

from common.validation import first_error
from common.wire import ProtocolError, decode_object

MAX_INPUT_MESSAGE_BYTES = 4096
MAX_TYPED_TEXT = 1000
MAX_SCROLL_STEPS = 50

KEY_NAMES = frozenset(
    {
        "alt", "alt_l", "alt_r", "backspace", "caps_lock", "cmd", "ctrl", "ctrl_l", "ctrl_r",
        "delete", "down", "end", "enter", "esc", "home", "insert", "left", "menu",
        "page_down", "page_up", "pause", "print_screen", "right", "shift", "shift_l",
        "shift_r", "space", "tab", "up",
        *(f"f{n}" for n in range(1, 21)),
    }
)  # fmt: skip


class MouseButton(StrEnum):
    LEFT = "left"
    RIGHT = "right"
    MIDDLE = "middle"


class InputError(Exception):
    """An input event that must not be injected; ``reason`` is safe to report."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class _Event(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


Coordinate = Annotated[float, Field(ge=0.0, le=1.0, allow_inf_nan=False)]


class MouseMove(_Event):
    type: Literal["mouse_move"] = "mouse_move"
    x: Coordinate
    y: Coordinate


class MouseButtonEvent(_Event):
    type: Literal["mouse_button"] = "mouse_button"
    button: MouseButton
    down: bool


class Click(_Event):
    type: Literal["click"] = "click"
    button: MouseButton = MouseButton.LEFT


class Scroll(_Event):
    type: Literal["scroll"] = "scroll"
    dx: int = Field(default=0, ge=-MAX_SCROLL_STEPS, le=MAX_SCROLL_STEPS)
    dy: int = Field(default=0, ge=-MAX_SCROLL_STEPS, le=MAX_SCROLL_STEPS)


class Key(_Event):
    type: Literal["key"] = "key"
    key: str = Field(min_length=1, max_length=16)
    down: bool

    @field_validator("key")
    @classmethod
    def _known_key(cls, value: str) -> str:
        if len(value) == 1:
            if not value.isprintable():
                raise ValueError("key must be printable")
            return value
        if value.lower() not in KEY_NAMES:
            raise ValueError("unknown key name")
        return value.lower()


class TypeText(_Event):
    type: Literal["type"] = "type"
    text: str = Field(min_length=1, max_length=MAX_TYPED_TEXT)

    @field_validator("text")
    @classmethod
    def _printable(cls, value: str) -> str:
        if any(not (ch.isprintable() or ch in "\n\t") for ch in value):
            raise ValueError("text must be printable")
        return value


InputEvent = Annotated[
    MouseMove | MouseButtonEvent | Click | Scroll | Key | TypeText,
    Field(discriminator="type"),
]
INPUT_TYPES = frozenset({"mouse_move", "mouse_button", "click", "scroll", "key", "type"})
_ADAPTER: TypeAdapter[InputEvent] = TypeAdapter(InputEvent)


def validate_input(data: dict[str, Any]) -> InputEvent:
    """Validate an already-decoded event (for example a headless command)."""
    kind = data.get("type")
    if not isinstance(kind, str) or kind not in INPUT_TYPES:
        raise InputError("unknown input event type")
    try:
        return _ADAPTER.validate_python(data)
    except ValidationError as exc:
        raise InputError(f"invalid {first_error(exc, skip=1, default='event')}") from exc


def parse_input(raw: str | bytes) -> InputEvent:
    """Decode and validate one input event from the data channel."""
    try:
        data = decode_object(raw, MAX_INPUT_MESSAGE_BYTES, what="input event")
    except ProtocolError as exc:
        raise InputError(exc.message) from exc
    return validate_input(data)


def encode_input(event: _Event) -> str:
    return event.model_dump_json()
