"""Labels that never interpret markup, titles, named buttons, and a readable centred column."""

from __future__ import annotations

from typing import TypeVar

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop_widgets.theme import Space

W = TypeVar("W", bound=QWidget)


def plain_label(text: str = "", parent: QWidget | None = None) -> QLabel:
    """A label for text from the other side or the server: shown as typed, never as HTML."""
    label = QLabel(parent)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setText(text)
    label.setWordWrap(True)
    return label


def title_label(text: str = "") -> QLabel:
    return role_label(text, "title")


def role_label(text: str, role: str) -> QLabel:
    """A plain-text label that takes its look from the stylesheet's ``role`` (see ``theme``)."""
    label = plain_label(text)
    label.setProperty("role", role)
    return label


def page_layout(*widgets: QWidget, max_width: int = 620) -> QHBoxLayout:
    """A page's widgets in one column, centred and kept readable however wide the window."""
    column = QWidget()
    column.setMaximumWidth(max_width)
    layout = QVBoxLayout(column)
    layout.setContentsMargins(Space.XXL, Space.XL, Space.XXL, Space.XL)
    layout.setSpacing(Space.M)
    for widget in widgets:
        layout.addWidget(widget)
    layout.addStretch(1)
    outer = QHBoxLayout()
    outer.addStretch(1)
    outer.addWidget(column, 10)
    outer.addStretch(1)
    return outer


def fill_table(table: QTableWidget, rows: list[tuple[str, ...]]) -> None:
    """Rows of read-only text, each column as wide as its text (the last takes the rest), so
    that a time, a name or a result is read whole rather than cut to an ellipsis."""
    table.setRowCount(len(rows))
    for row, cells in enumerate(rows):
        for column, text in enumerate(cells):
            table.setItem(row, column, QTableWidgetItem(text))
    table.resizeColumnsToContents()
    table.horizontalHeader().setStretchLastSection(True)


def named(widget: W, name: str, description: str = "") -> W:
    """What a screen reader says for ``widget`` (every interactive widget has a name)."""
    widget.setAccessibleName(name)
    if description:
        widget.setAccessibleDescription(description)
    return widget


class Button(QPushButton):
    """A push button whose accessible name follows its words (without the ``&`` of its
    shortcut), and that takes a ``role`` from the stylesheet: ``primary`` or ``danger``."""

    def __init__(self, text: str = "", role: str = "", description: str = "") -> None:
        super().__init__()
        if role:
            self.setProperty("role", role)
        if description:
            self.setAccessibleDescription(description)
        self.setText(text)

    def setText(self, text: str) -> None:
        super().setText(text)
        self.setAccessibleName(text.replace("&&", "\0").replace("&", "").replace("\0", "&"))
