"""Plain words for what the protocol says, and labels that never interpret markup."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QWidget

END_REASONS = {
    "helper_ended": "You ended the session.",
    "sharer_ended": "The person you were helping ended the session.",
    "declined": "The person declined your request.",
    "helper_disconnected": "Your connection to the server was lost.",
    "sharer_disconnected": "The other person's connection was lost.",
    "peer_timeout": "The connection was lost: the other side stopped answering.",
    "connection_failed": "The connection could not be made.",
    "identity_mismatch": "The connection was refused: the identity check failed.",
    "server_shutdown": "The server was shut down.",
    "signaling_lost": "The connection to the server was lost.",
    "code_expired": "The code expired.",
}


def end_reason_text(reason: str) -> str:
    return END_REASONS.get(reason, "The session ended.")


def plain_label(text: str = "", parent: QWidget | None = None) -> QLabel:
    """A label for text from the other side or the server: shown as typed, never as HTML."""
    label = QLabel(parent)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setText(text)
    label.setWordWrap(True)
    return label
