"""Chat as plain text: what the other side types is never interpreted."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QLineEdit, QPlainTextEdit, QVBoxLayout, QWidget

from desktop_widgets.theme import Space
from desktop_widgets.widgets import named, role_label

MAX_CHAT = 4000


class ChatPanel(QWidget):
    send = Signal(str)

    def __init__(self, placeholder: str = "") -> None:
        super().__init__()
        self.heading = role_label(self.tr("Chat"), "lead")
        self.log = named(QPlainTextEdit(), self.tr("Chat messages"))
        self.log.setReadOnly(True)
        self.entry = QLineEdit()
        self.entry.setPlaceholderText(placeholder or self.tr("Type a message and press Enter"))
        self.entry.setMaxLength(MAX_CHAT)
        named(self.entry, self.tr("Chat message"), self.tr("Press Enter to send"))
        self.entry.returnPressed.connect(self._send)
        self.layout_ = QVBoxLayout(self)
        self.layout_.setContentsMargins(Space.S, Space.S, Space.S, Space.S)
        self.layout_.setSpacing(Space.S)
        self.layout_.addWidget(self.heading)
        self.layout_.addWidget(self.log, 1)
        self.layout_.addWidget(self.entry)

    def add(self, who: str, text: str) -> None:
        self.log.appendPlainText(f"{who}: {text}")

    def _send(self) -> None:
        text = self.entry.text().strip()
        if text:
            self.send.emit(text)
            self.add(self.tr("You"), text)
            self.entry.clear()
