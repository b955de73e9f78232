"""Plain words for the sharer, and labels that never interpret markup."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QWidget

END_REASONS = {
    "sharer_ended": "You stopped sharing.",
    "helper_ended": "Your helper ended the session.",
    "declined": "You declined. Nothing was shared.",
    "helper_disconnected": "Your helper's connection was lost.",
    "sharer_disconnected": "Your connection to the server was lost.",
    "peer_timeout": "The connection to your helper was lost.",
    "connection_failed": "The connection to your helper could not be made.",
    "identity_mismatch": "Stopped for your safety: the connection did not come from the "
    "verified helper.",
    "server_shutdown": "The Helpline server was shut down.",
    "signaling_lost": "The connection to the Helpline server was lost.",
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
