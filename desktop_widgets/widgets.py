"""Labels that never interpret markup, titles, and a readable centred column."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QVBoxLayout, QWidget


def plain_label(text: str = "", parent: QWidget | None = None) -> QLabel:
    """A label for text from the other side or the server: shown as typed, never as HTML."""
    label = QLabel(parent)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setText(text)
    label.setWordWrap(True)
    return label


def title_label(text: str = "") -> QLabel:
    label = QLabel(text)
    font = label.font()
    font.setPointSize(font.pointSize() + 6)
    font.setBold(True)
    label.setFont(font)
    label.setWordWrap(True)
    return label


def page_layout(*widgets: QWidget, max_width: int = 620) -> QHBoxLayout:
    """A page's widgets in one column, centred and kept readable however wide the window."""
    column = QWidget()
    column.setMaximumWidth(max_width)
    layout = QVBoxLayout(column)
    layout.setContentsMargins(32, 28, 32, 28)
    layout.setSpacing(12)
    for widget in widgets:
        layout.addWidget(widget)
    layout.addStretch(1)
    outer = QHBoxLayout()
    outer.addStretch(1)
    outer.addWidget(column, 3)
    outer.addStretch(1)
    return outer
