"""Chat as plain text: what the other side types is never interpreted."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QLineEdit, QPlainTextEdit, QVBoxLayout, QWidget

MAX_CHAT = 4000


class ChatPanel(QWidget):
    send = Signal(str)

    def __init__(self, placeholder: str = "Type a message and press Enter") -> None:
        super().__init__()
        self.log = QPlainTextEdit()
        self.log.setReadOnly(True)
        self.log.setAccessibleName("Chat messages")
        self.entry = QLineEdit()
        self.entry.setPlaceholderText(placeholder)
        self.entry.setMaxLength(MAX_CHAT)
        self.entry.setAccessibleName("Chat message")
        self.entry.returnPressed.connect(self._send)
        self.layout_ = QVBoxLayout(self)
        self.layout_.setContentsMargins(6, 6, 6, 6)
        self.layout_.addWidget(self.log, 1)
        self.layout_.addWidget(self.entry)

    def add(self, who: str, text: str) -> None:
        self.log.appendPlainText(f"{who}: {text}")

    def _send(self) -> None:
        text = self.entry.text().strip()
        if text:
            self.send.emit(text)
            self.add("You", text)
            self.entry.clear()
