"""Putting the design system on screen: the palette and stylesheet on the application, roles
on widgets, icons, and the status marks that say what is going on in an icon and words.
"""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QColor, QGuiApplication, QIcon, QPalette
from PySide6.QtWidgets import QApplication, QFrame, QHBoxLayout, QLabel, QWidget

from desktop_widgets.theme import Palette, Space, choose_palette, stylesheet
from desktop_widgets.widgets import plain_label

ICONS = Path(__file__).with_name("icons")


def icon(name: str) -> QIcon:
    """One of Helpline's own SVG icons (``desktop_widgets/icons``), crisp at any scale."""
    return QIcon(str(ICONS / f"{name}.svg"))


def system_is_dark() -> bool:
    hints = QGuiApplication.styleHints()
    return hints.colorScheme() is Qt.ColorScheme.Dark


def apply_theme(app: QApplication, palette: Palette | None = None) -> Palette:
    """The palette and stylesheet on the whole application; it follows the desktop's colour
    scheme when that changes, unless ``HELPLINE_THEME`` fixes one."""
    chosen = palette or choose_palette(os.environ, system_is_dark())
    app.setStyle("Fusion")
    app.setPalette(_qpalette(chosen))
    app.setStyleSheet(stylesheet(chosen))
    app.setProperty("helpline_palette", chosen.name)
    if palette is None and not app.property("helpline_follows"):
        app.styleHints().colorSchemeChanged.connect(lambda _scheme: apply_theme(app))
        app.setProperty("helpline_follows", True)
    return chosen


def _qpalette(p: Palette) -> QPalette:
    pal = QPalette()
    roles = {
        QPalette.ColorRole.Window: p.window,
        QPalette.ColorRole.WindowText: p.text,
        QPalette.ColorRole.Base: p.surface,
        QPalette.ColorRole.AlternateBase: p.window,
        QPalette.ColorRole.Text: p.text,
        QPalette.ColorRole.PlaceholderText: p.muted,
        QPalette.ColorRole.Button: p.button,
        QPalette.ColorRole.ButtonText: p.on_button,
        QPalette.ColorRole.Highlight: p.selection,
        QPalette.ColorRole.HighlightedText: p.on_selection,
        QPalette.ColorRole.ToolTipBase: p.surface,
        QPalette.ColorRole.ToolTipText: p.text,
        QPalette.ColorRole.Link: p.accent if p.name == "dark" else p.focus,
    }
    for role, colour in roles.items():
        pal.setColor(role, QColor(colour))
    return pal


def set_role(widget: QWidget, role: str, name: str = "role") -> QWidget:
    """Give a widget its look from the stylesheet (``role`` or ``tone``), re-polished so a
    change shows at once."""
    widget.setProperty(name, role)
    style = widget.style()
    style.unpolish(widget)
    style.polish(widget)
    for child in widget.findChildren(QWidget):
        child.style().unpolish(child)
        child.style().polish(child)
    return widget


# The marks a person must tell apart at a glance, each an icon and a tone.
MARKS = {
    "verified": ("verified", "success"),
    "unverified": ("warning", "danger"),
    "controlling": ("control", "danger"),
    "viewing": ("view", "neutral"),
    "paused": ("pause", "neutral"),
    "info": ("info", "neutral"),
}
MARK_ICON = QSize(22, 22)


class StatusMark(QFrame):
    """A state shown as an icon and words on a tinted band: readable without the colour."""

    def __init__(self, kind: str = "info", text: str = "", icon_size: QSize = MARK_ICON) -> None:
        super().__init__()
        self.icon_size = icon_size
        self.icon = QLabel()
        self.icon.setFixedSize(icon_size)
        self.words = plain_label(text)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(Space.M, Space.S, Space.M, Space.S)
        layout.setSpacing(Space.S)
        layout.addWidget(self.icon, 0, Qt.AlignmentFlag.AlignTop)
        layout.addWidget(self.words, 1)
        self.kind = ""
        self.set_kind(kind)

    def set_kind(self, kind: str) -> None:
        icon_name, tone = MARKS[kind]
        self.kind = kind
        self.icon.setPixmap(icon(icon_name).pixmap(self.icon_size, self.devicePixelRatioF()))
        set_role(self, tone, "tone")

    def show_state(self, kind: str, text: str) -> None:
        self.set_kind(kind)
        self.words.setText(text)
