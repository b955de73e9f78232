"""Qt keys to the key names the input protocol knows (common.input_events.KEY_NAMES)."""

from __future__ import annotations

from PySide6.QtCore import Qt

_K = Qt.Key
QT_KEY_NAMES: dict[int, str] = {
    _K.Key_Return: "enter", _K.Key_Enter: "enter", _K.Key_Escape: "esc",
    _K.Key_Backspace: "backspace", _K.Key_Tab: "tab", _K.Key_Backtab: "tab",
    _K.Key_Delete: "delete", _K.Key_Insert: "insert", _K.Key_Home: "home", _K.Key_End: "end",
    _K.Key_PageUp: "page_up", _K.Key_PageDown: "page_down", _K.Key_Left: "left",
    _K.Key_Right: "right", _K.Key_Up: "up", _K.Key_Down: "down", _K.Key_Shift: "shift",
    _K.Key_Control: "ctrl", _K.Key_Alt: "alt", _K.Key_Meta: "cmd", _K.Key_Space: "space",
    _K.Key_CapsLock: "caps_lock", _K.Key_Menu: "menu", _K.Key_Pause: "pause",
    _K.Key_Print: "print_screen",
    **{getattr(_K, f"Key_F{n}"): f"f{n}" for n in range(1, 21)},
}  # fmt: skip


def key_name(qt_key: int, text: str) -> str | None:
    """The protocol's name for a key press: a named key, else its one printable character."""
    if qt_key in QT_KEY_NAMES:
        return QT_KEY_NAMES[qt_key]
    if len(text) == 1 and text.isprintable():
        return text
    return None
