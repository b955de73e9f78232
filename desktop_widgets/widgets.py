"""Labels that never interpret markup, titles, and a readable centred column."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)


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


def fill_table(table: QTableWidget, rows: list[tuple[str, ...]]) -> None:
    """Rows of read-only text, each column as wide as its text (the last takes the rest), so
    that a time, a name or a result is read whole rather than cut to an ellipsis."""
    table.setRowCount(len(rows))
    for row, cells in enumerate(rows):
        for column, text in enumerate(cells):
            table.setItem(row, column, QTableWidgetItem(text))
    table.resizeColumnsToContents()
    table.horizontalHeader().setStretchLastSection(True)
